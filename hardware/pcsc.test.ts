import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../common/logger.ts';
import { GenkanError } from '../common/errors.ts';
import { systemClock } from '../common/time.ts';
import { createPcscReader, type NfcModule } from './pcsc.ts';
import type { CredentialRead, CredentialReader } from './reader.ts';
import { record } from '../test/support/hardware/reader-events.ts';
import { until } from '../test/support/wait.ts';

/** A slot of the fake module: cards are put on and taken off by the test. */
class FakeSlot extends EventEmitter {
  readonly SCARD_STATE_EMPTY = 0x10;
  readonly SCARD_STATE_PRESENT = 0x20;
  constructor(readonly name: string) {
    super();
  }
  close(): void {
    this.emit('end');
  }
}

/** nfc-pcsc's Reader as the driver sees it (autoProcessing off: `card`, then the driver's GET UID). */
class FakeReader extends EventEmitter {
  autoProcessing = true;
  card: { atr: Buffer } | null = null;
  reads = 0;
  #uid = '';
  readonly reader: FakeSlot;
  constructor(readonly name: string) {
    super();
    this.reader = new FakeSlot(name);
  }
  insert(atr: Buffer, uid: string): void {
    this.card = { atr };
    this.#uid = uid;
    this.reader.emit('status', { state: this.reader.SCARD_STATE_PRESENT });
    this.emit('card', { atr });
  }
  empty(): void {
    this.card = null;
    this.reader.emit('status', { state: this.reader.SCARD_STATE_EMPTY });
    this.emit('card.off', {});
  }
  /** Commands other than GET UID (the LED/buzzer pseudo-APDU), as hex. */
  readonly commands: string[] = [];
  /** Makes the next non-GET UID command fail, as a reader unplugged mid-beep would. */
  failCommands = false;
  transmit(data: Buffer): Promise<Buffer> {
    if (data[1] !== 0xca) {
      this.commands.push(data.toString('hex'));
      if (this.failCommands) return Promise.reject(new Error('An error occurred while transmitting.'));
      return Promise.resolve(Buffer.from('9003', 'hex'));
    }
    this.reads++;
    return Promise.resolve(Buffer.from(`${this.#uid}9000`, 'hex'));
  }
}

class FakeNfc extends EventEmitter {
  readonly readers: Record<string, FakeSlot> = {};
  closed = false;
  addReader(name: string): FakeReader {
    const reader = new FakeReader(name);
    this.readers[name] = reader.reader;
    this.emit('reader', reader);
    reader.reader.emit('status', { state: reader.reader.SCARD_STATE_EMPTY });
    return reader;
  }
  close(): void {
    this.closed = true;
  }
}

function fakeNfcModule(): { mod: NfcModule; contexts: FakeNfc[] } {
  const contexts: FakeNfc[] = [];
  const mod = {
    NFC: class extends FakeNfc {
      constructor() {
        super();
        contexts.push(this);
      }
    },
  } as unknown as NfcModule;
  return { mod, contexts };
}

describe('PC/SC reader without the PC/SC stack', () => {
  it('rejects open() with pcsc_unavailable when nfc-pcsc cannot be loaded', async () => {
    const reader = createPcscReader({
      logger: silentLogger(),
      clock: systemClock,
      loadModule: () => Promise.reject(new Error('Cannot find package nfc-pcsc')),
    });
    const err: unknown = await reader.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenkanError);
    expect((err as GenkanError).code).toBe('pcsc_unavailable');
    expect((err as GenkanError).message).toMatch(/libpcsclite-dev.*pcscd/);
    await reader.close();
  });

  it('opens while pcscd is down, reports detached once, and attaches when pcscd appears', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'genkan-pcsc-'));
    const socketPath = join(dir, 'pcscd.comm');
    const fake = fakeNfcModule();
    const reader = createPcscReader({
      logger: silentLogger(),
      clock: systemClock,
      socketPath,
      retryInitialMs: 5,
      retryMaxMs: 20,
      loadModule: () => Promise.resolve(fake.mod),
    });
    const { count, events } = record(reader);
    await reader.open(); // resolves although pcscd is down
    await until(() => count('detached') === 1, 'detached');
    // The PC/SC library (which would spin while pcscd is down) was not entered.
    expect(fake.contexts).toHaveLength(0);

    // pcscd's socket appears: the next retry connects, and a reader shows up.
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((res) => server.listen(socketPath, res));
    await until(() => fake.contexts.length === 1, 'a PC/SC context');
    fake.contexts[0]?.addReader('ACS ACR1252 PICC');
    await until(() => count('attached') === 1, 'attached');
    expect(count('detached')).toBe(1); // once per absence, not per retry
    expect(events.map((e) => e.type)).toEqual(['detached', 'attached']);

    await reader.close();
    await reader.close(); // idempotent
    expect(fake.contexts[0]?.closed).toBe(true);
    await new Promise((res) => server.close(res));
    await rm(dir, { recursive: true, force: true });
  });

  it('emits one credential per hold, even when nfc-pcsc reports the held card again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'genkan-pcsc-'));
    const socketPath = join(dir, 'pcscd.comm');
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((res) => server.listen(socketPath, res));
    const fake = fakeNfcModule();
    const log: string[] = [];
    const reader = createPcscReader({
      logger: createLogger({ level: 'debug', destination: { write: (l: string) => void log.push(l) } }),
      clock: systemClock,
      socketPath,
      reader: 'picc',
      loadModule: () => Promise.resolve(fake.mod),
    });
    const { credentials, count } = record(reader);
    await reader.open();
    await until(() => fake.contexts.length === 1, 'a PC/SC context');
    const nfc = fake.contexts[0];
    if (!nfc) throw new Error('no context');
    const ignored = nfc.addReader('ACS ACR1252 SAM');
    const slot = nfc.addReader('ACS ACR1252 PICC');
    await until(() => count('attached') === 1, 'attached');
    expect(slot.autoProcessing).toBe(false);

    slot.insert(Buffer.from('3b8f8001804f0ca00000030611003b0000000042', 'hex'), '0101000000000001');
    await until(() => credentials().length === 1, 'the tap');
    expect(credentials()[0]).toMatchObject({
      credential: { kind: 'card', value: '0101000000000001' },
      technology: 'felica',
    });
    slot.insert(Buffer.from('3b8f8001804f0ca00000030611003b0000000042', 'hex'), '0101000000000001');
    await until(() => log.some((l) => l.includes('card still on the reader')), 'the re-read to be ignored');
    expect(slot.reads).toBe(2);
    expect(credentials()).toHaveLength(1);
    ignored.insert(Buffer.from('3b8180018080', 'hex'), '04a1b2c3d4e5f6'); // filtered out: never read
    slot.empty();
    slot.insert(Buffer.from('3b8180018080', 'hex'), '04a1b2c3d4e5f6');
    await until(() => credentials().length === 2, 'the next card');
    expect(credentials().map((c) => c.credential.value)).toEqual(['0101000000000001', '04a1b2c3d4e5f6']);
    expect(ignored.reads).toBe(0);
    expect(log.join('')).not.toContain('0101000000000001');
    expect(log.join('')).not.toContain('04a1b2c3d4e5f6');
    await reader.close();
    await new Promise((res) => server.close(res));
    await rm(dir, { recursive: true, force: true });
  });
});

describe('PC/SC reader feedback (fake nfc-pcsc)', () => {
  const ACCEPTED = 'ff0040a00402010101';
  const REFUSED = 'ff0040500401010201';
  const ATR = Buffer.from('3b8180018080', 'hex');
  const UID = '04a1b2c3d4e5f6';

  async function withReaders(
    test: (ctx: {
      reader: CredentialReader;
      nfc: FakeNfc;
      log: string[];
      credentials: () => CredentialRead[];
    }) => Promise<void>,
  ): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'genkan-pcsc-'));
    const socketPath = join(dir, 'pcscd.comm');
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((res) => server.listen(socketPath, res));
    const fake = fakeNfcModule();
    const log: string[] = [];
    const reader = createPcscReader({
      logger: createLogger({ level: 'debug', destination: { write: (l: string) => void log.push(l) } }),
      clock: systemClock,
      socketPath,
      loadModule: () => Promise.resolve(fake.mod),
    });
    const { credentials } = record(reader);
    try {
      await reader.open();
      await until(() => fake.contexts.length === 1, 'a PC/SC context');
      const nfc = fake.contexts[0];
      if (!nfc) throw new Error('no context');
      await test({ reader, nfc, log, credentials: () => credentials() });
    } finally {
      await reader.close();
      await new Promise((res) => server.close(res));
      await rm(dir, { recursive: true, force: true });
    }
    expect(log.join('')).not.toContain(UID);
  }

  it('sends the ACR122U LED/buzzer command to the slot of the last tap, once per tap', async () => {
    await withReaders(async ({ reader, nfc, credentials }) => {
      const other = nfc.addReader('ACS ACR122U PICC Interface 01 00');
      const acr = nfc.addReader('ACS ACR122U PICC Interface 00 00');
      acr.insert(ATR, UID);
      await until(() => credentials().length === 1, 'the tap');
      await reader.feedback?.('accepted');
      expect(acr.commands).toEqual([ACCEPTED]);
      // Already answered: a second signal for the same tap is not sent.
      await reader.feedback?.('refused');
      expect(acr.commands).toEqual([ACCEPTED]);
      expect(other.commands).toEqual([]);

      acr.empty();
      acr.insert(ATR, UID);
      await until(() => credentials().length === 2, 'the second tap');
      await reader.feedback?.('refused');
      acr.empty();
      acr.insert(ATR, UID);
      await until(() => credentials().length === 3, 'the third tap');
      await reader.feedback?.('error');
      expect(acr.commands).toEqual([ACCEPTED, REFUSED, REFUSED]);
      expect(other.commands).toEqual([]);
    });
  });

  it('does nothing once the card is lifted, and logs a failed command without throwing', async () => {
    await withReaders(async ({ reader, nfc, log, credentials }) => {
      const acr = nfc.addReader('ACS ACR122U PICC Interface 00 00');
      acr.insert(ATR, UID);
      await until(() => credentials().length === 1, 'the tap');
      acr.empty();
      await reader.feedback?.('accepted');
      expect(acr.commands).toEqual([]);

      acr.insert(ATR, UID);
      await until(() => credentials().length === 2, 'the second tap');
      acr.failCommands = true;
      await expect(reader.feedback?.('accepted')).resolves.toBeUndefined();
      expect(acr.commands).toEqual([ACCEPTED]);
      expect(log.some((l) => l.includes('LED/buzzer feedback failed'))).toBe(true);
    });
  });

  it('sends nothing to readers without the ACR122 command (Sony PaSoRi)', async () => {
    await withReaders(async ({ reader, nfc, credentials }) => {
      const pasori = nfc.addReader('Sony FeliCa Port/PaSoRi 4.0 00 00');
      pasori.insert(Buffer.from('3b8f8001804f0ca00000030611003b0000000042', 'hex'), '0101000000000001');
      await until(() => credentials().length === 1, 'the tap');
      await reader.feedback?.('accepted');
      expect(pasori.commands).toEqual([]);
    });
  });
});
