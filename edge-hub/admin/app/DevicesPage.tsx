import { useEffect, useState, type SyntheticEvent } from 'react';
import { ADMIN_PEOPLE_TEST_IDS as T, type AdminTabletSessions } from '../../../protocol/admin-dashboard.ts';
import type { AdminDevice, AdminPairing } from '../../../protocol/admin.ts';
import { getDevices, getTabletSessions, pairDevice, removeDevice } from './api.ts';
import type { PageProps } from './App.tsx';
import { HeadRow } from './HeadRow.tsx';
import { RelativeTime } from './RelativeTime.tsx';
import { svgDataUrl } from './Modal.tsx';

/** How often the lists are read again while the page is open. */
const REFRESH_MS = 10_000;

/** Who is signed in on which tablet, since when, last seen. */
function TabletSessionsCard(props: {
  m: PageProps['m'];
  live: AdminTabletSessions['sessions'];
  /** The sessions were read: an empty list says "none" (not while loading). */
  listed: boolean;
  nowMs: number | null;
}) {
  const { m, live, listed, nowMs } = props;
  const d = m.devices;
  return (
    <section className="card">
      <h2>{d.sessions.title}</h2>
      <p className="help">{d.sessions.help}</p>
      {listed && live.length === 0 ? (
        <p className="muted">{d.sessions.none}</p>
      ) : (
        <table data-testid={T.tabletSessions}>
          <HeadRow cells={[d.sessions.staff, d.sessions.device, d.sessions.since, d.sessions.lastSeen]} />
          <tbody>
            {live.map((s) => (
              <tr
                key={`${s.deviceId}-${s.staffId}-${s.since}`}
                data-device-id={s.deviceId}
                data-staff-id={s.staffId}
              >
                <td title={s.staffId}>{s.staffName ?? s.staffId}</td>
                <td>{s.deviceId}</td>
                <td>
                  <RelativeTime at={s.since} nowMs={nowMs} m={m} />
                </td>
                <td>
                  <RelativeTime at={s.lastSeen} nowMs={nowMs} m={m} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/**
 * The devices: kiosks and tablets with when each was last seen (「3分前」, the time in the tooltip), who is
 * signed in on each tablet, pairing a new device and removing a lost one.
 */
export function DevicesPage({ m, onFailure }: PageProps) {
  const [devices, setDevices] = useState<AdminDevice[] | null>(null);
  const [sessions, setSessions] = useState<AdminTabletSessions | null>(null);
  const [deviceId, setDeviceId] = useState('');
  const [role, setRole] = useState<'kiosk' | 'tablet'>('kiosk');
  const [pairing, setPairing] = useState<AdminPairing | null>(null);
  /** Moves on each removal: the list reloads. */
  const [removals, setRemovals] = useState(0);
  const d = m.devices;

  useEffect(() => {
    let cancelled = false;
    const load = () => {
      void Promise.all([getDevices(), getTabletSessions()]).then(([list, used]) => {
        if (cancelled) return;
        if (list.ok) setDevices(list.value.devices);
        else onFailure(list.failure);
        if (used.ok) setSessions(used.value);
        else if (list.ok) onFailure(used.failure);
      });
    };
    load();
    const timer = window.setInterval(load, REFRESH_MS);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, [onFailure, pairing, removals]);

  const remove = (id: string): void => {
    if (!window.confirm(d.confirmRemove(id))) return;
    void removeDevice(id).then((r) => {
      if (r.ok) setRemovals((n) => n + 1);
      else onFailure(r.failure);
    });
  };

  const onSubmit = (e: SyntheticEvent): void => {
    e.preventDefault();
    if (deviceId.trim() === '') return;
    void pairDevice({ deviceId: deviceId.trim(), role }).then((r) => {
      if (r.ok) setPairing(r.value);
      else onFailure(r.failure);
    });
  };

  // "How long ago" against the hub's clock, read with the lists.
  const nowMs = sessions === null ? null : Date.parse(sessions.now);
  const live = sessions?.sessions ?? [];
  const usersOf = (id: string) => live.filter((s) => s.deviceId === id);
  /** A tablet talks HTTP, not MQTT: its last request is its session's last use. */
  const lastSeenOf = (x: AdminDevice): string | null => {
    const used = usersOf(x.id).map((s) => s.lastSeen);
    return [x.lastSeen, ...used]
      .filter((t) => t !== null)
      .reduce<string | null>((a, b) => (a === null || Date.parse(b) > Date.parse(a) ? b : a), null);
  };

  return (
    <>
      <section className="card">
        <h2>{d.title}</h2>
        <table data-testid="device-list">
          <HeadRow
            cells={[
              d.id,
              d.role,
              d.online,
              d.lastSeen,
              d.sessions.inUse,
              d.outbox,
              d.readers,
              d.version,
              null,
            ]}
          />
          <tbody>
            {(devices ?? []).map((x) => {
              const seen = lastSeenOf(x);
              const users = usersOf(x.id);
              return (
                <tr key={x.id} data-device-id={x.id} data-online={String(x.online)}>
                  <td>{x.id}</td>
                  <td>{d.roles[x.role]}</td>
                  <td className={x.online ? 'ok' : 'muted'}>{x.online ? d.online : d.offline}</td>
                  <td data-role="last-seen">
                    {seen === null ? d.never : <RelativeTime at={seen} nowMs={nowMs} m={m} />}
                  </td>
                  <td>
                    {users.length === 0 ? d.never : users.map((s) => s.staffName ?? s.staffId).join('、')}
                  </td>
                  <td>{x.outbox ?? d.never}</td>
                  <td data-testid="device-readers">
                    {x.readers === null
                      ? d.never
                      : x.readers.map((r) => `${r.name} ${r.attached ? '✓' : d.detached}`).join(' · ')}
                  </td>
                  <td>{x.version ?? d.never}</td>
                  <td>
                    <button
                      type="button"
                      data-testid="device-remove"
                      data-device-id={x.id}
                      onClick={() => {
                        remove(x.id);
                      }}
                    >
                      {d.remove}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <TabletSessionsCard m={m} live={live} listed={sessions !== null} nowMs={nowMs} />
      <section className="card">
        <h2>{d.addTitle}</h2>
        <form className="row" onSubmit={onSubmit}>
          <label>
            {d.id}{' '}
            <input
              data-testid="pair-device-id"
              value={deviceId}
              onChange={(e) => {
                setDeviceId(e.target.value);
              }}
            />
          </label>
          <select
            data-testid="pair-role"
            value={role}
            onChange={(e) => {
              setRole(e.target.value === 'tablet' ? 'tablet' : 'kiosk');
            }}
          >
            <option value="kiosk">{d.roles.kiosk}</option>
            <option value="tablet">{d.roles.tablet}</option>
          </select>
          <button type="submit" className="primary" data-testid="pair-submit">
            {d.add}
          </button>
        </form>
        {pairing && (
          <figure className="pairing" data-testid="pairing-qr" data-device-id={pairing.deviceId}>
            <img alt={pairing.deviceId} src={svgDataUrl(pairing.svg)} width={240} height={240} />
            <figcaption>{d.scan(pairing.role, pairing.expiresAt)}</figcaption>
          </figure>
        )}
      </section>
    </>
  );
}
