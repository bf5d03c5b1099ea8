import { useCallback, useEffect, useState, type Dispatch, type ReactNode } from 'react';
import { KANA_ROWS, type KanaRow } from '../../common/kana-rows.ts';
import { UI_TEST_IDS, type FamilyChoice, type GenkanKioskApi } from '../../common/ui-api.ts';
import type { Messages } from '../messages.ts';
import type { Action } from '../state.ts';
import { useIdleClose } from '../use-idle-close.ts';
import { FamilyActions } from './family-actions.tsx';
import { GuardianPinPad } from './guardian-pin-pad.tsx';

/**
 * "No card, no phone": the idle screen's button, then the family chooser — a kana row, then the guardian
 * (with the children's names), then the guardian's PIN (guardian-pin-pad.tsx). The agent sends the
 * guardians on every opening, so a new roster or lockout is always seen.
 */

/** The chooser closes itself when left alone this long (the parent walked away). */
const FAMILY_IDLE_MS = 60_000;

export function NoCardButton({ m, dispatch }: { m: Messages; dispatch: Dispatch<Action> }) {
  return (
    <button
      type="button"
      className="btn btn--secondary no-card"
      data-testid={UI_TEST_IDS.noCard}
      onClick={() => {
        dispatch({ type: 'open_family' });
      }}
    >
      {m.family.button}
    </button>
  );
}

type Step =
  | { readonly kind: 'rows' }
  | { readonly kind: 'guardians'; readonly row: KanaRow }
  | { readonly kind: 'pin'; readonly row: KanaRow; readonly guardian: FamilyChoice };

export function FamilyChooser({
  families,
  api,
  m,
  dispatch,
  header,
}: {
  families: readonly FamilyChoice[] | null;
  api: GenkanKioskApi;
  m: Messages;
  dispatch: Dispatch<Action>;
  header: ReactNode;
}) {
  const f = m.family;
  const [step, setStep] = useState<Step>({ kind: 'rows' });
  const [notice, setNotice] = useState<string | null>(null);
  const [touched, setTouched] = useState(0);
  const touch = useCallback(() => {
    setTouched((n) => n + 1);
  }, []);

  useEffect(() => {
    void api.openFamilies();
  }, [api]);

  const go = (next: Step): void => {
    setStep(next);
    setNotice(null);
    touch();
  };

  // Every touch (a new step too) restarts the idle timer.
  useIdleClose(dispatch, 'close_family', FAMILY_IDLE_MS, touched);

  let body: ReactNode;
  switch (step.kind) {
    case 'rows':
      body = (
        <>
          <div className="pin__head">
            <h1 className="pin__title">{f.rowsTitle}</h1>
            <p className="pin__sub">{f.rowsSub}</p>
          </div>
          <div className="family__rows">
            {KANA_ROWS.map((row) => (
              <button
                key={row}
                type="button"
                className="btn btn--secondary family__row"
                data-testid={UI_TEST_IDS.kanaRow}
                data-kana-row={row}
                onClick={() => {
                  go({ kind: 'guardians', row });
                }}
              >
                {f.rowLabel(row)}
              </button>
            ))}
          </div>
        </>
      );
      break;
    case 'guardians': {
      const inRow = (families ?? []).filter((g) => g.row === step.row);
      body = (
        <>
          <div className="pin__head">
            <h1 className="pin__title">{f.guardiansTitle(step.row)}</h1>
          </div>
          <div className="family__list">
            {families === null && <p className="pin__sub">{f.loading}</p>}
            {families !== null && inRow.length === 0 && <p className="pin__sub">{f.noGuardians}</p>}
            {inRow.map((g) => (
              <button
                key={g.id}
                type="button"
                className={`btn btn--secondary family__guardian${g.pin ? '' : ' family__guardian--nopin'}`}
                data-testid={UI_TEST_IDS.familyGuardian}
                data-guardian-id={g.id}
                data-pin={g.pin}
                onClick={() => {
                  if (!g.pin) {
                    setNotice(f.noPin);
                    touch();
                  } else if (g.lockedUntil !== null) {
                    setNotice(f.locked);
                    touch();
                  } else go({ kind: 'pin', row: step.row, guardian: g });
                }}
              >
                <span className="family__name">{g.name}</span>
                <span className="family__children">{f.childrenOf(g.children.map((c) => c.name))}</span>
                {!g.pin && <span className="family__note">{f.noPin}</span>}
                {g.pin && g.lockedUntil !== null && <span className="family__note">{f.locked}</span>}
              </button>
            ))}
          </div>
          <p className="pin__error" role="alert">
            {notice ?? ''}
          </p>
        </>
      );
      break;
    }
    case 'pin':
      body = (
        <GuardianPinPad
          key={step.guardian.id}
          guardian={step.guardian}
          api={api}
          m={m}
          dispatch={dispatch}
          onActivity={touch}
          onBack={() => {
            // A lockout may have started: read the list again.
            void api.openFamilies();
            go({ kind: 'guardians', row: step.row });
          }}
        />
      );
      break;
  }

  return (
    <section className="staff family" data-testid={UI_TEST_IDS.familyChooser} data-step={step.kind}>
      {header}
      {step.kind === 'pin' ? (
        body
      ) : (
        <div className="pin__body family__body">
          {body}
          <FamilyActions
            m={m}
            dispatch={dispatch}
            onBack={
              step.kind === 'guardians'
                ? () => {
                    go({ kind: 'rows' });
                  }
                : undefined
            }
          />
        </div>
      )}
    </section>
  );
}
