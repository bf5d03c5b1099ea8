import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../common/logger.ts';
import { errorMessage } from '../common/errors.ts';
import { requirePrereq } from '../test/support/prereq.ts';
import { PCSC_DEFAULTS } from './pcsc.ts';
import { createReader, type CredentialReader } from './reader.ts';
import { PrivatePcscd, hasVpcdDriver, nfcPcscLoads, pcscdPath } from '../test/support/hardware/pcscd.ts';
import { record } from '../test/support/hardware/reader-events.ts';
import { FELICA_ATR, VirtualCard } from '../test/support/hardware/vpcd-card.ts';
import { until } from '../test/support/wait.ts';

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
  const CHANNEL = 0x5c60; // vpcd ports 23648/23649; test/pcsc-checkin.test.ts uses another
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
    // Starting a daemon and attaching its reader took over 10 s once on a loaded 2-core CI machine.
  }, 30_000);

  afterAll(async () => {
    await Promise.all(cards.map((c) => c.remove()));
    // A failed start leaves these unset, and its own error is the one to report.
    await (reader as CredentialReader | undefined)?.close();
    await (pcscd as PrivatePcscd | undefined)?.dispose();
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
