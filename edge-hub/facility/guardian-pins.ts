import { NotFoundError, ValidationError } from '../../common/errors.ts';
import { hashPassword } from '../../common/passwords.ts';
import type { AuditActorKind } from '../store/audit.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';

/**
 * Guardians' kiosk PINs: the "no card, no phone" fallback at the kiosk (family chooser → PIN pad).
 * The hub stores a slow salted hash only (common/passwords.ts `guardian_pin`) and ships it in the roster;
 * kiosks verify offline (kiosk/main/agent/guardian-pin.ts). Setting or clearing one is audited (without
 * the PIN or its hash) and bumps the roster version, so kiosks reload.
 */

/** 4–8 digits: short enough for a parent to remember, the lockout at the kiosk does the rest. */
export const GUARDIAN_PIN_RE = /^[0-9]{4,8}$/;

export type GuardianPinChangeStore = StoreOf<'roster' | 'guardianPins' | 'audit'> & Transactional;

export interface GuardianPinActor {
  kind: AuditActorKind;
  id: string | null;
}

/** Throws bad_pin_format unless `pin` is 4–8 digits. */
export function checkGuardianPin(pin: string): void {
  if (!GUARDIAN_PIN_RE.test(pin)) {
    throw new ValidationError('bad_pin_format', 'the PIN must be 4 to 8 digits', 'pin');
  }
}

function checkGuardian(store: StoreOf<'roster'>, guardianId: string): void {
  if (!store.roster.read().guardians.some((g) => g.id === guardianId)) {
    throw new NotFoundError('unknown_guardian', `guardian ${guardianId} is not on the roster`);
  }
}

/**
 * Sets a guardian's PIN (replacing any). Throws bad_pin_format or unknown_guardian. The hash is made off
 * the event loop before the transaction (it takes a good part of a second on purpose).
 */
export async function setGuardianPin(
  store: GuardianPinChangeStore,
  guardianId: string,
  pin: string,
  actor: GuardianPinActor,
): Promise<{ replaced: boolean; rosterVersion: number }> {
  checkGuardianPin(pin);
  checkGuardian(store, guardianId);
  const hash = await hashPassword(pin, 'guardian_pin');
  return store.transaction(() => {
    // Again inside: an import meanwhile may have dropped the guardian.
    checkGuardian(store, guardianId);
    const replaced = store.guardianPins.set(guardianId, hash);
    store.audit.append({
      actorKind: actor.kind,
      actorId: actor.id,
      action: 'guardian.pin_set',
      subject: `guardian:${guardianId}`,
      outcome: 'ok',
      after: { replaced },
    });
    return { replaced, rosterVersion: store.roster.rosterVersion() };
  });
}

/** Clears a guardian's PIN; `cleared` is false when there was none (nothing changes then). */
export function clearGuardianPin(
  store: GuardianPinChangeStore,
  guardianId: string,
  actor: GuardianPinActor,
): { cleared: boolean; rosterVersion: number } {
  return store.transaction(() => {
    if (!store.guardianPins.has(guardianId)) {
      checkGuardian(store, guardianId);
      return { cleared: false, rosterVersion: store.roster.rosterVersion() };
    }
    store.guardianPins.set(guardianId, null);
    store.audit.append({
      actorKind: actor.kind,
      actorId: actor.id,
      action: 'guardian.pin_cleared',
      subject: `guardian:${guardianId}`,
      outcome: 'ok',
    });
    return { cleared: true, rosterVersion: store.roster.rosterVersion() };
  });
}
