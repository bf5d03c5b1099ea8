import { useEffect, useState, type ReactNode } from 'react';
import { ADMIN_TEST_IDS, type AdminRecordsHealth } from '../../../protocol/admin.ts';
import { getRecordsHealth, type ApiFailure } from './api.ts';
import type { PageProps } from './App.tsx';
import { facilityClockTime } from './logic.ts';
import type { Messages } from './messages.ts';

/** The records' health, loaded now and every `everyMs` while the page is open. */
function useRecordsHealth(
  onFailure: (failure: ApiFailure) => void,
  everyMs: number,
): AdminRecordsHealth | null {
  const [health, setHealth] = useState<AdminRecordsHealth | null>(null);
  useEffect(() => {
    let cancelled = false;
    const load = () => {
      void getRecordsHealth().then((r) => {
        if (cancelled) return;
        if (r.ok) setHealth(r.value);
        else onFailure(r.failure);
      });
    };
    load();
    const timer = window.setInterval(load, everyMs);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, [onFailure, everyMs]);
  return health;
}

const when = (m: Messages, iso: string): string => new Date(iso).toLocaleString(m.intlLocale);

/**
 * The overview's relay box, and banners above it when the oldest event waits too long or parents'
 * messages have not arrived for a while.
 */
export function RelayPanel({ m, onFailure }: PageProps) {
  const health = useRecordsHealth(onFailure, 30_000);
  if (health === null) return null;
  const r = m.relay;
  const relay = health.relay;
  return (
    <>
      {health.warnings.includes('relay_stalled') && relay.configured && (
        <p className="warning" role="alert" data-testid={ADMIN_TEST_IDS.relayWarning}>
          {r.stalled(m.age(relay.oldestAgeSeconds ?? 0))}
        </p>
      )}
      {health.warnings.includes('parent_messages_stalled') && relay.configured && relay.parentMessages && (
        <p className="warning" role="alert" data-testid={ADMIN_TEST_IDS.parentMessagesWarning}>
          {r.parentsStalled(facilityClockTime(relay.parentMessages.failingSince))}
        </p>
      )}
      <section
        className="card"
        data-testid={ADMIN_TEST_IDS.relayHealth}
        data-configured={String(relay.configured)}
        data-waiting={relay.configured ? String(relay.waiting) : undefined}
      >
        <h2>{r.title}</h2>
        {!relay.configured ? (
          <p className="muted">{r.notConfigured}</p>
        ) : (
          <dl className="counts">
            <dt>{r.waiting}</dt>
            <dd>{r.count(relay.waiting)}</dd>
            <dt>{r.oldest}</dt>
            <dd>
              {relay.oldestWaitingAt === null
                ? r.none
                : r.oldestAge(m.age(relay.oldestAgeSeconds ?? 0), when(m, relay.oldestWaitingAt))}
            </dd>
            <dt>{r.lastSuccess}</dt>
            <dd>{relay.lastSuccessAt === null ? r.sinceStart : when(m, relay.lastSuccessAt)}</dd>
            <dt>{r.lastError}</dt>
            <dd className={relay.lastError ? 'error' : ''}>
              {relay.lastError === null
                ? r.none
                : r.errorAt(relay.lastError.reason, when(m, relay.lastError.at))}
            </dd>
            {relay.parentMessages && (
              <>
                <dt>{r.parentMessages}</dt>
                <dd className="error">
                  {r.parentsFailing(
                    relay.parentMessages.reason,
                    facilityClockTime(relay.parentMessages.failingSince),
                  )}
                </dd>
              </>
            )}
            <dt>{r.rejected}</dt>
            <dd>
              {r.count(relay.rejected)}
              {relay.rejected > 0 && (
                <>
                  {' '}
                  <a href="#records">{r.seeRecords}</a>
                </>
              )}
            </dd>
          </dl>
        )}
      </section>
    </>
  );
}

interface EventRowBase {
  id: string;
  occurredAt: string;
  childId: string;
  childName: string | null;
  type: AdminRecordsHealth['rejected']['events'][number]['type'];
  deviceId: string;
}

/**
 * One listed kind of event: when, child, type and device, then the kind's own two columns. Both lists of
 * the page are this table.
 */
function EventSection<E extends EventRowBase>(props: {
  m: Messages;
  title: string;
  help: string;
  list: { total: number; events: readonly E[] };
  testId: string;
  /** The kind's own last two columns: headings, then cells. */
  extra: readonly [string, string];
  cells: (e: E) => readonly [ReactNode, ReactNode];
  rowData: (e: E) => Record<`data-${string}`, string>;
}) {
  const { m, list } = props;
  const t = m.records;
  return (
    <section className="card">
      <h2>{props.title}</h2>
      <p className="help">{props.help}</p>
      <p className="muted">{t.shown(list.events.length, list.total)}</p>
      <table data-testid={props.testId}>
        <thead>
          <tr>
            <th>{t.occurredAt}</th>
            <th>{t.child}</th>
            <th>{t.type}</th>
            <th>{t.device}</th>
            <th>{props.extra[0]}</th>
            <th>{props.extra[1]}</th>
          </tr>
        </thead>
        <tbody>
          {list.events.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                {t.none}
              </td>
            </tr>
          )}
          {list.events.map((e) => {
            const [a, b] = props.cells(e);
            return (
              <tr key={e.id} data-event-id={e.id} {...props.rowData(e)}>
                <td>{when(m, e.occurredAt)}</td>
                <td>{t.childOf(e.childId, e.childName)}</td>
                <td className="nowrap">{t.types[e.type]}</td>
                <td className="nowrap">{e.deviceId}</td>
                <td>{a}</td>
                <td>{b}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** The events the cloud refused and the events stamped while a kiosk's clock was in doubt. */
export function RecordsPage({ m, onFailure }: PageProps) {
  const health = useRecordsHealth(onFailure, 60_000);
  const t = m.records;
  if (health === null) return <p>{m.loading}</p>;
  return (
    <>
      <EventSection
        m={m}
        title={t.rejectedTitle}
        help={t.rejectedHelp}
        list={health.rejected}
        testId={ADMIN_TEST_IDS.relayRejects}
        extra={[t.reason, t.rejectedAt]}
        cells={(e) => [
          <>
            {t.code(e.code, e.message)} <code className="muted">{e.code}</code>
          </>,
          when(m, e.rejectedAt),
        ]}
        rowData={(e) => ({ 'data-code': e.code })}
      />
      <EventSection
        m={m}
        title={t.clockDoubtTitle}
        help={t.clockDoubtHelp}
        list={health.clockDoubt}
        testId={ADMIN_TEST_IDS.clockDoubtEvents}
        extra={[t.receivedAt, t.doubt]}
        cells={(e) => [
          when(m, e.receivedAt),
          <>
            <strong>{t.doubts[e.clockDoubt].name}</strong>: {t.doubts[e.clockDoubt].explanation}
          </>,
        ]}
        rowData={(e) => ({ 'data-clock-doubt': e.clockDoubt })}
      />
    </>
  );
}
