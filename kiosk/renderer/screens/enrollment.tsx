import { useMemo, useState } from 'react';
import {
  UI_TEST_IDS,
  type GenkanKioskApi,
  type GuardianChoice,
  type MaintenanceView,
} from '../../common/ui-api.ts';
import type { Messages } from '../messages.ts';
import { filterGuardians } from '../view.ts';
import { CardIcon } from './icons.tsx';

/** Card enrolment on the maintenance screen: pick a guardian, then their new card is tapped. */

function GuardianPicker({
  guardians,
  m,
  onChoose,
}: {
  guardians: readonly GuardianChoice[];
  m: Messages;
  onChoose: (guardian: GuardianChoice) => void;
}) {
  const [query, setQuery] = useState('');
  const shown = useMemo(() => filterGuardians(guardians, query), [guardians, query]);
  return (
    <>
      <input
        className="search"
        data-testid={UI_TEST_IDS.guardianSearch}
        type="search"
        autoComplete="off"
        placeholder={m.staff.search}
        aria-label={m.staff.search}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
        }}
      />
      {shown.length === 0 ? (
        <p className="panel__empty">{guardians.length === 0 ? m.staff.noGuardians : m.staff.noMatch}</p>
      ) : (
        <ul className="guardians">
          {shown.map((g) => (
            <li key={g.id}>
              <button
                type="button"
                className="guardian"
                data-testid={UI_TEST_IDS.guardianChoice}
                data-guardian-id={g.id}
                onClick={() => {
                  onChoose(g);
                }}
              >
                <span className="guardian__text">
                  <span className="guardian__name">{g.name}</span>
                  <span className="guardian__children">
                    {g.children.map((c) => (c.kana === '' ? c.name : `${c.name}（${c.kana}）`)).join('、')}
                  </span>
                </span>
                <span className="guardian__cards">{m.staff.cards(g.cards)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function Enrollment({ view, api, m }: { view: MaintenanceView; api: GenkanKioskApi; m: Messages }) {
  const [startError, setStartError] = useState<string | null>(null);
  const { enrollment } = view;
  const status = enrollment.status;
  return (
    <section
      className={`panel enroll enroll--${status}`}
      data-testid={UI_TEST_IDS.enrollmentStatus}
      data-status={status}
    >
      <h2 className="panel__title">{m.staff.enrollTitle}</h2>
      {status === 'idle' ? (
        <>
          <p className="panel__sub">{m.staff.enrollSub}</p>
          {startError !== null && (
            <p className="enroll__error" role="alert">
              {startError}
            </p>
          )}
          <GuardianPicker
            guardians={view.guardians}
            m={m}
            onChoose={(g) => {
              setStartError(null);
              void api.startEnrollment(g.id).then((reply) => {
                if (!reply.ok) setStartError(m.staff.enrollError(reply.code));
              });
            }}
          />
        </>
      ) : (
        <div className="enroll__panel" role="status" aria-live="polite">
          {status === 'waiting_card' && <CardIcon />}
          {status === 'sending' && <span className="spinner" aria-hidden="true" />}
          {status === 'done' && (
            <span className="mark mark--done" aria-hidden="true">
              ✓
            </span>
          )}
          {status === 'failed' && (
            <span className="mark mark--failed" aria-hidden="true">
              !
            </span>
          )}
          <p className="enroll__title">{m.staff.enrollStatus[status]}</p>
          {enrollment.guardianName !== undefined && (
            <p className="enroll__who">
              {status === 'done'
                ? m.staff.enrolledFor(enrollment.guardianName)
                : status === 'failed'
                  ? m.staff.enrollGuardian(enrollment.guardianName)
                  : m.staff.enrollFor(enrollment.guardianName)}
            </p>
          )}
          <p className="enroll__body">
            {status === 'done'
              ? m.staff.enrollDone
              : status === 'failed'
                ? m.staff.enrollError(enrollment.code ?? 'error')
                : m.staff.enrollHint}
          </p>
          <button
            type="button"
            className={`btn ${status === 'done' ? 'btn--primary' : 'btn--secondary'}`}
            onClick={() => {
              void api.cancelEnrollment();
            }}
          >
            {status === 'done' || status === 'failed' ? m.staff.enrollBack : m.staff.enrollCancel}
          </button>
        </div>
      )}
    </section>
  );
}
