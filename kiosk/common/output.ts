import type { CredentialKind } from '../../protocol/credentials.ts';
import type { FeedbackSignal } from '../../hardware/reader.ts';
import type { QrRefusal } from '../../protocol/qr.ts';

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
}

export interface TapEventLine {
  id: string;
  childId: string;
  childName: string;
  type: 'check_in' | 'check_out';
  seq: number;
}

export interface GuardianRef {
  id: string;
  name: string;
}

/** A tap's outcome, without the reader it came from. */
export type TapOutcome =
  /** Recorded: every event is committed to the outbox before this line is written. */
  | { type: 'tap'; result: 'ok'; guardian: GuardianRef; events: TapEventLine[] }
  /** No roster yet (first start with the hub unreachable): nothing can be looked up. */
  | { type: 'tap'; result: 'no_roster' }
  /** The same credential again within the debounce window: ignored. */
  | { type: 'tap'; result: 'debounced'; kind: CredentialKind }
  | { type: 'tap'; result: 'unknown_credential'; kind: CredentialKind }
  /** A known guardian none of whose children is on the roster: nothing recorded. */
  | { type: 'tap'; result: 'no_children'; kind: CredentialKind; guardian: GuardianRef }
  /**
   * A QR code refused before any lookup or recording: nothing was stored. `reason` is the contract;
   * `message` is for the parent (QR_REFUSAL_MESSAGES).
   */
  | { type: 'tap'; result: 'refused_qr'; reason: QrRefusalReason; message: string }
  /** The tap could not be recorded (e.g. the disk failed): nothing was stored; the person may retry. */
  | { type: 'tap'; result: 'error'; kind: CredentialKind; code: string; message: string };

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
  no_roster: 'refused',
  debounced: 'refused',
  unknown_credential: 'refused',
  no_children: 'refused',
  refused_qr: 'refused',
  error: 'error',
};

/** Why a QR code was refused: the signature checks of protocol/qr.ts, or a guardian not on the roster. */
export type QrRefusalReason = QrRefusal | 'unknown_guardian';

/** What a parent is told for each refusal, in Japanese and English. */
export const QR_REFUSAL_MESSAGES: Readonly<Record<QrRefusalReason, { ja: string; en: string }>> = {
  malformed: {
    ja: 'このQRコードは読み取れませんでした。もう一度かざすか、職員にお声がけください。',
    en: 'This QR code could not be read. Please try again or ask a member of staff.',
  },
  unsigned: {
    ja: 'このQRコードは園が発行した保護者用QRコードではありません。園から受け取ったQRコードをお使いください。',
    en: 'This is not a guardian QR code issued by the nursery. Please use the code the nursery gave you.',
  },
  forged: {
    ja: 'このQRコードは確認できませんでした（この園のものではないか、改ざんされています）。職員にお声がけください。',
    en: 'This QR code could not be verified (it is not from this nursery or has been altered). Please ask a member of staff.',
  },
  other_facility: {
    ja: 'このQRコードは別の園のものです。この園のQRコードをお使いください。',
    en: "This QR code belongs to another nursery. Please use this nursery's code.",
  },
  expired: {
    ja: 'このQRコードは有効期限が切れています。職員に新しいQRコードをご依頼ください。',
    en: 'This QR code has expired. Please ask the staff for a new one.',
  },
  unknown_guardian: {
    ja: 'このQRコードの保護者は名簿に登録されていません。職員にお声がけください。',
    en: 'The guardian of this QR code is not on the roster. Please ask a member of staff.',
  },
};

/** The tap line's message: Japanese first, then English, for a screen that shows one line. */
export function qrRefusalMessage(reason: QrRefusalReason): string {
  const m = QR_REFUSAL_MESSAGES[reason];
  return `${m.ja} / ${m.en}`;
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

export type KioskOutputLine =
  | ReadyLine
  | TapLine
  | AckedLine
  | RejectedLine
  | ConnectionLine
  | RosterLine
  | RollcallLine
  | ReaderErrorLine;
