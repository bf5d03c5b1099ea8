import { useState } from 'react';
import type { AdminGuardianCards } from '../../../protocol/admin.ts';
import { getGuardianCards, removeGuardianCard } from './api.ts';
import type { PageProps } from './App.tsx';

/** The first characters of a card's keyed hash: enough to tell a guardian's cards apart on screen. */
const SHORT_HASH = 8;

/**
 * A guardian's cards in the roster's guardian table: how many, and on demand the list (keyed hashes only,
 * never card numbers) with a button to remove a lost one after a confirmation. Hooks: `guardian-cards`
 * (attribute `data-count`), `guardian-cards-show`, `guardian-card` (attribute `data-credential`),
 * `guardian-card-remove`, each with `data-guardian-id`.
 */
export function GuardianCardsCell({
  guardianId,
  guardianName,
  initial,
  m,
  onFailure,
}: { guardianId: string; guardianName: string; initial: number } & PageProps) {
  const t = m.roster.guardianCards;
  const [count, setCount] = useState(initial);
  const [cards, setCards] = useState<AdminGuardianCards['cards'] | null>(null);
  const [busy, setBusy] = useState(false);

  const toggle = async (): Promise<void> => {
    if (cards !== null) {
      setCards(null);
      return;
    }
    setBusy(true);
    const result = await getGuardianCards(guardianId);
    setBusy(false);
    if (result.ok) {
      setCards(result.value.cards);
      setCount(result.value.cards.length);
    } else onFailure(result.failure);
  };

  const remove = async (credential: string): Promise<void> => {
    if (!window.confirm(t.confirmRemove(guardianName))) return;
    setBusy(true);
    const result = await removeGuardianCard(guardianId, credential);
    setBusy(false);
    if (!result.ok) {
      onFailure(result.failure);
      return;
    }
    const rest = (cards ?? []).filter((c) => c.credential !== credential);
    setCards(rest);
    setCount(rest.length);
  };

  return (
    <span
      className="guardian-cards"
      data-testid="guardian-cards"
      data-guardian-id={guardianId}
      data-count={count}
    >
      <span>{count}</span>{' '}
      <button
        type="button"
        data-testid="guardian-cards-show"
        data-guardian-id={guardianId}
        disabled={busy || (count === 0 && cards === null)}
        onClick={() => {
          void toggle();
        }}
      >
        {cards === null ? t.show : t.hide}
      </button>
      {cards !== null && (
        <ul>
          {cards.length === 0 && <li>{t.none}</li>}
          {cards.map((c) => (
            <li
              key={c.credential}
              data-testid="guardian-card"
              data-guardian-id={guardianId}
              data-credential={c.credential}
            >
              <code>{c.credential.slice(0, SHORT_HASH)}…</code> {t.source[c.source]}
              {c.enrolledAt !== null && ` (${c.enrolledAt.slice(0, 10)})`}{' '}
              <button
                type="button"
                data-testid="guardian-card-remove"
                data-guardian-id={guardianId}
                disabled={busy}
                onClick={() => {
                  void remove(c.credential);
                }}
              >
                {t.remove}
              </button>
            </li>
          ))}
        </ul>
      )}
    </span>
  );
}
