import { normalizeCardUid } from '../protocol/credentials.ts';
import type { CredentialRead, FeedbackSignal } from './reader.ts';

/** PC/SC part 3 GET DATA (UID): the card's UID (ISO 14443) or IDm (FeliCa), whatever the card type. */
export const GET_UID_APDU: readonly number[] = [0xff, 0xca, 0x00, 0x00, 0x00];

/** Room for the longest UID (10 bytes, ISO 14443 triple size) plus the status word, with margin. */
export const GET_UID_MAX_RESPONSE = 32;

/**
 * ACS ACR122U "Bi-Color LED and Buzzer Control" pseudo-APDU: FF 00 40 P2 04 T1 T2 REP LINK. P2 bits:
 * 0/1 final red/green state, 2/3 red/green state mask, 4/5 initial red/green blinking state, 6/7
 * red/green blinking mask. T1 and T2 are the initial and toggled blink phases in 100 ms units, REP the
 * number of blinks, LINK when the buzzer sounds (01: during T1). The final-state masks stay clear so the
 * LED returns to whatever the reader shows by itself (its own card-present indication).
 *
 * accepted: green on with the buzzer for 200 ms, once.
 * refused and error: red on with the buzzer for 100 ms, off for 100 ms, twice: two short beeps.
 */
export function acr122FeedbackApdu(signal: FeedbackSignal): Buffer {
  switch (signal) {
    case 'accepted':
      // P2 A0: green blinking mask + initial green on.
      return Buffer.from([0xff, 0x00, 0x40, 0xa0, 0x04, 0x02, 0x01, 0x01, 0x01]);
    case 'refused':
    case 'error':
      // P2 50: red blinking mask + initial red on.
      return Buffer.from([0xff, 0x00, 0x40, 0x50, 0x04, 0x01, 0x01, 0x02, 0x01]);
  }
}

/** The ACR122U answers 90 <current LED state>, not 90 00: 2 bytes, with margin. */
export const ACR122_FEEDBACK_MAX_RESPONSE = 8;

/**
 * Whether the named PC/SC reader understands acr122FeedbackApdu. Only ACS ACR122 readers are known to;
 * other readers (Sony PaSoRi among them, which has no LED or buzzer command over PC/SC) might take the
 * pseudo-APDU for a card command, so they get none.
 */
export function supportsAcr122Feedback(readerName: string): boolean {
  return /acr122/i.test(readerName);
}

/** Whether an LED/buzzer response reports success: SW1 90 (SW2 is the LED state). */
export function acr122FeedbackOk(response: Uint8Array): boolean {
  return response.length >= 2 && response[response.length - 2] === 0x90;
}

export type CardTechnology = NonNullable<CredentialRead['technology']>;

/** RID of PC/SC part 3 storage-card ATRs (A0 00 00 03 06). */
const PCSC_RID = [0xa0, 0x00, 0x00, 0x03, 0x06];

/**
 * The card technology from the ATR a contactless reader synthesises (PC/SC part 3, 3.1.3.2.3).
 * Storage cards: 3B 8F 80 01 80 4F 0C <RID> SS NN NN …, where SS is the standard (0x01–0x07 ISO 14443
 * A/B, 0x11 and 0x12 FeliCa). ISO 14443-4 cards: 3B 8n 80 01 followed by historical bytes.
 * Undefined when the ATR says neither (a contact card, ISO 15693): the label is optional.
 */
export function cardTechnology(atr: Uint8Array | undefined): CardTechnology | undefined {
  if (atr === undefined || atr.length < 4 || atr[0] !== 0x3b) return undefined;
  const t0 = atr[1] ?? 0;
  if ((t0 & 0xf0) !== 0x80 || atr[2] !== 0x80 || atr[3] !== 0x01) return undefined;
  const storage =
    atr.length >= 13 && atr[4] === 0x80 && atr[5] === 0x4f && PCSC_RID.every((b, i) => atr[7 + i] === b);
  if (!storage) return 'iso14443';
  const standard = atr[12] ?? 0;
  if (standard === 0x11 || standard === 0x12) return 'felica';
  if (standard >= 0x01 && standard <= 0x07) return 'iso14443';
  return undefined;
}

export type UidResult = { ok: true; uid: string } | { ok: false; reason: string };

/**
 * The card id from a GET UID response: the bytes before the status word 90 00, as lowercase hex.
 * Reasons never include the bytes, which may be a card number.
 */
export function parseUidResponse(response: Uint8Array): UidResult {
  if (response.length < 2) return { ok: false, reason: 'GET UID response too short' };
  const sw1 = response[response.length - 2] ?? 0;
  const sw2 = response[response.length - 1] ?? 0;
  if (sw1 !== 0x90 || sw2 !== 0x00) {
    const sw = ((sw1 << 8) | sw2).toString(16).padStart(4, '0');
    return { ok: false, reason: `GET UID failed with status ${sw}` };
  }
  const idLength = response.length - 2;
  // ISO 14443 UIDs are 4, 7 or 10 bytes, FeliCa IDm 8; anything else is a reader speaking another dialect.
  if (idLength < 4 || idLength > 10) {
    return { ok: false, reason: `GET UID returned ${idLength} id bytes (expected 4–10)` };
  }
  const uid = normalizeCardUid(Buffer.from(response.subarray(0, idLength)).toString('hex'));
  return uid === undefined ? { ok: false, reason: 'GET UID returned no usable id' } : { ok: true, uid };
}

/**
 * One tap per hold. nfc-pcsc reports `card` once per insertion, but a new PC/SC context (after pcscd
 * restarted, or the reader reconnected) reports a card that stayed on the reader as inserted again.
 * The gate remembers, per slot, the card on it until the slot is seen empty; a card reported again while
 * held is the same hold, not a new tap. A slot that disappears keeps its memory: whether the card was
 * lifted meanwhile is unknown, and a second check-in from one hold is worse than asking for a re-tap.
 *
 * A slot that reappears may report itself empty before it has polled the card lying on it (pcscd polls
 * about every 400 ms), so for `graceMs` after it reappears an empty report does not end the hold at
 * once: the hold ends only if the card is still absent once the grace is over.
 */
export class TapGate {
  readonly #graceMs: number;
  readonly #held = new Map<string, { uid: string; graceUntil: number; emptyInGrace: boolean }>();

  constructor(graceMs: number) {
    this.#graceMs = graceMs;
  }

  /** A card read on `slot`; true when it is a new tap, false when it is the card already held there. */
  cardOn(slot: string, uid: string, nowMs: number): boolean {
    const held = this.#held.get(slot);
    if (held?.uid === uid && !(held.emptyInGrace && nowMs >= held.graceUntil)) {
      held.emptyInGrace = false;
      return false;
    }
    this.#held.set(slot, { uid, graceUntil: 0, emptyInGrace: false });
    return true;
  }

  /** The slot was seen empty: the next card on it, even the same one, is a new tap. True if that ended a hold. */
  cardOff(slot: string, nowMs: number): boolean {
    const held = this.#held.get(slot);
    if (!held) return false;
    if (nowMs < held.graceUntil) {
      held.emptyInGrace = true;
      return false;
    }
    return this.#held.delete(slot);
  }

  /** The slot (re)appeared in a new PC/SC context: a held card gets `graceMs` to be seen again. */
  slotAppeared(slot: string, nowMs: number): void {
    const held = this.#held.get(slot);
    if (!held) return;
    held.graceUntil = nowMs + this.#graceMs;
    held.emptyInGrace = false;
  }

  /** Whether a card is remembered on `slot` (for tests and diagnostics). */
  holds(slot: string): boolean {
    return this.#held.has(slot);
  }
}
