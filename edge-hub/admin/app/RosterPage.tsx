import { useEffect, useRef, useState } from 'react';
import {
  ADMIN_TEST_IDS,
  type AdminGuardianQr,
  type AdminRoster,
  type ImportJob,
  type RosterPreview,
} from '../../../protocol/admin.ts';
import { getImport, getRoster, issueGuardianQr, revokeGuardianQr, startImport } from './api.ts';
import type { PageProps } from './App.tsx';
import { GuardianCardsCell } from './GuardianCardsCell.tsx';
import { GuardianPinCell } from './GuardianPinCell.tsx';
import { todayIso } from './logic.ts';
import type { Messages } from './messages.ts';

/** How often a running import's progress is asked for. */
const POLL_MS = 200;
/** Children shown per list of the preview; the rest are counted. */
const PREVIEW_LIST_MAX = 100;

export function RosterPage({ m, onFailure }: PageProps) {
  const [csv, setCsv] = useState<string | null>(null);
  /** The day the roster takes effect from; the check and the import use the same. */
  const [effective, setEffective] = useState(() => todayIso());
  const [check, setCheck] = useState<ImportJob | null>(null);
  const [run, setRun] = useState<ImportJob | null>(null);
  const [roster, setRoster] = useState<AdminRoster | null>(null);
  const alive = useRef(true);

  /** Bumped to read the roster again (after an import). */
  const [rosterTick, setRosterTick] = useState(0);

  useEffect(() => {
    alive.current = true;
    void getRoster().then((r) => {
      if (!alive.current) return;
      if (r.ok) setRoster(r.value);
      else onFailure(r.failure);
    });
    return () => {
      alive.current = false;
    };
  }, [onFailure, rosterTick]);

  /** Starts a job and follows it until it ends, showing each step. */
  const follow = async (text: string, dryRun: boolean, show: (job: ImportJob) => void): Promise<void> => {
    const started = await startImport(text, dryRun, effective);
    if (!started.ok) {
      onFailure(started.failure);
      return;
    }
    for (;;) {
      const r = await getImport(started.value.jobId);
      if (!alive.current) return;
      if (!r.ok) {
        onFailure(r.failure);
        return;
      }
      show(r.value);
      if (r.value.state === 'done' || r.value.state === 'failed') return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };

  const onFile = async (file: File | undefined): Promise<void> => {
    setCheck(null);
    setRun(null);
    setCsv(null);
    if (!file) return;
    setCsv(await file.text());
  };

  const r = m.roster;
  const job = run ?? check;
  const problems = job?.problems ?? [];
  const canImport = csv !== null && check?.state === 'done' && run === null;
  const busy = job !== null && (job.state === 'validating' || job.state === 'importing');

  return (
    <>
      <section className="card">
        <h2>{r.importTitle}</h2>
        <p className="help">{r.importHelp}</p>
        <p className="help">{r.effectiveHelp}</p>
        <div className="row">
          <label>
            {r.file}{' '}
            <input
              type="file"
              accept=".csv,text/csv"
              data-testid={ADMIN_TEST_IDS.rosterFile}
              onChange={(e) => {
                void onFile(e.target.files?.[0]);
              }}
            />
          </label>
          <label>
            {r.effective}{' '}
            <input
              type="date"
              required
              value={effective}
              data-testid={ADMIN_TEST_IDS.rosterEffective}
              onChange={(e) => {
                // Another day is another comparison: check again before importing.
                setCheck(null);
                setRun(null);
                setEffective(e.currentTarget.value);
              }}
            />
          </label>
          <button
            type="button"
            data-testid={ADMIN_TEST_IDS.rosterDryRun}
            disabled={csv === null || effective === '' || busy}
            onClick={() => {
              if (csv === null) return;
              setRun(null);
              void follow(csv, true, setCheck);
            }}
          >
            {r.dryRun}
          </button>
          <button
            type="button"
            className="primary"
            data-testid={ADMIN_TEST_IDS.rosterImport}
            disabled={!canImport || busy}
            onClick={() => {
              if (csv === null) return;
              void follow(csv, false, (j) => {
                setRun(j);
                if (j.state === 'done') setRosterTick((t) => t + 1);
              });
            }}
          >
            {r.import}
          </button>
        </div>

        {job !== null && (
          <div className="progress" data-state={job.state} data-dry-run={String(job.dryRun)}>
            <progress
              data-testid={ADMIN_TEST_IDS.importProgress}
              max={Math.max(1, job.total)}
              value={job.processed}
              aria-valuemin={0}
              aria-valuemax={job.total}
              aria-valuenow={job.processed}
            />
            <span>
              {r.state[job.state]} — {r.progress(job.processed, job.total)}
            </span>
          </div>
        )}

        {job?.state === 'failed' && (
          <div className="problems">
            <h3 className="error">{r.problemsTitle(problems.length)}</h3>
            <p>{r.nothingImported}</p>
            <table data-testid={ADMIN_TEST_IDS.rosterProblems}>
              <thead>
                <tr>
                  <th>{r.line}</th>
                  <th>{r.reason}</th>
                </tr>
              </thead>
              <tbody>
                {problems.map((p, i) => (
                  <tr key={`${String(p.line)}-${String(i)}`} data-line={p.line}>
                    <td>{p.line}</td>
                    <td>{p.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}

        {check?.state === 'done' && check.preview && (
          <div data-testid={ADMIN_TEST_IDS.rosterPreview}>
            <h3>
              {r.previewTitle} — {r.previewFrom(check.preview.effectiveFrom)}
            </h3>
            <dl className="counts">
              <dt>{r.classes}</dt>
              <dd>{check.preview.classes}</dd>
              <dt>{r.children}</dt>
              <dd>{check.preview.children}</dd>
              <dt>{r.guardians}</dt>
              <dd>{check.preview.guardians}</dd>
              <dt>{r.cards}</dt>
              <dd>{check.preview.credentials}</dd>
              <dt>{r.added}</dt>
              <dd>{check.preview.childrenAdded}</dd>
              <dt>{r.removed}</dt>
              <dd>{check.preview.childrenRemoved}</dd>
            </dl>
            <PreviewLists preview={check.preview} m={m} />
            {run === null && <p>{r.readyToImport}</p>}
          </div>
        )}

        {run?.state === 'done' && run.summary && (
          <p
            className="ok"
            data-testid={ADMIN_TEST_IDS.importDone}
            data-children={run.summary.imported.children}
          >
            {r.done(run.summary.imported.children, run.summary.version)}
            {run.summary.effectiveFrom > todayIso() && <> {r.scheduled(run.summary.effectiveFrom)}</>}
          </p>
        )}
      </section>

      {roster !== null && <RosterView roster={roster} m={m} onFailure={onFailure} />}
    </>
  );
}

/**
 * The preview's children by what happens to them, only the lists that have someone; those leaving first:
 * a child left off the file by mistake is the costly slip.
 */
function PreviewLists({ preview, m }: { preview: RosterPreview; m: Messages }) {
  const r = m.roster;
  const care = (t: 'standard' | 'short') => r.careType[t];
  const lists: { key: string; title: string; items: { childId: string; text: string }[] }[] = [
    {
      key: 'leaving',
      title: r.removed,
      items: preview.leaving.map((c) => ({ childId: c.childId, text: c.name })),
    },
    {
      key: 'moved',
      title: r.moved,
      items: preview.moved.map((c) => ({
        childId: c.childId,
        text: r.childChange(c.name, r.change(c.from, c.to)),
      })),
    },
    {
      key: 'renamed',
      title: r.renamed,
      items: preview.renamed.map((c) => ({ childId: c.childId, text: r.change(c.from, c.to) })),
    },
    {
      key: 'care-type',
      title: r.careTypeChanged,
      items: preview.careTypeChanged.map((c) => ({
        childId: c.childId,
        text: r.childChange(c.name, r.change(care(c.from), care(c.to))),
      })),
    },
    {
      key: 'added',
      title: r.added,
      items: preview.added.map((c) => ({ childId: c.childId, text: r.inClass(c.name, c.className) })),
    },
  ].filter((l) => l.items.length > 0);
  if (lists.length === 0) return <p>{r.noChildChanges}</p>;
  return (
    <>
      {lists.map((l) => (
        <div key={l.key} data-preview={l.key} data-count={l.items.length}>
          <h4>
            {l.title} ({l.items.length})
          </h4>
          <ul>
            {l.items.slice(0, PREVIEW_LIST_MAX).map((c) => (
              <li key={c.childId} data-child-id={c.childId}>
                {c.text}
              </li>
            ))}
            {l.items.length > PREVIEW_LIST_MAX && <li>{r.more(l.items.length - PREVIEW_LIST_MAX)}</li>}
          </ul>
        </div>
      ))}
    </>
  );
}

function RosterView({ roster, m, onFailure }: { roster: AdminRoster } & PageProps) {
  const r = m.roster;
  /** The guardian QR card just issued, shown until another is issued. */
  const [card, setCard] = useState<AdminGuardianQr | null>(null);
  const issueCard = async (guardianId: string): Promise<void> => {
    const result = await issueGuardianQr(guardianId);
    if (result.ok) setCard(result.value);
    else onFailure(result.failure);
  };
  /** Guardians whose QR codes were revoked on this page (until a new card is issued). */
  const [revoked, setRevoked] = useState<ReadonlySet<string>>(new Set());
  const revokeCards = async (guardianId: string, name: string): Promise<void> => {
    if (!window.confirm(r.confirmRevokeQr(name))) return;
    const result = await revokeGuardianQr(guardianId);
    if (!result.ok) {
      onFailure(result.failure);
      return;
    }
    setRevoked((s) => new Set(s).add(guardianId));
    // The card on screen was signed before the revocation: it no longer works.
    setCard((c) => (c?.guardianId === guardianId ? null : c));
  };
  const className = new Map(roster.classes.map((c) => [c.id, c.name]));
  const childName = new Map(roster.children.map((c) => [c.id, c.name]));
  return (
    <section className="card" data-testid="roster-view" data-version={roster.version}>
      <h2>{r.currentTitle}</h2>
      <h3>{r.classes}</h3>
      <table>
        <thead>
          <tr>
            <th>{r.className}</th>
            <th>{r.childCount}</th>
          </tr>
        </thead>
        <tbody>
          {roster.classes.map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td>{c.children}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>
        {r.children} ({roster.children.length})
      </h3>
      <table>
        <thead>
          <tr>
            <th>{r.name}</th>
            <th>{r.kana}</th>
            <th>{r.className}</th>
            <th>{r.careTypeLabel}</th>
          </tr>
        </thead>
        <tbody>
          {roster.children.map((c) => (
            <tr key={c.id} data-child-id={c.id}>
              <td>{c.name}</td>
              <td>{c.kana}</td>
              <td>{className.get(c.classId) ?? c.classId}</td>
              <td>{r.careType[c.careType]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>
        {r.guardians} ({roster.guardians.length})
      </h3>
      <table>
        <thead>
          <tr>
            <th>{r.name}</th>
            <th>{r.guardianChildren}</th>
            <th>{r.cardCount}</th>
            <th>{r.qrCard}</th>
            <th>{r.guardianPin.column}</th>
          </tr>
        </thead>
        <tbody>
          {roster.guardians.map((g) => (
            <tr key={g.id}>
              <td>{g.name}</td>
              <td>{g.childIds.map((id) => childName.get(id) ?? id).join('、')}</td>
              <td>
                <GuardianCardsCell
                  guardianId={g.id}
                  guardianName={g.name}
                  initial={g.cards}
                  m={m}
                  onFailure={onFailure}
                />
              </td>
              <td>
                <button
                  type="button"
                  data-testid="guardian-qr"
                  data-guardian-id={g.id}
                  onClick={() => {
                    setRevoked((s) => {
                      const next = new Set(s);
                      next.delete(g.id);
                      return next;
                    });
                    void issueCard(g.id);
                  }}
                >
                  {r.issueQr}
                </button>{' '}
                <button
                  type="button"
                  data-testid="guardian-qr-revoke"
                  data-guardian-id={g.id}
                  onClick={() => {
                    void revokeCards(g.id, g.name);
                  }}
                >
                  {r.revokeQr}
                </button>
                {revoked.has(g.id) && (
                  <span data-testid="guardian-qr-revoked" data-guardian-id={g.id}>
                    {' '}
                    {r.qrRevoked}
                  </span>
                )}
              </td>
              <td>
                <GuardianPinCell guardianId={g.id} initial={g.pin} m={m} onFailure={onFailure} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {card !== null && (
        <figure className="qr-card" data-testid="guardian-qr-card" data-guardian-id={card.guardianId}>
          <img
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(card.svg)}`}
            alt={r.qrCardAlt}
            width={480}
          />
          <figcaption>
            {r.qrCardNote(card.expiresAt.slice(0, 10))}{' '}
            <a
              href={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(card.svg)}`}
              download={`qr-${card.guardianId}.svg`}
            >
              {r.download}
            </a>
          </figcaption>
        </figure>
      )}
    </section>
  );
}
