import type { TabletChild } from '../../../protocol/tablet.ts';
import { broughtLine, pickedUpLine } from './facts.ts';
import type { Messages } from './messages.ts';
import { hhmm } from './state.ts';

/** A child's times, who brought and picked up (or which staff member entered it), absence and corrections. */
export function ChildFacts(props: { child: TabletChild; timeZone: string; messages: Messages }) {
  const { child: c, timeZone, messages: m } = props;
  const method = c.method === null ? null : <span className="fact__method">{m.method[c.method]}</span>;
  const brought = broughtLine(c, m);
  const pickedUp = pickedUpLine(c, m);
  return (
    <div className="row__facts">
      {c.checkInAt !== null && (
        <p className="fact fact--in">
          <strong>{m.checkIn(hhmm(c.checkInAt, timeZone))}</strong>
          {c.checkOutAt === null && c.checkInMethod !== 'staff' && method}
          {brought !== null && (
            <span
              className={`fact__by${c.checkInMethod === 'staff' ? ' fact__by--staff' : ''}`}
              data-testid="brought-by"
              data-staff-entry={c.checkInMethod === 'staff' ? 'true' : 'false'}
            >
              {brought}
            </span>
          )}
        </p>
      )}
      {c.checkOutAt !== null && (
        <p className="fact fact--out">
          <strong>{m.checkOut(hhmm(c.checkOutAt, timeZone))}</strong>
          {c.checkOutMethod !== 'staff' && method}
          {pickedUp !== null && (
            <span
              className={`fact__by${c.checkOutMethod === 'staff' ? ' fact__by--staff' : ''}`}
              data-testid="picked-up-by"
              data-staff-entry={c.checkOutMethod === 'staff' ? 'true' : 'false'}
            >
              {pickedUp}
            </span>
          )}
        </p>
      )}
      {c.absence !== null && (
        <p className="fact fact--absent">
          <strong>{m.reason[c.absence.reason]}</strong>
          {c.absence.note !== undefined && <span className="fact__by">{c.absence.note}</span>}
        </p>
      )}
      {c.corrections.length > 0 && (
        <details className="corrections" data-testid="corrections">
          {/* A 44 px touch target around a small pill. */}
          <summary className="corrections__summary">
            <span className="corrections__pill">
              {m.corrected} ({c.corrections.length})
            </span>
          </summary>
          <ul className="corrections__list">
            {c.corrections.map((k, i) => (
              <li key={`${k.at}-${i}`}>
                {m.correctionLine(m.correction[k.kind], k.by, hhmm(k.at, timeZone))}
                {k.note !== undefined && <span className="corrections__note">「{k.note}」</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
