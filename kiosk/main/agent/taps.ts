import { credentialHash, verifyGuardianQr, type Credential } from '../../../protocol/index.ts';
import { errorMessage, GenkanError } from '../../../common/errors.ts';
import { newEventId } from '../../../common/ids.ts';
import type { Logger } from '../../../common/logger.ts';
import { formatRfc3339, localDate, type Clock } from '../../../common/time.ts';
import type { CredentialReader } from '../../../hardware/reader.ts';
import { childrenOf, decideForGuardian, type RosterGuardian } from '../../common/decide.ts';
import {
  FEEDBACK_BY_RESULT,
  qrRefusalMessage,
  type TapLine,
  type TapOutcome,
  type TapResult,
} from '../../common/output.ts';
import type { KioskClock } from '../kiosk-clock.ts';
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
}

/**
 * A credential read becomes a decision (check in or out, for which children), recorded in the outbox
 * before the tap line says so, then sent to the hub; the reader signals the result.
 */
export class Taps {
  readonly #o: TapsOptions;
  /** Credential hash → when it was last taken; hashes only, so no card id sits in memory longer than a tap. */
  readonly #lastTaps = new Map<string, number>();

  constructor(options: TapsOptions) {
    this.#o = options;
  }

  /** A credential from a reader: a new card while an enrolment waits for one, else a tap. */
  fromReader(reader: CredentialReader, credential: Credential, log: Logger): void {
    let result: TapResult;
    try {
      // While staff enrol a card, the next card is the new card, not a check-in.
      result = this.#o.enrolment.takeCard(credential, reader.name)
        ? 'ok'
        : this.tap(credential, reader.name).result;
    } catch (err) {
      // A bug, not bad input: keep the kiosk running and keep reading.
      log.error({ err }, 'tap failed');
      result = 'error';
    }
    // After the line is out and the tap committed: the beep never holds either up.
    feedback(reader, result, log);
  }

  tap(credential: Credential, reader: string = API_READER): TapLine {
    const { logger, clock, time, store, facility, openTaps } = this.#o;
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
    const held = facility.roster;
    if (!held) return emit({ type: 'tap', result: 'no_roster' });
    const { roster, index } = held;
    // The kiosk's time (corrected when its clock is off) also decides QR expiry and the business day.
    const reading = time.read();
    const now = reading.at;
    // The debounce runs on the local clock: a held time stands still, and would debounce a card for as
    // long as it is held.
    const local = clock.now();
    const hash = credentialHash(roster.credentialKey, credential);
    if (this.#isDebounced(hash, local)) return emit({ type: 'tap', result: 'debounced', kind });

    let guardian: RosterGuardian | undefined;
    if (kind === 'qr') {
      const verified = verifyGuardianQr(held.qrKey, credential.value, { facilityId: roster.facilityId, now });
      guardian = verified.ok ? index.guardianById.get(verified.guardianId) : undefined;
      if (!guardian) {
        this.#lastTaps.set(hash, local.getTime());
        const reason = verified.ok ? 'unknown_guardian' : verified.reason;
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
        this.#lastTaps.set(hash, local.getTime());
        logger.info({ kind }, 'unknown credential');
        return emit({ type: 'tap', result: 'unknown_credential', kind });
      }
    }
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
    const decision = decideForGuardian({ index, guardian, rollcall: rollcall?.value, ownEvents, now });
    switch (decision.result) {
      case 'no_children': {
        this.#lastTaps.set(hash, local.getTime());
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
    const drafts: EventDraft[] = decision.children.map(({ child, type }) => ({
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
      events = appendStamped(store, time, reading, drafts, local);
    } catch (err) {
      // Nothing was stored (one transaction): say so, so the guardian can tap again.
      logger.error({ err, guardianId: decision.guardian.id }, 'could not record a tap');
      const code = err instanceof GenkanError ? err.code : 'storage_failed';
      return emit({ type: 'tap', result: 'error', kind, code, message: errorMessage(err) });
    }
    this.#lastTaps.set(hash, local.getTime());
    logger.info(
      {
        guardianId: decision.guardian.id,
        events: events.map((e) => ({ id: e.id, childId: e.childId, type: e.type, seq: e.seq })),
        ...clockDoubt(reading),
      },
      'tap recorded',
    );
    const tapId = newEventId();
    openTaps.open({
      tapId,
      guardian: decision.guardian,
      method: kind,
      at: occurredAt,
      children: decision.children.map(({ child, type }, n) => ({
        child,
        className: index.classNameById.get(child.classId) ?? '',
        direction: type,
        eventId: events[n]?.id ?? null,
      })),
      touchedAt: performance.now(),
      closed: false,
      undone: false,
    });
    const line = emit({
      type: 'tap',
      result: 'ok',
      tapId,
      guardian: { id: decision.guardian.id, name: decision.guardian.name },
      events: events.map((e, n) => ({
        id: e.id,
        childId: e.childId,
        childName: decision.children[n]?.child.name ?? '',
        type: decision.children[n]?.type ?? 'check_in',
        seq: e.seq,
      })),
    });
    this.#o.sender.kick();
    this.#o.status.changed();
    return line;
  }

  #isDebounced(hash: string, now: Date): boolean {
    const debounceMs = this.#o.debounceMs;
    if (debounceMs <= 0) return false;
    const t = now.getTime();
    if (this.#lastTaps.size > 1000) {
      for (const [h, at] of this.#lastTaps) if (t - at >= debounceMs) this.#lastTaps.delete(h);
    }
    const last = this.#lastTaps.get(hash);
    // A clock set back makes the difference negative: treat it as a new tap rather than block the card.
    return last !== undefined && t - last >= 0 && t - last < debounceMs;
  }
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
