import { TABLET_TEST_IDS } from '../../../protocol/tablet.ts';
import type { Messages } from './messages.ts';
import { hhmm, type AttentionEntry } from './state.ts';

/**
 * Whom staff must find now, at the top of the roll-call. The full view lists them (why, name, class, since
 * when); the compact view says it on one line: how many, and their names.
 */
export function Attention(props: {
  attention: AttentionEntry[];
  compact: boolean;
  timeZone: string;
  messages: Messages;
}) {
  const { attention, compact, messages: m } = props;
  return (
    <section
      className={`attention${compact ? ' attention--line' : ''}${attention.length > 0 ? ' attention--alert' : ''}`}
      data-testid={TABLET_TEST_IDS.attention}
      data-count={attention.length}
      aria-live="polite"
    >
      {attention.length === 0 ? (
        <p className="attention__none">
          <span className="mark mark--ok" aria-hidden="true">
            ✓
          </span>
          {m.attentionNone}
        </p>
      ) : compact ? (
        <AttentionLine attention={attention} messages={m} />
      ) : (
        <AttentionList attention={attention} timeZone={props.timeZone} messages={m} />
      )}
    </section>
  );
}

function AttentionLine(props: { attention: AttentionEntry[]; messages: Messages }) {
  const { attention, messages: m } = props;
  return (
    <p className="attention__line">
      <span className="mark mark--alert" aria-hidden="true">
        !
      </span>
      <strong>{m.attentionTitle(attention.length)}</strong>
      <span className="attention__names">
        {attention.map((a) => `${a.child.name}（${m.why[a.why]}）`).join('、')}
      </span>
    </p>
  );
}

function AttentionList(props: { attention: AttentionEntry[]; timeZone: string; messages: Messages }) {
  const { attention, messages: m } = props;
  return (
    <>
      <h2 className="attention__title">
        <span className="mark mark--alert" aria-hidden="true">
          !
        </span>
        {m.attentionTitle(attention.length)}
      </h2>
      <ul className="attention__list">
        {attention.map((a) => (
          <li key={a.child.id} className="attention__item" data-child-id={a.child.id} data-why={a.why}>
            <span className="attention__why">{m.why[a.why]}</span>
            <span className="attention__name">{a.child.name}</span>
            <span className="attention__class">{a.className}</span>
            {a.why === 'still_present' && a.child.checkInAt !== null && (
              <span className="attention__time">{m.checkIn(hhmm(a.child.checkInAt, props.timeZone))}</span>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
