import { describe, expect, it } from 'vitest';
import {
  TapGate,
  acr122FeedbackApdu,
  acr122FeedbackOk,
  cardTechnology,
  parseUidResponse,
  supportsAcr122Feedback,
} from './pcsc-card.ts';

/** `card` payloads nfc-pcsc 0.8 emitted (autoProcessing off) for virtual and real readers. */
const recorded = {
  // vpcd, MIFARE Ultralight ATR (PC/SC part 3, standard 0x03)
  ultralight: {
    atr: Buffer.from('3b8f8001804f0ca0000003060300030000000068', 'hex'),
    standard: 'TAG_ISO_14443_3',
    type: 'TAG_ISO_14443_3',
  },
  // vpcd and Sony RC-S380, FeliCa ATR (standard 0x11, card name 003B); nfc-pcsc calls it ISO 14443-3 too
  felica: {
    atr: Buffer.from('3b8f8001804f0ca00000030611003b0000000042', 'hex'),
    standard: 'TAG_ISO_14443_3',
    type: 'TAG_ISO_14443_3',
  },
  // ACR122U, MIFARE DESFire (ISO 14443-4: 3B 8n 80 01 + historical bytes)
  desfire: { atr: Buffer.from('3b8180018080', 'hex'), standard: 'TAG_ISO_14443_4', type: 'TAG_ISO_14443_4' },
  // a contact card in a contact slot
  contact: { atr: Buffer.from('3bdb9600801f030031c064b0f310000f9000', 'hex'), standard: 'TAG_ISO_14443_4' },
  // ISO 15693 tag (standard 0x0B)
  iso15693: {
    atr: Buffer.from('3b8f8001804f0ca0000003060b00120000000071', 'hex'),
    standard: 'TAG_ISO_14443_3',
  },
};

describe('cardTechnology', () => {
  it.each([
    ['ultralight', 'iso14443'],
    ['felica', 'felica'],
    ['desfire', 'iso14443'],
    ['contact', undefined],
    ['iso15693', undefined],
  ] as const)('labels a recorded %s card %s', (card, technology) => {
    expect(cardTechnology(recorded[card].atr)).toBe(technology);
  });

  it('labels nothing without an ATR', () => {
    expect(cardTechnology(undefined)).toBeUndefined();
    expect(cardTechnology(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('parseUidResponse', () => {
  it('returns the id bytes before 90 00 as lowercase hex', () => {
    expect(parseUidResponse(Buffer.from('04A1B2C3D4E5F69000', 'hex'))).toEqual({
      ok: true,
      uid: '04a1b2c3d4e5f6',
    });
    expect(parseUidResponse(Buffer.from('01010000000000019000', 'hex'))).toEqual({
      ok: true,
      uid: '0101000000000001',
    });
    expect(parseUidResponse(Buffer.from('deadbeef9000', 'hex'))).toEqual({ ok: true, uid: 'deadbeef' });
  });

  it.each([
    ['a status word alone', '9000', 'expected 4–10'],
    ['an error status', '6a81', 'status 6a81'],
    ['one byte', '90', 'too short'],
    ['an id of 12 bytes', '0102030405060708090a0b0c9000', 'expected 4–10'],
    ['an error after id bytes', '04a1b2c36300', 'status 6300'],
  ])('rejects %s without repeating the bytes', (_what, hex, reason) => {
    const result = parseUidResponse(Buffer.from(hex, 'hex'));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toContain(reason);
      expect(result.reason).not.toContain('04a1b2c3');
    }
  });
});

describe('TapGate: one tap per hold', () => {
  it('lets the first read of a card through and holds it until the slot is empty', () => {
    const gate = new TapGate(2000);
    expect(gate.cardOn('r0', 'aa11', 0)).toBe(true);
    expect(gate.cardOn('r0', 'aa11', 10)).toBe(false); // re-read while held (new PC/SC context)
    expect(gate.cardOn('r0', 'aa11', 20)).toBe(false);
    expect(gate.cardOff('r0', 30)).toBe(true);
    expect(gate.holds('r0')).toBe(false);
    expect(gate.cardOn('r0', 'aa11', 40)).toBe(true);
  });

  it('treats another card on the same slot as a new tap', () => {
    const gate = new TapGate(2000);
    expect(gate.cardOn('r0', 'aa11', 0)).toBe(true);
    expect(gate.cardOn('r0', 'bb22', 1)).toBe(true);
    expect(gate.cardOn('r0', 'aa11', 2)).toBe(true);
  });

  it('keeps slots apart', () => {
    const gate = new TapGate(2000);
    expect(gate.cardOn('r0', 'aa11', 0)).toBe(true);
    expect(gate.cardOn('r1', 'aa11', 0)).toBe(true);
    gate.cardOff('r1', 1);
    expect(gate.cardOn('r0', 'aa11', 2)).toBe(false);
    expect(gate.cardOn('r1', 'aa11', 2)).toBe(true);
    expect(gate.cardOff('r9', 3)).toBe(false);
  });

  it('keeps a hold when a reappeared slot reports empty before it sees the card again', () => {
    const gate = new TapGate(2000);
    expect(gate.cardOn('r0', 'aa11', 0)).toBe(true);
    // pcscd restarts at t=5000; the new context first reports the slot empty, then the card.
    gate.slotAppeared('r0', 5000);
    expect(gate.cardOff('r0', 5001)).toBe(false);
    expect(gate.cardOn('r0', 'aa11', 5400)).toBe(false);
    // Lifted after the grace: the hold ends, the next tap counts.
    expect(gate.cardOff('r0', 9000)).toBe(true);
    expect(gate.cardOn('r0', 'aa11', 9500)).toBe(true);
  });

  it('ends a hold whose card never came back once the grace is over', () => {
    const gate = new TapGate(2000);
    gate.cardOn('r0', 'aa11', 0);
    gate.slotAppeared('r0', 5000);
    expect(gate.cardOff('r0', 5001)).toBe(false); // empty, and stays empty: no further report
    expect(gate.cardOn('r0', 'aa11', 6000)).toBe(false); // back within the grace: taken as the same hold
    gate.slotAppeared('r0', 10_000);
    gate.cardOff('r0', 10_001);
    expect(gate.cardOn('r0', 'aa11', 12_500)).toBe(true); // tapped after the grace: a new tap
  });

  it('gives no grace to a slot that appears without a held card', () => {
    const gate = new TapGate(2000);
    gate.slotAppeared('r0', 0);
    expect(gate.cardOn('r0', 'aa11', 1)).toBe(true);
    expect(gate.cardOff('r0', 2)).toBe(true);
  });
});

describe('ACR122U LED/buzzer feedback', () => {
  it('builds the Bi-Color LED and Buzzer Control pseudo-APDU per signal', () => {
    // accepted: green blink (P2 A0), 200 ms with the buzzer, once
    expect(acr122FeedbackApdu('accepted').toString('hex')).toBe('ff0040a00402010101');
    // refused and error: red blink (P2 50), 100 ms on with the buzzer, 100 ms off, twice
    expect(acr122FeedbackApdu('refused').toString('hex')).toBe('ff0040500401010201');
    expect(acr122FeedbackApdu('error').toString('hex')).toBe('ff0040500401010201');
  });

  it('is sent to ACR122 readers only', () => {
    expect(supportsAcr122Feedback('ACS ACR122U PICC Interface 00 00')).toBe(true);
    expect(supportsAcr122Feedback('acs acr122 0')).toBe(true);
    expect(supportsAcr122Feedback('Sony FeliCa Port/PaSoRi 4.0 00 00')).toBe(false);
    expect(supportsAcr122Feedback('ACS ACR1252 1S CL Reader PICC 00 00')).toBe(false);
  });

  it('reads success from SW1 90 whatever the LED state in SW2', () => {
    expect(acr122FeedbackOk(Buffer.from('9000', 'hex'))).toBe(true);
    expect(acr122FeedbackOk(Buffer.from('9003', 'hex'))).toBe(true);
    expect(acr122FeedbackOk(Buffer.from('6300', 'hex'))).toBe(false);
    expect(acr122FeedbackOk(Buffer.from('90', 'hex'))).toBe(false);
  });
});
