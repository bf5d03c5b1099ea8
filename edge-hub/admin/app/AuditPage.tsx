import { useEffect, useState } from 'react';
import { ADMIN_PEOPLE_TEST_IDS as T, type AdminAuditNamedEntry } from '../../../protocol/admin-dashboard.ts';
import { getAudit } from './api.ts';
import type { PageProps } from './App.tsx';
import { actorLabel, auditSentence, changedFields, subjectLabel } from './audit-logic.ts';

/**
 * The audit log, newest first, 50 at a time: names instead of ids (the ids in the tooltips), a sentence per
 * action, and before → after as the changed fields with their labels. Rows keep data-action and
 * data-outcome.
 */
export function AuditPage({ m, onFailure }: PageProps) {
  const [entries, setEntries] = useState<AdminAuditNamedEntry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const a = m.audit;

  useEffect(() => {
    let cancelled = false;
    void getAudit(null).then((r) => {
      if (cancelled) return;
      if (r.ok) {
        setEntries(r.value.entries);
        setNext(r.value.nextBefore);
      } else onFailure(r.failure);
    });
    return () => {
      cancelled = true;
    };
  }, [onFailure]);

  return (
    <section className="card">
      <h2>{a.title}</h2>
      <table data-testid="audit-log" className="audit">
        <thead>
          <tr>
            <th>{a.at}</th>
            <th>{a.actor}</th>
            <th>{a.action}</th>
            <th>{a.subject}</th>
            <th>{a.outcome}</th>
            <th>{a.change}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => {
            const changes = changedFields(e.before, e.after, a, m.intlLocale);
            return (
              <tr key={e.id} data-action={e.action} data-outcome={e.outcome}>
                <td>{new Date(e.at).toLocaleString(m.intlLocale)}</td>
                <td data-role="actor" title={e.actorId ?? e.actorKind}>
                  {actorLabel(e, a)}
                </td>
                <td data-testid={T.auditSentence} title={e.action}>
                  {auditSentence(e, a)}
                </td>
                <td data-role="subject" title={e.subject ?? ''}>
                  {subjectLabel(e, a)}
                </td>
                <td className={e.outcome === 'ok' ? 'ok' : 'error'}>
                  {e.outcome === 'ok' ? a.ok : a.refused(e.outcome)}
                </td>
                <td className="change">
                  {changes.length > 0 && (
                    <dl>
                      {changes.map((c) => (
                        <div key={c.key} data-field={c.key}>
                          {c.label !== '' && <dt>{c.label}</dt>}
                          <dd>
                            {c.from !== undefined && <span className="from">{c.from}</span>}
                            {c.from !== undefined && c.to !== undefined && ' → '}
                            {c.to !== undefined && <span className="to">{c.to}</span>}
                          </dd>
                        </div>
                      ))}
                    </dl>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {next !== null && (
        <button
          type="button"
          onClick={() => {
            void getAudit(next).then((r) => {
              if (r.ok) {
                setEntries([...entries, ...r.value.entries]);
                setNext(r.value.nextBefore);
              } else onFailure(r.failure);
            });
          }}
        >
          {a.more}
        </button>
      )}
    </section>
  );
}
