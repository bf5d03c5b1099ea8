import { NotFoundError } from '../../common/errors.ts';
import { ErrorCodes } from '../../protocol/errors.ts';
import type { AuditActorKind } from '../store/audit.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import type { GuardianCard } from '../store/revocations.ts';
import { cardCredentialOf } from './card-hash.ts';

/**
 * Revoking what a guardian presents at the kiosk: a lost card (`genkan card remove`, the admin app) and
 * every QR code issued so far (`genkan qr revoke`). Each change bumps the roster version, so a running hub
 * republishes the roster within its poll (~2 s) and kiosks refuse the card or code from then on. Audited
 * with the card's keyed hash at most, never the card number or a QR payload.
 */

export type RevocationStoreOf = StoreOf<'facility' | 'roster' | 'revocations' | 'audit'> & Transactional;

export interface RevocationActor {
  kind: AuditActorKind;
  id: string | null;
}

export interface CardRemoved {
  removed: true;
  guardianId: string;
  rosterVersion: number;
}

export interface QrRevoked {
  revoked: true;
  guardianId: string;
  /** The guardian's QR generation from now on: codes of an earlier one are refused. */
  qrGeneration: number;
  rosterVersion: number;
}

function checkGuardian(store: StoreOf<'roster'>, guardianId: string): void {
  if (!store.roster.read().guardians.some((g) => g.id === guardianId)) {
    throw new NotFoundError('unknown_guardian', `guardian ${guardianId} is not on the roster`);
  }
}

function unknownCard(): NotFoundError {
  return new NotFoundError(ErrorCodes.unknownCard, 'no guardian holds this card');
}

/**
 * Removes the card with this keyed hash from whoever holds it; `guardianId`, when given, must be that
 * guardian (the admin app removes a card it listed for a guardian). Throws unknown_card (nothing changes).
 */
export function removeCardByHash(
  store: RevocationStoreOf,
  hash: string,
  actor: RevocationActor,
  guardianId?: string,
): CardRemoved {
  return store.transaction(() => {
    const removed = store.revocations.removeCard(hash);
    // Thrown inside the transaction: what removeCard changed is rolled back.
    if (removed === undefined) throw unknownCard();
    if (guardianId !== undefined && removed.guardianId !== guardianId) throw unknownCard();
    store.audit.append({
      actorKind: actor.kind,
      actorId: actor.id,
      action: 'card.remove',
      subject: `guardian:${removed.guardianId}`,
      outcome: 'ok',
      // The keyed hash, never the card number: enough to tell which card it was, as enrolment audits do.
      before: { credentialHash: hash, from: removed.removedFrom },
    });
    return { removed: true, guardianId: removed.guardianId, rosterVersion: store.roster.rosterVersion() };
  });
}

/** Removes a card given by its number (hex, as a reader or a person writes it). Throws bad_card, unknown_card. */
export async function removeCard(
  store: RevocationStoreOf,
  uid: string,
  actor: RevocationActor,
): Promise<CardRemoved> {
  const hash = await cardCredentialOf(store, uid);
  return removeCardByHash(store, hash, actor);
}

/** A guardian's cards on the live roster (keyed hashes). Throws unknown_guardian. */
export function guardianCards(store: StoreOf<'roster' | 'revocations'>, guardianId: string): GuardianCard[] {
  checkGuardian(store, guardianId);
  return store.revocations.cardsOf(guardianId);
}

/**
 * Revokes every QR code issued to the guardian so far: their QR generation moves on, kiosks refuse codes
 * of an earlier one from their next roster, and codes issued from now on carry the new one. Throws
 * unknown_guardian.
 */
export function revokeGuardianQr(
  store: RevocationStoreOf,
  guardianId: string,
  actor: RevocationActor,
): QrRevoked {
  return store.transaction(() => {
    checkGuardian(store, guardianId);
    const before = store.revocations.qrGeneration(guardianId);
    const qrGeneration = store.revocations.revokeQr(guardianId);
    store.audit.append({
      actorKind: actor.kind,
      actorId: actor.id,
      action: 'qr.revoke',
      subject: `guardian:${guardianId}`,
      outcome: 'ok',
      before: { qrGeneration: before },
      after: { qrGeneration },
    });
    return { revoked: true, guardianId, qrGeneration, rosterVersion: store.roster.rosterVersion() };
  });
}
