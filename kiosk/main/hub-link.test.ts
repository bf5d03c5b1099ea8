import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import { FakeHub, Recorder } from '../../test/support/kiosk/fake-hub.ts';
import { FreezingProxy } from '../../test/support/kiosk/freezing-proxy.ts';
import { HubLink } from './hub-link.ts';

const FACILITY = 'f1';
const DEVICE = 'kiosk-1';
const PING_AFTER_MS = 200;
const SILENCE_MS = 1500;

let hub: FakeHub;
let proxy: FreezingProxy;
const links: HubLink[] = [];

beforeEach(async () => {
  hub = new FakeHub();
  await hub.start();
  proxy = new FreezingProxy(hub.port);
  await proxy.start();
});
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.close({ online: false })));
  await proxy.stop();
  await hub.stop();
});

/** A link through the proxy, with the online / offline transitions it reports, timed. */
async function connectedLink() {
  const changes = new Recorder<{ online: boolean; at: number }>();
  const messages = new Recorder<string>();
  const link = new HubLink(
    {
      url: proxy.url,
      deviceId: DEVICE,
      password: 'pw',
      logger: silentLogger(),
      reconnectPeriodMs: 100,
      connectTimeoutMs: 5000,
      keepaliveSeconds: 15,
      pingAfterMs: PING_AFTER_MS,
      silenceMs: SILENCE_MS,
    },
    {
      online: () => {
        changes.push({ online: true, at: performance.now() });
      },
      offline: () => {
        changes.push({ online: false, at: performance.now() });
      },
      message: (topic) => {
        messages.push(topic.kind);
      },
      status: () => ({ online: true }),
    },
  );
  links.push(link);
  link.start(FACILITY);
  await changes.until((items) => items.length === 1, 'online');
  return { link, changes, messages };
}

describe('HubLink liveness', () => {
  it('notices a frozen hub (connection open, silent) and reconnects when it answers again', async () => {
    const { link, changes } = await connectedLink();
    proxy.freeze();
    // Well before MQTT's own keepalive (1.5 × 15 s) would notice.
    const offline = await changes.until((items) => items[1], 'offline after the freeze', 10_000);
    expect(offline.online).toBe(false);
    expect(link.online).toBe(false);

    proxy.thaw();
    await changes.until((items) => items[2]?.online, 'online again after the thaw');
    // The new connection carries events again.
    expect(link.publishEvents(JSON.stringify({ events: [] }))).toBe(true);
  });

  it('keeps the link through a pause shorter than the silence limit (a busy hub)', async () => {
    const { changes, messages } = await connectedLink();
    proxy.freeze();
    // The hub's pause itself (a long synchronous commit), not a wait for something to happen.
    await delay(SILENCE_MS / 3);
    proxy.thaw();
    await hub.publishTime(FACILITY, new Date());
    await messages.until((items) => items.includes('time'), 'a message after the pause');
    expect(changes.items.map((c) => c.online)).toEqual([true]);
  });
});
