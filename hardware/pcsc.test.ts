import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, silentLogger, type Logger } from '../common/logger.ts';
import { GenkanError, errorMessage } from '../common/errors.ts';
import { systemClock } from '../common/time.ts';
import { requirePrereq } from '../test/support/prereq.ts';
import { PCSC_DEFAULTS, createPcscReader, type NfcModule } from './pcsc.ts';
import { createReader, type CredentialRead, type CredentialReader, type ReaderEventMap } from './reader.ts';
import { PrivatePcscd, hasVpcdDriver, nfcPcscLoads, pcscdPath } from '../test/support/hardware/pcscd.ts';
import { FELICA_ATR, VirtualCard } from '../test/support/hardware/vpcd-card.ts';
import { until } from '../test/support/wait.ts';

/** Records every event of a reader in order. */
function record(reader: CredentialReader) {
  const events: {
    [K in keyof ReaderEventMap]: { type: K; payload: ReaderEventMap[K] };
  }[keyof ReaderEventMap][] = [];
  reader.on('credential', (payload) => events.push({ type: 'credential', payload }));
  reader.on('attached', (payload) => events.push({ type: 'attached', payload }));
  reader.on('detached', (payload) => events.push({ type: 'detached', payload }));
  reader.on('error', (payload) => events.push({ type: 'error', payload }));
  const credentials = (uid?: string): CredentialRead[] =>
    events.flatMap((e) =>
      e.type === 'credential' && (uid === undefined || e.payload.credential.value === uid) ? [e.payload] : [],
    );
  const count = (type: keyof ReaderEventMap) => events.filter((e) => e.type === type).length;
  return { events, credentials, count };
}

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

const prereqs = {
  pcscd: pcscdPath() !== undefined,
  vpcd: hasVpcdDriver(),
  nfcPcsc: await nfcPcscLoads(),
};
const canRun =
  requirePrereq(prereqs.pcscd, 'pcscd', 'apt-get install pcscd') &&
  requirePrereq(prereqs.vpcd, 'vpcd reader driver', 'apt-get install vsmartcard-vpcd') &&
  requirePrereq(prereqs.nfcPcsc, 'nfc-pcsc (native build)', 'apt-get install libpcsclite-dev; npm ci');

/**
 * The real stack: a private pcscd with a virtual reader (vpcd), libpcsclite, nfc-pcsc, and virtual cards
 * speaking vpcd's protocol. One pcscd and one reader object for the whole file, as on a kiosk.
 */
describe.runIf(canRun)('PC/SC reader with pcscd and a virtual reader', () => {
  const CHANNEL = 0x9c60; // vpcd ports 40032/40033; test/pcsc-checkin.test.ts uses another
  const MIFARE_UID = '04a1b2c3d4e5f6';
  const OTHER_UID = '04112233445566';
  const FELICA_IDM = '012e4cd8a1b2c3d4';
  let pcscd: PrivatePcscd;
  let reader: CredentialReader;
  let rec: ReturnType<typeof record>;
  const logLines: string[] = [];
  let logger: Logger;
  const cards: VirtualCard[] = [];
  const liftedCount = () => logLines.filter((l) => l.includes('card lifted')).length;
  const present = async (uid: string, extra: Partial<Parameters<typeof VirtualCard.present>[0]> = {}) => {
    const card = await VirtualCard.present({ port: pcscd.port(0), uid, ...extra });
    cards.push(card);
    return card;
  };

  beforeAll(async () => {
    // Named like the ACS model so that the LED/buzzer feedback path runs against the real stack.
    pcscd = await PrivatePcscd.start({ channelId: CHANNEL, readerName: 'ACS ACR122U PICC Interface' });
    logger = createLogger({
      level: 'debug',
      destination: {
        write: (line: string) => {
          logLines.push(line);
        },
      },
    });
    reader = createReader('pcsc', { logger });
    rec = record(reader);
    await reader.open();
    await until(() => rec.count('attached') === 1, 'the virtual reader to attach');
  });

  afterAll(async () => {
    await Promise.all(cards.map((c) => c.remove()));
    await reader.close();
    await pcscd.dispose();
    // Card ids never reach a log line, at any level.
    const log = logLines.join('');
    for (const uid of [MIFARE_UID, OTHER_UID, FELICA_IDM]) {
      expect(log.toLowerCase()).not.toContain(uid);
    }
  });

  it('reads a MIFARE UID once per hold', async ({ annotate }) => {
    const t0 = Date.now();
    const card = await present(MIFARE_UID);
    await until(() => rec.credentials(MIFARE_UID).length === 1, 'the first tap');
    await annotate(`credential ${Date.now() - t0} ms after the card was presented`);
    expect(rec.credentials(MIFARE_UID)[0]).toMatchObject({
      credential: { kind: 'card', value: MIFARE_UID },
      technology: 'iso14443',
    });
    // While it stays on slot 0, another card on slot 1 is read: by then a repeat of the first would show.
    const other = await VirtualCard.present({ port: pcscd.port(1), uid: OTHER_UID });
    cards.push(other);
    await until(() => rec.credentials(OTHER_UID).length === 1, 'the card on slot 1');
    expect(rec.credentials(MIFARE_UID)).toHaveLength(1);
    expect(card.present).toBe(true);
    await other.remove();

    const lifted = liftedCount();
    await card.remove();
    await until(() => liftedCount() > lifted, 'the driver to see the card lifted');
    const t1 = Date.now();
    await present(MIFARE_UID);
    await until(() => rec.credentials(MIFARE_UID).length === 2, 'the second tap');
    await annotate(`second tap read ${Date.now() - t1} ms after lift and re-present`);
    expect(rec.count('error')).toBe(0);
    await Promise.all(cards.map((c) => c.remove()));
  });

  it('reads a FeliCa IDm and labels it felica', async () => {
    const card = await present(FELICA_IDM, { atr: FELICA_ATR });
    await until(() => rec.credentials(FELICA_IDM).length === 1, 'the FeliCa tap');
    expect(rec.credentials(FELICA_IDM)[0]).toMatchObject({
      credential: { kind: 'card', value: FELICA_IDM },
      technology: 'felica',
    });
    expect(card.apdus).toEqual(['ffca000000']);
    await card.remove();
  });

  it('sends the ACR122U LED/buzzer pseudo-APDU through the connection of the card just read', async () => {
    const card = await present(OTHER_UID);
    const before = rec.credentials(OTHER_UID).length;
    await until(() => rec.credentials(OTHER_UID).length === before + 1, 'the tap');
    await reader.feedback?.('accepted');
    expect(card.apdus).toEqual(['ffca000000', 'ff0040a00402010101']);
    await card.remove();

    const refused = await present(FELICA_IDM, { atr: FELICA_ATR });
    const felicaBefore = rec.credentials(FELICA_IDM).length;
    await until(() => rec.credentials(FELICA_IDM).length === felicaBefore + 1, 'the FeliCa tap');
    await reader.feedback?.('refused');
    expect(refused.apdus).toEqual(['ffca000000', 'ff0040500401010201']);
    await refused.remove();
    expect(logLines.some((l) => l.includes('LED/buzzer'))).toBe(false);
  });

  it('survives pcscd stopping and starting: the same reader object reads the next card', async ({
    annotate,
  }) => {
    const detachedBefore = rec.count('detached');
    const attachedBefore = rec.count('attached');
    const t0 = Date.now();
    await pcscd.stop();
    await until(() => rec.count('detached') === detachedBefore + 1, 'detached after pcscd stopped');
    await annotate(`detached ${Date.now() - t0} ms after pcscd stopped`);
    // pcsclite reports the slots ending and the context failing in either order.
    const detached = rec.events.at(-1);
    expect(detached?.type === 'detached' && detached.payload.reason).toMatch(
      /^(pcscd connection lost|reader removed)$/,
    );

    await pcscd.restart();
    const t1 = Date.now();
    await until(() => rec.count('attached') === attachedBefore + 1, 'attached after pcscd restarted', {
      timeoutMs: 15_000,
    });
    await annotate(`attached again ${Date.now() - t1} ms after pcscd was ready`);
    const before = rec.credentials(OTHER_UID).length;
    const card = await present(OTHER_UID);
    await until(() => rec.credentials(OTHER_UID).length === before + 1, 'a tap after the restart');
    await card.remove();
  });

  it('does not count a card that stays on the reader through a pcscd restart as a second tap', async () => {
    const card = await present(MIFARE_UID, { stayOnReader: true });
    const before = rec.credentials(MIFARE_UID).length;
    await until(() => rec.credentials(MIFARE_UID).length === before + 1, 'the tap');
    const attachedBefore = rec.count('attached');
    await pcscd.stop();
    await pcscd.restart();
    await until(() => rec.count('attached') === attachedBefore + 1, 'attached after the restart', {
      timeoutMs: 15_000,
    });
    const reattachedAt = performance.now();
    // The card reconnects and is read again by the new PC/SC context; the driver logs that it ignored it.
    await until(
      () => card.connections === 2 && logLines.some((l) => l.includes('card still on the reader')),
      'the re-read of the held card',
      { timeoutMs: 15_000 },
    ).catch((err: unknown) => {
      throw new Error(
        `${errorMessage(err)}; card connections ${card.connections}, APDUs ${card.apdus.length}\n` +
          logLines.slice(-15).join(''),
      );
    });
    // Read at least once per connection; pcsclite may report the card more than once, never a new tap.
    expect(card.apdus.length).toBeGreaterThanOrEqual(2);
    expect(rec.credentials(MIFARE_UID)).toHaveLength(before + 1);

    // Lifted and tapped again once the hold's grace after the restart is over: a new tap.
    await card.remove();
    await until(
      () => performance.now() >= reattachedAt + PCSC_DEFAULTS.holdGraceMs,
      'the end of the grace after the restart',
    );
    const again = await present(MIFARE_UID);
    await until(() => rec.credentials(MIFARE_UID).length === before + 2, 'the tap after lifting the card');
    await again.remove();
  });

  it('close() releases pcsclite: a process that opened and closed the reader exits by itself', async ({
    annotate,
  }) => {
    const script = `
      const { createPcscReader } = await import(${JSON.stringify(resolve(import.meta.dirname, 'pcsc.ts'))});
      const { createLogger } = await import(${JSON.stringify(resolve(import.meta.dirname, '../common/logger.ts'))});
      const r = createPcscReader({ logger: createLogger({ level: 'debug' }), clock: { now: () => new Date() } });
      const attached = new Promise((res) => r.on('attached', res));
      await r.open();
      await attached;
      await r.close();
      console.log('closed');
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: resolve(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let closedAt: number | undefined;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (closedAt === undefined && out.includes('closed')) closedAt = Date.now();
    });
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((res) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
      }, 10_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        res(c);
      });
    });
    expect(closedAt, out).toBeDefined();
    const exitMs = Date.now() - (closedAt ?? 0);
    await annotate(`child exited ${exitMs} ms after close() resolved`);
    expect(code, out).toBe(0);
    // Nothing left to wind down: no native thread, no timer (a leaked backoff timer would show here).
    expect(exitMs).toBeLessThan(400);
  });
});
