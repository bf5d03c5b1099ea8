import { useState } from 'react';
import type { AdminGuardianQr, AdminRoster } from '../../../protocol/admin.ts';
import { issueGuardianQr, revokeGuardianQr } from './api.ts';
import type { PageProps } from './App.tsx';
import { GuardianCardsCell } from './GuardianCardsCell.tsx';
import { GuardianPinCell } from './GuardianPinCell.tsx';
import { ParentAppCell } from './ParentAppCell.tsx';
import { QrCardDialog } from './QrCardDialog.tsx';
import { QrSheetDownload } from './QrSheetDownload.tsx';

/**
 * The current roster's guardians: their children, cards, QR codes (issue, revoke), kiosk PINs and parent
 * app access (invite, suspend); the QR card just issued in a dialog, ready to print; and every card at
 * once as the A4 sheet.
 */
export function GuardiansTable({ roster, m, onFailure }: { roster: AdminRoster } & PageProps) {
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
  const childName = new Map(roster.children.map((c) => [c.id, c.name]));
  const guardianName = new Map(roster.guardians.map((g) => [g.id, g.name]));
  return (
    <>
      <QrSheetDownload roster={roster} m={m} />
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
            <th>{m.parentApp.column}</th>
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
              <td>
                <ParentAppCell guardianId={g.id} guardianName={g.name} m={m} onFailure={onFailure} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {card !== null && (
        <QrCardDialog
          card={card}
          guardianName={guardianName.get(card.guardianId) ?? card.guardianId}
          m={m}
          onClose={() => {
            setCard(null);
          }}
        />
      )}
    </>
  );
}
