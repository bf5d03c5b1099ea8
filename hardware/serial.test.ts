import { symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../common/logger.ts';
import { fixedClock } from '../common/time.ts';
import { hasCommand, requirePrereq } from '../test/support/prereq.ts';
import { createReader, type CredentialRead, type ReaderErrorEvent } from './reader.ts';
import { createSerialReader, SerialScannerReader, type SerialReaderOptions } from './serial.ts';
import { SocatPty } from '../test/support/hardware/pty.ts';
import { until } from '../test/support/wait.ts';

const haveSocat = requirePrereq(hasCommand('socat'), 'socat', 'apt-get install -y socat');

interface Recorded {
  reader: SerialScannerReader;
  reads: CredentialRead[];
  errors: ReaderErrorEvent[];
  /** attached / detached(reason) in order. */
  events: string[];
  values: () => string[];
}

function record(reader: SerialScannerReader): Recorded {
  const reads: CredentialRead[] = [];
  const errors: ReaderErrorEvent[] = [];
  const events: string[] = [];
  reader.on('credential', (r) => reads.push(r));
  reader.on('error', (e) => errors.push(e));
  reader.on('attached', () => events.push('attached'));
  reader.on('detached', (d) => events.push(`detached:${d.reason}`));
  return { reader, reads, errors, events, values: () => reads.map((r) => r.credential.value) };
}

describe.runIf(haveSocat)('serial scanner reader over a real pty', () => {
  let pty: SocatPty;
  const readers: SerialScannerReader[] = [];

  beforeEach(async () => {
    pty = await SocatPty.create();
    await pty.start();
  });

  afterEach(async () => {
    for (const r of readers.splice(0)) await r.close();
    await pty.dispose();
  });

  function make(extra: Partial<SerialReaderOptions> = {}): Recorded {
    const reader = new SerialScannerReader({
      logger: silentLogger(),
      clock: fixedClock('2026-04-01T08:00:00Z'),
      path: pty.device,
      baudRate: 9600,
      ...extra,
    });
    readers.push(reader);
    return record(reader);
  }

  it('turns each line into a qr credential, in order, with CR, LF and CRLF endings', async () => {
    const r = make();
    await r.reader.open();
    expect(r.events).toEqual(['attached']);
    await pty.write('GK1.demo.g001.1\r');
    await pty.write('second\n');
    await pty.write('third\r\n\r\n');
    await pty.write('  padded\t\rcard:04a23b9c\nお迎え\r\n');
    await until(() => r.reads.length >= 6, 'six scans');
    expect(r.reads.map((x) => x.credential)).toEqual([
      { kind: 'qr', value: 'GK1.demo.g001.1' },
      { kind: 'qr', value: 'second' },
      { kind: 'qr', value: 'third' },
      { kind: 'qr', value: 'padded' },
      // Never a card: a printed code must not stand in for an IC card.
      { kind: 'qr', value: 'card:04a23b9c' },
      { kind: 'qr', value: 'お迎え' },
    ]);
    expect(r.reads[0]?.at.toISOString()).toBe('2026-04-01T08:00:00.000Z');
    expect(r.errors).toEqual([]);
  });

  it('reassembles a line written in three separate chunks, including a CR|LF split', async () => {
    const r = make();
    await r.reader.open();
    const parts = ['GK1.demo.', 'g001.179876\r', '\nnext\r'];
    let sent = 0;
    for (const part of parts) {
      await pty.write(part);
      sent += Buffer.byteLength(part);
      // Wait until the reader has received this part, so the next one arrives as its own chunk.
      await until(() => r.reader.stats.bytesReceived >= sent, 'the chunk to arrive');
    }
    await until(() => r.reads.length >= 2, 'two scans');
    expect(r.reader.stats.chunksReceived).toBeGreaterThanOrEqual(3);
    expect(r.values()).toEqual(['GK1.demo.g001.179876', 'next']);
    expect(r.errors).toEqual([]);
  });

  it('rejects binary garbage without echoing it and reads the next good line', async () => {
    const r = make();
    await r.reader.open();
    await pty.write(Buffer.from([0x01, 0x02, 0x53, 0x45, 0x43, 0x52, 0x45, 0x54, 0x1b, 0x0d]));
    await pty.write(Buffer.from([0x53, 0x45, 0x43, 0xff, 0xfe, 0x80, 0x0a]));
    await pty.write('good\r\n');
    await until(() => r.reads.length >= 1, 'the good line');
    expect(r.values()).toEqual(['good']);
    expect(r.errors).toEqual([
      { code: 'unrecognised_input', message: 'scan contains control characters' },
      { code: 'unrecognised_input', message: 'scan is not valid UTF-8 text' },
    ]);
    expect(JSON.stringify(r.errors)).not.toMatch(/SEC/);
  });

  it('rejects a 10 KiB line whole, resynchronises at its end and keeps reading', async () => {
    const r = make();
    await r.reader.open();
    await pty.write('before\r');
    await pty.write(`${'A'.repeat(10 * 1024)}\r\n`);
    await pty.write('after\r');
    await until(() => r.reads.length >= 2, 'the lines around the long one');
    expect(r.values()).toEqual(['before', 'after']);
    expect(r.errors).toEqual([{ code: 'line_too_long', message: 'scan longer than 2048 bytes dropped' }]);
  });

  it('reports a vanished device, and resumes reading when it comes back', async () => {
    const r = make();
    await r.reader.open();
    await pty.write('one\r');
    await until(() => r.reads.length >= 1, 'the first scan');

    await pty.stop();
    await until(() => r.events.length >= 2, 'detached');
    expect(r.events).toEqual(['attached', 'detached:device disconnected']);

    await pty.start();
    await until(() => r.events.length >= 3, 'attached again');
    expect(r.events).toEqual(['attached', 'detached:device disconnected', 'attached']);
    await pty.write('two\r\n');
    await until(() => r.reads.length >= 2, 'the scan after the re-plug');
    expect(r.values()).toEqual(['one', 'two']);
    expect(r.reader.stats.opens).toBe(2);
  });

  it('notices its device node vanishing even when no read fails, and follows it back', async () => {
    // A udev-style link the test controls: removing it is what an unplug does to /dev, while the pty
    // itself stays up, so only the presence check can notice.
    const link = join(pty.dir, 'ttyACM0');
    await symlink(pty.device, link);
    const r = make({ path: link, presenceCheckMs: 20, retryInitialMs: 20 });
    await r.reader.open();
    await pty.write('one\r');
    await until(() => r.reads.length >= 1, 'the first scan');

    await unlink(link);
    await until(() => r.events.length >= 2, 'detached');
    expect(r.events).toEqual(['attached', 'detached:device disconnected']);

    await symlink(pty.device, link);
    await until(() => r.events.length >= 3, 'attached again');
    await pty.write('two\r');
    await until(() => r.reads.length >= 2, 'the scan after the re-plug');
    expect(r.values()).toEqual(['one', 'two']);
  });

  it('starts with the device absent, reports it detached, and attaches when it appears', async () => {
    await pty.stop();
    const r = make();
    await r.reader.open(); // must not reject: a kiosk starts even with the scanner unplugged
    expect(r.events).toEqual(['detached:device not available']);
    await pty.start();
    await until(() => r.events.length >= 2, 'attached');
    expect(r.events).toEqual(['detached:device not available', 'attached']);
    await pty.write('hello\r');
    await until(() => r.reads.length >= 1, 'the scan');
    expect(r.values()).toEqual(['hello']);
  });

  it('close() releases the device and is idempotent', async () => {
    const r = make();
    await r.reader.open();
    await r.reader.close();
    await r.reader.close();
    expect(r.events).toEqual(['attached', 'detached:closed']);
    // The device is free again: a second reader can open it (serialport locks the tty exclusively).
    const other = make();
    await other.reader.open();
    expect(other.events).toEqual(['attached']);
    await pty.write('x\r');
    await until(() => other.reads.length >= 1, 'the scan on the second reader');
    expect(r.reads).toEqual([]);
  });

  it('is what createReader returns for a serial:PATH,BAUD spec', async () => {
    const reader = createReader(`serial:${pty.device},115200`, { logger: silentLogger() });
    expect(reader).toBeInstanceOf(SerialScannerReader);
    expect(reader.name).toBe('serial');
    const reads: CredentialRead[] = [];
    reader.on('credential', (x) => reads.push(x));
    await reader.open();
    try {
      await pty.write('via-spec\n');
      await until(() => reads.length >= 1, 'the scan');
      expect(reads[0]?.credential).toEqual({ kind: 'qr', value: 'via-spec' });
    } finally {
      await reader.close();
    }
  });
});

describe.runIf(haveSocat)('serial scanner reader: retries, closing and logs', () => {
  let pty: SocatPty;
  const readers: SerialScannerReader[] = [];

  beforeEach(async () => {
    pty = await SocatPty.create();
    await pty.start();
  });

  afterEach(async () => {
    for (const r of readers.splice(0)) await r.close();
    await pty.dispose();
  });

  /** A reader whose log lines (debug and up, parsed) are kept. */
  function logged(
    extra: Partial<SerialReaderOptions> = {},
  ): Recorded & { logs: Record<string, unknown>[]; raw: string[] } {
    const raw: string[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => raw.push(line) } });
    const reader = new SerialScannerReader({
      logger,
      clock: fixedClock('2026-04-01T08:00:00Z'),
      path: pty.device,
      baudRate: 9600,
      ...extra,
    });
    readers.push(reader);
    const rec = record(reader);
    return {
      ...rec,
      raw,
      get logs() {
        return raw.map((l) => JSON.parse(l) as Record<string, unknown>);
      },
    };
  }

  const delays = (logs: Record<string, unknown>[]): unknown[] =>
    logs.filter((l) => l['msg'] === 'serial scanner reopen scheduled').map((l) => l['delayMs']);

  it('backs off exponentially up to the cap, logs the absence once, and starts over after a re-plug', async () => {
    await pty.stop();
    const r = logged({ retryInitialMs: 5, retryMaxMs: 40 });
    await r.reader.open();
    await until(() => delays(r.logs).length >= 7, 'seven retries');
    expect(delays(r.logs).slice(0, 7)).toEqual([5, 10, 20, 40, 40, 40, 40]);
    expect(r.logs.filter((l) => l['level'] === 40)).toHaveLength(1);
    expect(r.events).toEqual(['detached:device not available']);

    await pty.start();
    await until(() => r.events.length >= 2, 'attached');
    const before = delays(r.logs).length;
    await pty.stop();
    await until(() => r.events.length >= 3, 'detached');
    await until(() => delays(r.logs).length >= before + 3, 'three more retries');
    expect(delays(r.logs).slice(before, before + 3)).toEqual([5, 10, 20]);
  });

  it('never logs what was scanned, at any level', async () => {
    const r = logged();
    await r.reader.open();
    await pty.write('SECRET-PASS-1\r');
    await pty.write('SECRET\x01\r');
    await pty.write(`${'SECRET'.repeat(1000)}\r`);
    await pty.write('done\r');
    await until(() => r.reads.length >= 2, 'the scans');
    await pty.stop();
    await until(() => r.events.includes('detached:device disconnected'), 'detached');
    await r.reader.close();
    expect(r.errors.map((e) => e.code)).toEqual(['unrecognised_input', 'line_too_long']);
    expect(r.raw.length).toBeGreaterThan(3);
    expect(r.raw.join('')).not.toContain('SECRET');
  });

  it('lets concurrent close() calls wait for the same release, and can be opened again', async () => {
    const r = logged();
    await r.reader.open();
    await Promise.all([r.reader.close(), r.reader.close()]);
    expect(r.events).toEqual(['attached', 'detached:closed']);
    await r.reader.open();
    await pty.write('again\n');
    await until(() => r.reads.length >= 1, 'the scan after reopening');
    expect(r.values()).toEqual(['again']);
    expect(r.events).toEqual(['attached', 'detached:closed', 'attached']);
  });

  it('close() right after open() leaves no lifetime events behind and the device free', async () => {
    const r = logged();
    const opening = r.reader.open();
    const closing = r.reader.close();
    await opening;
    await closing;
    // No lifetime events leaked from the cancelled open, and the device is free.
    expect(r.events.filter((e) => e === 'attached').length).toBe(
      r.events.filter((e) => e === 'detached:closed').length,
    );
    const other = logged();
    await other.reader.open();
    expect(other.events).toEqual(['attached']);
  });
});

describe('createSerialReader', () => {
  it('returns a reader named serial without touching the device until open()', () => {
    const reader = createSerialReader({
      logger: silentLogger(),
      clock: fixedClock('2026-04-01T08:00:00Z'),
      path: '/nonexistent/genkan-tty',
      baudRate: 9600,
    });
    expect(reader.name).toBe('serial');
  });
});
