import type { CredentialKind } from '../../protocol/credentials.ts';
import type { EventType } from '../../protocol/schemas.ts';
import type { FeedbackSignal } from '../../hardware/reader.ts';
import type { QrRefusal } from '../../protocol/qr.ts';
import { QR_REFUSAL_MESSAGES, type QrRefusalReason } from './messages.ts';

/**
 * The kiosk agent's output: one JSON object per line on stdout in headless mode, and what a screen
 * shows. Shared here so that any environment (agent, renderer) reads the same shapes.
 */

/** Emitted exactly once: a roster is held (cached or from the hub) and the readers are open. */
export interface ReadyLine {
  ready: true;
  device: string;
  facility: string;
  rosterVersion: number;
  /** Events not yet acknowledged by the hub. */
  outbox: number;
  /** The kiosk screen's address in browser mode (with its per-launch token). */
  ui?: string;
}

export interface TapEventLine {
  id: string;
  childId: string;
  childName: string;
  type: 'check_in' | 'check_out';
  seq: number;
}

/** A child of a tap that was not recorded by it, with the child's own next step. */
export interface TapChildLine {
  childId: string;
  childName: string;
  type: 'check_in' | 'check_out';
}

/** How a tap identified the guardian: a credential, or the family chooser's PIN (no card, no phone). */
export type TapMethod = CredentialKind | 'pin';

export interface GuardianRef {
  id: string;
  name: string;
}

/** A tap's outcome, without the reader it came from. */
export type TapOutcome =
  /**
   * Recorded: every event is committed to the outbox before this line is written. `tapId` names the tap
   * for amendments (Kiosk.amend) while its screen is up.
   */
  | {
      type: 'tap';
      result: 'ok';
      tapId: string;
      guardian: GuardianRef;
      events: TapEventLine[];
      /** Siblings whose own next step differs from the tap's: shown, recorded only if touched. */
      notIncluded?: TapChildLine[];
      /** What happened, for a person reading the line (Japanese / English). */
      message?: string;
    }
  /**
   * Held by the reversal guard: a child's event of a few minutes ago would be reversed, so nothing was
   * recorded; the screen asks, and only a touch records (an amend line then).
   */
  | {
      type: 'tap';
      result: 'needs_confirm';
      tapId: string;
      guardian: GuardianRef;
      children: (TapChildLine & { earlier: { type: 'check_in' | 'check_out'; at: string } | null })[];
      message: string;
    }
  /** No roster yet (first start with the hub unreachable): nothing can be looked up. */
  | { type: 'tap'; result: 'no_roster' }
  /** The same credential again within the debounce window: ignored. */
  | {
      type: 'tap';
      result: 'debounced';
      kind: CredentialKind;
      /** The guardian's children and their latest event today, when known. */
      children?: (TapChildLine & { at: string })[];
      message?: string;
    }
  | { type: 'tap'; result: 'unknown_credential'; kind: CredentialKind }
  /** A known guardian none of whose children is on the roster: nothing recorded. */
  | { type: 'tap'; result: 'no_children'; kind: TapMethod; guardian: GuardianRef }
  /**
   * A QR code refused before any lookup or recording: nothing was stored. `reason` is the contract;
   * `message` is for the parent (QR_REFUSAL_MESSAGES).
   */
  | { type: 'tap'; result: 'refused_qr'; reason: QrRefusalReason; message: string }
  /** The tap could not be recorded (e.g. the disk failed): nothing was stored; the person may retry. */
  | { type: 'tap'; result: 'error'; kind: TapMethod; code: string; message: string };

/**
 * A tap output line: the outcome and the name of the reader that read the credential (`stdin`, `pcsc`,
 * …; `api` for Kiosk.tap without a reader). The debounce is per credential across all readers, so a
 * `debounced` line may name another reader than the tap it repeats.
 */
export type TapLine = TapOutcome & { reader: string };

export type TapResult = TapLine['result'];

/**
 * What the reader's own LED/buzzer (CredentialReader.feedback) and the kiosk's sounds signal per outcome:
 * only a recorded tap is `accepted`; anything the person should notice and act on is `refused`, and a
 * tap that could not be stored is `error` (tap again).
 */
export const FEEDBACK_BY_RESULT: Readonly<Record<TapResult, FeedbackSignal>> = {
  ok: 'accepted',
  needs_confirm: 'refused',
  no_roster: 'refused',
  debounced: 'refused',
  unknown_credential: 'refused',
  no_children: 'refused',
  refused_qr: 'refused',
  error: 'error',
};

/** Why a QR code was refused: the checks of protocol/qr.ts, a guardian not on the roster, a revoked code. */
export type { QrRefusalReason } from './messages.ts';

// The renderer-safe list in messages.ts must name exactly the refusals protocol/qr.ts can return.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const QR_REASONS_MATCH: Same<QrRefusal | 'unknown_guardian' | 'revoked', QrRefusalReason> = true;

/** The tap line's message: Japanese first, then English, for a screen that shows one line. */
export function qrRefusalMessage(reason: QrRefusalReason): string {
  const m = QR_REFUSAL_MESSAGES[reason];
  return `${m.ja} / ${m.en}`;
}

/** An event recorded by an amendment: a void, or the tap's event recorded again (other direction). */
export interface AmendEventLine {
  id: string;
  childId: string;
  type: EventType;
  /** The event a void removes. */
  voids?: string;
  seq: number;
}

export type AmendOp = 'set_included' | 'undo' | 'flip' | 'confirm';

/**
 * A recorded tap was changed from its result screen: a child left out or put back, the whole tap
 * undone, the direction changed, or the tap confirmed (closed). Events are committed before the line.
 */
export interface AmendLine {
  type: 'amend';
  tapId: string;
  op: AmendOp;
  events: AmendEventLine[];
  /** What changed, for a person reading the line (Japanese / English); absent when nothing changed. */
  message?: string;
}

/** A reader's device appeared or went away (unplugged scanner, camera stopped, reader removed). */
export interface ReaderLine {
  type: 'reader';
  reader: string;
  attached: boolean;
  reason?: string;
}

/** The hub acknowledged these events (durably committed there). */
export interface AckedLine {
  type: 'acked';
  ids: string[];
}

/** The hub refused an event; it is kept, marked rejected, and never sent again. */
export interface RejectedLine {
  type: 'rejected';
  id: string;
  code: string;
  message: string;
}

export interface ConnectionLine {
  type: 'connection';
  online: boolean;
}

/** A roster was adopted from the hub. */
export interface RosterLine {
  type: 'roster';
  version: number;
  children: number;
}

/** The hub's roll-call snapshot was received (and stored for offline restarts). */
export interface RollcallLine {
  type: 'rollcall';
  date: string;
  generatedAt: string;
}

/** A reader saw input it could not read as a credential; the message never repeats the input. */
export interface ReaderErrorLine {
  type: 'reader_error';
  reader: string;
  code: string;
  message: string;
}

/**
 * Card enrolment from the maintenance screen moved on: waiting for the card, card read and sent to the
 * hub, stored (done) or failed (see code), or back to idle. Never carries the card id or its hash.
 */
export interface EnrollLine {
  type: 'enroll';
  status: 'idle' | 'waiting_card' | 'sending' | 'done' | 'failed';
  guardianId?: string;
  /** The reader that read the card (sending). */
  reader?: string;
  code?: string;
}

/**
 * The kiosk compared its clock with the hub's: at the first comparison since it started, when it starts
 * or stops stamping with the hub's time (`corrected`, skew over 2 minutes), and when the skew jumps while
 * corrected. `skewMs` is hub minus kiosk: positive when the kiosk's clock is behind.
 */
export interface ClockLine {
  type: 'clock';
  skewMs: number;
  corrected: boolean;
}

export type KioskOutputLine =
  | ReadyLine
  | TapLine
  | AmendLine
  | ReaderLine
  | AckedLine
  | RejectedLine
  | ConnectionLine
  | RosterLine
  | RollcallLine
  | ReaderErrorLine
  | EnrollLine
  | ClockLine;
