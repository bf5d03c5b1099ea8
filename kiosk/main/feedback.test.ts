import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { topics, type Credential } from '../../protocol/index.ts';
import { createLogger, silentLogger, type Logger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import { TypedEmitter } from '../../hardware/emitter.ts';
import type { CredentialReader, FeedbackSignal, ReaderEventMap } from '../../hardware/reader.ts';
import { CARD_G1, CARD_G3, CARD_UNKNOWN, FACILITY, makeRoster } from '../../test/support/kiosk/fixtures.ts';
import { FEEDBACK_BY_RESULT, type KioskOutputLine, type ReadyLine, type TapLine } from '../common/output.ts';
import { API_READER, startKiosk, type Kiosk } from './agent.ts';
import { KIOSK_DB_FILE } from './store/kiosk-store.ts';
import { FakeHub, Recorder } from '../../test/support/kiosk/fake-hub.ts';

const START = Date.parse('2026-04-01T01:00:00Z');

/** A reader the test drives by hand; with `feedback`, it records each signal in the shared journal. */
class HandReader extends TypedEmitter<ReaderEventMap> implements CredentialReader {
  constructor(
    readonly name: string,
    readonly journal: string[],
  ) {
    super();
  }
  open(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  read(credential: Credential): void {
    this.emit('credential', { credential, at: new Date(START) });
  }
}

/** A reader with an LED/buzzer: how feedback behaves is up to the test. */
class BeepingReader extends HandReader {
  behaviour: 'resolve' | 'reject' | 'hang' = 'resolve';
  feedback(signal: FeedbackSignal): Promise<void> {
    this.journal.push(`feedback ${this.name} ${signal}`);
    switch (this.behaviour) {
      case 'resolve':
        return Promise.resolve();
      case 'reject':
        return Promise.reject(new Error('LED/buzzer command failed'));
      case 'hang':
        return new Promise(() => undefined);
    }
  }
}

let dir: string;
let hub: FakeHub;
const kiosks: Kiosk[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'genkan-feedback-'));
  hub = new FakeHub();
  await hub.start();
});

afterEach(async () => {
  for (const k of kiosks.splice(0)) await k.close();
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
});

const isTap = (l: KioskOutputLine): l is TapLine => 'type' in l && l.type === 'tap';

async function start(
  readers: CredentialReader[],
  journal: string[],
  extra: { debounceMs?: number; logger?: Logger } = {},
): Promise<{ kiosk: Kiosk; out: Recorder<KioskOutputLine> }> {
  const out = new Recorder<KioskOutputLine>();
  const clock: Clock = { now: () => new Date(START) };
  const kiosk = await startKiosk({
    dataDir: dir,
    hubUrl: hub.url,
    deviceId: 'kiosk-1',
    password: 'secret',
    readers,
    logger: extra.logger ?? silentLogger(),
    clock,
    debounceMs: extra.debounceMs ?? 0,
    reconnectPeriodMs: 50,
    output: (line) => {
      if (isTap(line)) journal.push(`line ${line.reader} ${line.result}`);
      out.push(line);
    },
  });
  kiosks.push(kiosk);
  return { kiosk, out };
}

/** Taps are taken off the event loop (a card's hash): waits until the journal has `n` entries. */
async function journalHas(journal: string[], n: number): Promise<void> {
  await vi.waitFor(() => {
    expect(journal.length).toBeGreaterThanOrEqual(n);
  });
}

async function withRoster(out: Recorder<KioskOutputLine>): Promise<void> {
  await hub.publish(topics.roster(FACILITY), makeRoster(), true);
  await out.until((items) => items.find((l): l is ReadyLine => 'ready' in l), 'ready line');
}

describe('reader feedback', () => {
  it('signals each outcome on the reader that read the credential, after its line', async () => {
    const journal: string[] = [];
    const a = new BeepingReader('pcsc', journal);
    const b = new HandReader('serial', journal);
    const { kiosk, out } = await start([a, b], journal, { debounceMs: 30_000 });
    await withRoster(out);

    a.read(CARD_G1);
    a.read(CARD_UNKNOWN);
    a.read({ kind: 'qr', value: 'nobody' });
    a.read(CARD_G3);
    // The same card on another reader is still the same tap: debounced, and that reader has no LED.
    b.read(CARD_G1);
    a.read(CARD_G1);
    await journalHas(journal, 11);
    expect(journal).toEqual([
      'line pcsc ok',
      'feedback pcsc accepted',
      'line pcsc unknown_credential',
      'feedback pcsc refused',
      'line pcsc refused_qr',
      'feedback pcsc refused',
      'line pcsc no_children',
      'feedback pcsc refused',
      'line serial debounced',
      'line pcsc debounced',
      'feedback pcsc refused',
    ]);
    expect(out.items.filter(isTap).map((l) => l.reader)).toEqual([
      'pcsc',
      'pcsc',
      'pcsc',
      'pcsc',
      'serial',
      'pcsc',
    ]);
    // Kiosk.tap() has no reader to signal on; its line names the API.
    expect(await kiosk.tap(CARD_UNKNOWN)).toMatchObject({ result: 'debounced', reader: API_READER });
    expect(journal.at(-1)).toBe(`line ${API_READER} debounced`);
  });

  it('signals refused without a roster', async () => {
    const journal: string[] = [];
    const a = new BeepingReader('pcsc', journal);
    await start([a], journal);
    a.read(CARD_G1);
    await journalHas(journal, 2);
    expect(journal).toEqual(['line pcsc no_roster', 'feedback pcsc refused']);
  });

  it('signals error when the tap could not be recorded', async () => {
    const journal: string[] = [];
    const a = new BeepingReader('pcsc', journal);
    const { out } = await start([a], journal);
    await withRoster(out);
    // A trigger refusing every insert makes the append fail at once, as a broken disk would.
    const db = new Database(join(dir, KIOSK_DB_FILE));
    db.exec(`CREATE TRIGGER broken BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk failed'); END`);
    a.read(CARD_G1);
    await journalHas(journal, 2);
    expect(journal).toEqual(['line pcsc error', 'feedback pcsc error']);
    // A tap that fails outright (a bug: here the outbox is gone even for reading) still signals error.
    db.exec('DROP TABLE outbox');
    db.close();
    a.read(CARD_G1);
    await journalHas(journal, 3);
    expect(journal.slice(2)).toEqual(['feedback pcsc error']);
  });

  it('neither waits for nor fails on the reader: a hung or failing beep leaves the next tap alone', async () => {
    const journal: string[] = [];
    const logLines: string[] = [];
    const logger = createLogger({
      level: 'debug',
      destination: {
        write: (l: string) => {
          logLines.push(l);
        },
      },
    });
    const a = new BeepingReader('pcsc', journal);
    const { kiosk, out } = await start([a], journal, { logger });
    await withRoster(out);
    a.behaviour = 'hang';
    a.read(CARD_G1);
    a.behaviour = 'reject';
    a.read(CARD_G3);
    await out.until(
      () => logLines.some((l) => l.includes('reader feedback failed')) || undefined,
      'the warning',
    );
    a.behaviour = 'resolve';
    a.read(CARD_UNKNOWN);
    await journalHas(journal, 6);
    expect(journal).toEqual([
      'line pcsc ok',
      'feedback pcsc accepted',
      'line pcsc no_children',
      'feedback pcsc refused',
      'line pcsc unknown_credential',
      'feedback pcsc refused',
    ]);
    expect(kiosk.state().outbox.total).toBe(2);
    for (const card of [CARD_G1, CARD_G3, CARD_UNKNOWN]) expect(logLines.join('')).not.toContain(card.value);
  });

  it('maps every tap result to a signal: only a recorded tap is accepted', () => {
    expect(FEEDBACK_BY_RESULT).toEqual({
      ok: 'accepted',
      needs_confirm: 'refused',
      no_roster: 'refused',
      debounced: 'refused',
      unknown_credential: 'refused',
      no_children: 'refused',
      refused_qr: 'refused',
      error: 'error',
    });
  });
});
