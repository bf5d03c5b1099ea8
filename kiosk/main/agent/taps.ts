import {
  credentialLookupHash,
  verifyGuardianQr,
  type Credential,
  type Roster,
} from '../../../protocol/index.ts';
import { errorMessage, GenkanError } from '../../../common/errors.ts';
import { newEventId } from '../../../common/ids.ts';
import type { Logger } from '../../../common/logger.ts';
import { formatRfc3339, localDate, type Clock } from '../../../common/time.ts';
import type { CredentialReader } from '../../../hardware/reader.ts';
import {
  childrenOf,
  decideForGuardian,
  type GuardianDecision,
  type RosterGuardian,
} from '../../common/decide.ts';
import {
  FEEDBACK_BY_RESULT,
  qrRefusalMessage,
  type TapLine,
  type TapOutcome,
  type TapMethod,
  type TapResult,
} from '../../common/output.ts';
import {
  alreadyRecordedText,
  bilingual,
  changeText,
  heldText,
  notIncludedText,
  type NamedEvent,
} from '../../common/tap-messages.ts';
import { KIOSK_DEFAULTS } from '../defaults.ts';
import type { RosterHeld } from './facility.ts';
import type { ClockReading, KioskClock } from '../kiosk-clock.ts';
import type { EventDraft, OutboxStore } from '../store/outbox.ts';
import type { OutboxSender } from '../sender.ts';
import type { CardEnrolment } from './enrolment.ts';
import type { FacilityState } from './facility.ts';
import type { KioskLifecycle } from './lifecycle.ts';
import type { OpenTaps } from './open-taps.ts';
import type { KioskOutput } from './output.ts';
import type { StatusPublisher } from './status.ts';
import { appendStamped, clockDoubt, type StampStore } from './time.ts';

/** The reader name of tap lines from Kiosk.tap() called without one. */
export const API_READER = 'api';

export interface TapsOptions {
  deviceId: string;
  logger: Logger;
  clock: Clock;
  time: KioskClock;
  store: StampStore & { readonly outbox: Pick<OutboxStore, 'dayEventsFor'> };
  facility: FacilityState;
  output: Pick<KioskOutput, 'emit'>;
  sender: Pick<OutboxSender, 'kick'>;
  status: Pick<StatusPublisher, 'changed'>;
  lifecycle: Pick<KioskLifecycle, 'closed'>;
  openTaps: Pick<OpenTaps, 'open'>;
  enrolment: Pick<CardEnrolment, 'takeCard'>;
  /** The same credential again within this window is ignored; 0 turns debouncing off. */
  debounceMs: number;
  /** Overrides the roster's reversal guard (ms; 0: off); undefined: the roster's, else the default. */
  reversalGuardMs?: number | undefined;
}

/** What recording a known guardian's tap needs from the tap that identified them. */
interface RecordInput {
  held: RosterHeld;
  guardian: RosterGuardian;
  method: TapMethod;
  reading: ClockReading;
  local: Date;
  /** The credential's keyed hash, remembered for the debounce; null for a PIN. */
  hash: string | null;
  emit: (outcome: TapOutcome) => TapLine;
}

/** When a credential was last taken, and whose it was (for "already recorded: who and when"). */
interface LastTap {
  at: number;
  guardianId: string | undefined;
}

/**
 * A credential read becomes a decision (check in or out, for which children), recorded in the outbox
 * before the tap line says so, then sent to the hub; the reader signals the result.
 */
export class Taps {
  readonly #o: TapsOptions;
  /** Credential hash → when it was last taken; hashes only, so no card id sits in memory longer than a tap. */
  readonly #lastTaps = new Map<string, LastTap>();
  /**
   * The taps in hand, one after the other: a card's hash is computed off the event loop (tens of ms), and
   * a later tap must not overtake an earlier one.
   */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: TapsOptions) {
    this.#o = options;
  }

  /** A credential from a reader: a new card while an enrolment waits for one, else a tap. */
  fromReader(reader: CredentialReader, credential: Credential, log: Logger): void {
    void this.#inOrder(async () => {
      let result: TapResult;
      try {
        // While staff enrol a card, the next card is the new card, not a check-in.
        result = this.#o.enrolment.takeCard(credential, reader.name)
          ? 'ok'
          : (await this.#tap(credential, reader.name)).result;
      } catch (err) {
        // A bug, not bad input: keep the kiosk running and keep reading.
        log.error({ err }, 'tap failed');
        result = 'error';
      }
      // After the line is out and the tap committed: the beep never holds either up.
      feedback(reader, result, log);
    });
  }

  tap(credential: Credential, reader: string = API_READER): Promise<TapLine> {
    return this.#inOrder(() => this.#tap(credential, reader));
  }

  /** Resolves once every tap taken so far is done (the kiosk's close waits for it). */
  idle(): Promise<void> {
    return this.#queue.then(() => undefined);
  }

  #inOrder<T>(work: () => Promise<T>): Promise<T> {
    const done = this.#queue.then(work);
    this.#queue = done.catch(() => undefined);
    return done;
  }

  /** A tap's lookup: the one slow hash, off the event loop, then the decision on the roster it was made for. */
  async #tap(credential: Credential, reader: string): Promise<TapLine> {
    let held = this.#o.facility.roster;
    if (held === undefined || this.#o.lifecycle.closed) return this.#decideTap(credential, reader, held, '');
    let hash = await credentialLookupHash(held.roster, credential);
    const current = this.#o.facility.roster;
    // A roster that arrived meanwhile may hash otherwise (a hub just past migration 17): hash for it.
    if (current !== undefined && current !== held) {
      if (!sameHashing(current.roster, held.roster)) {
        hash = await credentialLookupHash(current.roster, credential);
      }
      held = current;
    }
    return this.#decideTap(credential, reader, held, hash);
  }

  /** The rest of a tap, synchronous: `hash` is the credential's as `held` makes it. */
  #decideTap(credential: Credential, reader: string, held: RosterHeld | undefined, hash: string): TapLine {
    const { logger, clock, time } = this.#o;
    const kind = credential.kind;
    if (this.#o.lifecycle.closed) {
      return {
        type: 'tap',
        result: 'error',
        kind,
        code: 'closed',
        message: 'the kiosk is shutting down',
        reader,
      };
    }
    const emit = (outcome: TapOutcome): TapLine => {
      const line: TapLine = { ...outcome, reader };
      this.#o.output.emit(line);
      return line;
    };
    if (!held) return emit({ type: 'tap', result: 'no_roster' });
    const { roster, index } = held;
    // The kiosk's time (corrected when its clock is off) also decides QR expiry and the business day.
    const reading = time.read();
    const now = reading.at;
    // The debounce runs on the local clock: a held time stands still, and would debounce a card for as
    // long as it is held.
    const local = clock.now();
    const repeated = this.#debounced(hash, local);
    if (repeated) return emit(this.#alreadyRecorded(held, repeated, kind, now));

    let guardian: RosterGuardian | undefined;
    if (kind === 'qr') {
      const verified = verifyGuardianQr(held.qrKey, credential.value, { facilityId: roster.facilityId, now });
      guardian = verified.ok ? index.guardianById.get(verified.guardianId) : undefined;
      // A code issued before the guardian's codes were revoked (`genkan qr revoke`): an older generation.
      const revoked =
        verified.ok && guardian !== undefined && verified.generation < (guardian.qrGeneration ?? 0);
      if (!guardian || revoked) {
        this.#remember(hash, local);
        const reason = revoked ? 'revoked' : verified.ok ? 'unknown_guardian' : verified.reason;
        // The reason only: the payload names a guardian, and a forged one may carry anything.
        logger.info({ reason }, 'QR code refused');
        return emit({
          type: 'tap',
          result: 'refused_qr',
          reason,
          message: qrRefusalMessage(reason),
        });
      }
    } else {
      guardian = index.guardianByCredential.get(hash);
      if (!guardian) {
        this.#remember(hash, local);
        logger.info({ kind }, 'unknown credential');
        return emit({ type: 'tap', result: 'unknown_credential', kind });
      }
    }
    return this.#record({ held, guardian, method: kind, reading, local, hash, emit });
  }

  /**
   * A guardian who proved who they are at the screen (the family chooser's PIN, checked by
   * agent/guardian-pin.ts): the same decision and recording as a card's tap, with method `pin`.
   */
  forGuardian(guardian: RosterGuardian, reader: string): TapLine {
    const emit = (outcome: TapOutcome): TapLine => {
      const line: TapLine = { ...outcome, reader };
      this.#o.output.emit(line);
      return line;
    };
    if (this.#o.lifecycle.closed) {
      return emit({
        type: 'tap',
        result: 'error',
        kind: 'pin',
        code: 'closed',
        message: 'the kiosk is shutting down',
      });
    }
    const held = this.#o.facility.roster;
    if (!held) return emit({ type: 'tap', result: 'no_roster' });
    const reading = this.#o.time.read();
    return this.#record({
      held,
      guardian,
      method: 'pin',
      reading,
      local: this.#o.clock.now(),
      hash: null,
      emit,
    });
  }

  /** A known guardian's tap: decided, recorded, announced. `hash`: the credential's for the debounce. */
  #record(input: RecordInput): TapLine {
    const { logger, time, store, openTaps } = this.#o;
    const { held, guardian, method: kind, reading, local, hash, emit } = input;
    const { roster, index } = held;
    const now = reading.at;
    const decision = this.#decide(held, guardian, now);
    switch (decision.result) {
      case 'no_children': {
        this.#remember(hash, local);
        const g = decision.guardian;
        logger.warn({ guardianId: g.id }, 'guardian has no child on the roster');
        return emit({
          type: 'tap',
          result: 'no_children',
          kind,
          guardian: { id: g.id, name: g.name },
        });
      }
      case 'ok':
        break;
    }
    const occurredAt = formatRfc3339(now, roster.timeZone);
    // Only the included children are recorded: a differing sibling waits for a touch, a held tap for one.
    const recorded = decision.children.filter((c) => c.included);
    const drafts: EventDraft[] = recorded.map(({ child, type }) => ({
      id: newEventId(),
      type,
      childId: child.id,
      occurredAt,
      deviceId: this.#o.deviceId,
      method: kind,
      actor: decision.guardian.id,
      ...clockDoubt(reading),
    }));
    let events;
    try {
      events = drafts.length > 0 ? appendStamped(store, time, reading, drafts, local) : [];
    } catch (err) {
      // Nothing was stored (one transaction): say so, so the guardian can tap again.
      logger.error({ err, guardianId: decision.guardian.id }, 'could not record a tap');
      const code = err instanceof GenkanError ? err.code : 'storage_failed';
      return emit({ type: 'tap', result: 'error', kind, code, message: errorMessage(err) });
    }
    this.#remember(hash, local, decision.guardian.id);
    logger.info(
      {
        guardianId: decision.guardian.id,
        events: events.map((e) => ({ id: e.id, childId: e.childId, type: e.type, seq: e.seq })),
        held: decision.held,
        ...clockDoubt(reading),
      },
      decision.held ? 'tap held by the reversal guard' : 'tap recorded',
    );
    const tapId = newEventId();
    openTaps.open({
      tapId,
      guardian: decision.guardian,
      method: kind,
      at: occurredAt,
      children: decision.children.map(({ child, type, last, reversal }) => ({
        child,
        className: index.classNameById.get(child.classId) ?? '',
        direction: type,
        eventId: events[recorded.findIndex((r) => r.child.id === child.id)]?.id ?? null,
        last,
        reversal,
      })),
      direction: decision.direction,
      held: decision.held,
      touchedAt: performance.now(),
      closed: false,
      undone: false,
    });
    const guardianRef = { id: decision.guardian.id, name: decision.guardian.name };
    const line = emit(
      decision.held
        ? {
            type: 'tap',
            result: 'needs_confirm',
            tapId,
            guardian: guardianRef,
            children: decision.children.map(({ child, type, last }) => ({
              childId: child.id,
              childName: child.name,
              type,
              earlier: last ?? null,
            })),
            message: bilingual((locale) =>
              heldText(
                decision.children.flatMap((c) =>
                  c.reversal && c.last ? [{ name: c.child.name, ...c.last }] : [],
                ),
                decision.direction,
                roster.timeZone,
                locale,
              ),
            ),
          }
        : {
            type: 'tap',
            result: 'ok',
            tapId,
            guardian: guardianRef,
            events: events.map((e, n) => ({
              id: e.id,
              childId: e.childId,
              childName: recorded[n]?.child.name ?? '',
              type: recorded[n]?.type ?? 'check_in',
              seq: e.seq,
            })),
            ...okExtras(decision),
          },
    );
    if (events.length > 0) {
      this.#o.sender.kick();
      this.#o.status.changed();
    }
    return line;
  }

  /** The decision for a guardian: the roster, the roll-call in hand and this kiosk's own events today. */
  #decide(held: RosterHeld, guardian: RosterGuardian, now: Date): GuardianDecision {
    const { store, facility } = this.#o;
    const { roster, index } = held;
    const today = localDate(now, roster.timeZone);
    const rollcall = facility.rollcall;
    const ownEvents = store.outbox.dayEventsFor(
      childrenOf(index, guardian).map((c) => c.id),
      {
        date: today,
        timeZone: roster.timeZone,
        // Acknowledged events the roll-call in hand was received after are already in it.
        ackedSince: rollcall?.value.date === today ? rollcall.receivedAt : null,
      },
    );
    const guard = roster.reversalGuardMinutes;
    const reversalGuardMs =
      this.#o.reversalGuardMs ?? (guard !== undefined ? guard * 60_000 : KIOSK_DEFAULTS.reversalGuardMs);
    return decideForGuardian({ index, guardian, rollcall: rollcall?.value, ownEvents, now, reversalGuardMs });
  }

  /** "Already recorded": the guardian's children and their latest event today, when the guardian is known. */
  #alreadyRecorded(held: RosterHeld, repeated: LastTap, kind: Credential['kind'], now: Date): TapOutcome {
    const guardian =
      repeated.guardianId === undefined ? undefined : held.index.guardianById.get(repeated.guardianId);
    const decision = guardian && this.#decide(held, guardian, now);
    if (decision?.result !== 'ok') return { type: 'tap', result: 'debounced', kind };
    const children = decision.children.flatMap(({ child, last }) =>
      last ? [{ childId: child.id, childName: child.name, type: last.type, at: last.at }] : [],
    );
    const named: NamedEvent[] = children.map((c) => ({ name: c.childName, type: c.type, at: c.at }));
    return {
      type: 'tap',
      result: 'debounced',
      kind,
      children,
      ...(named.length > 0 && {
        message: bilingual((locale) => alreadyRecordedText(named, held.roster.timeZone, locale)),
      }),
    };
  }

  #remember(hash: string | null, local: Date, guardianId?: string): void {
    // A PIN tap has no credential to debounce: the PIN pad is not left on the reader.
    if (hash === null) return;
    this.#lastTaps.set(hash, { at: local.getTime(), guardianId });
  }

  /** The earlier tap of this credential when this one repeats it within the debounce window. */
  #debounced(hash: string, now: Date): LastTap | undefined {
    const debounceMs = this.#o.debounceMs;
    if (debounceMs <= 0) return undefined;
    const t = now.getTime();
    if (this.#lastTaps.size > 1000) {
      for (const [h, last] of this.#lastTaps) if (t - last.at >= debounceMs) this.#lastTaps.delete(h);
    }
    const last = this.#lastTaps.get(hash);
    // A clock set back makes the difference negative: treat it as a new tap rather than block the card.
    return last !== undefined && t - last.at >= 0 && t - last.at < debounceMs ? last : undefined;
  }
}

/** The ok line's siblings left for a touch, and its words. */
function okExtras(decision: Extract<GuardianDecision, { result: 'ok' }>): {
  notIncluded?: { childId: string; childName: string; type: 'check_in' | 'check_out' }[];
  message: string;
} {
  const recorded = decision.children.filter((c) => c.included).map((c) => c.child.name);
  const apart = decision.children.filter((c) => !c.included);
  const notIncluded = apart.map((c) => ({ childId: c.child.id, childName: c.child.name, type: c.type }));
  const message = bilingual((locale) => {
    const parts = [changeText({ kind: 'recorded', names: recorded, type: decision.direction }, locale)];
    for (const type of ['check_in', 'check_out'] as const) {
      const names = apart.filter((c) => c.type === type).map((c) => c.child.name);
      if (names.length > 0) parts.push(notIncludedText(names, type, locale));
    }
    return parts.join(locale === 'ja' ? '。' : '. ');
  });
  return { ...(notIncluded.length > 0 && { notIncluded }), message };
}

/**
 * Signals the outcome on the reader's own LED/buzzer, if it has one. Fire and forget: a reader that
 * fails to beep is logged and otherwise ignored, the tap stands either way.
 */
function feedback(reader: CredentialReader, result: TapResult, log: Logger): void {
  if (!reader.feedback) return;
  const signal = FEEDBACK_BY_RESULT[result];
  const failed = (err: unknown) => {
    log.warn({ signal, reason: errorMessage(err) }, 'reader feedback failed');
  };
  try {
    reader.feedback(signal).catch(failed);
  } catch (err) {
    // The interface says feedback never throws; a reader that does must still not stop the kiosk.
    failed(err);
  }
}

function sameHashing(a: Roster, b: Roster): boolean {
  return a.credentialKey === b.credentialKey && JSON.stringify(a.cardHash) === JSON.stringify(b.cardHash);
}
