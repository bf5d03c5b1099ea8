import { afterEach } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import { Relay, type RelayOptions } from '../../edge-hub/relay/relay.ts';
import { FakeCloud, type Handler } from './fake-cloud.ts';

/**
 * The relay as the hub's relay tests run it, started: hub1 of facility f1 in Asia/Tokyo, silent, with
 * quick retries and polls so that a test waits milliseconds for them (`options` override any of it).
 */
export function startTestRelay(
  store: RelayOptions['store'],
  url: string,
  options: Partial<RelayOptions> = {},
): Relay {
  const relay = new Relay({
    url,
    token: 'hub1.secret',
    facilityId: 'f1',
    timeZone: 'Asia/Tokyo',
    store,
    logger: silentLogger(),
    baseDelayMs: 5,
    maxDelayMs: 20,
    configErrorDelayMs: 20,
    pollIntervalMs: 10,
    ...options,
  });
  relay.start();
  return relay;
}

export interface RelayToFakeCloud {
  /** The relay of the current test, once started. */
  readonly relay: Relay | undefined;
  /** The FakeCloud it talks to, once started. */
  readonly cloud: FakeCloud | undefined;
  /** Starts a FakeCloud answering with `handler`, and a test relay (startTestRelay) to it. */
  start(store: RelayOptions['store'], handler: Handler, options?: Partial<RelayOptions>): Promise<Relay>;
}

/**
 * Registers a relay to a FakeCloud for each test of the calling describe block, both closed after the test.
 * Call it after registering the store (useTempHubStore), so that the relay is closed before the store.
 */
export function useRelayToFakeCloud(): RelayToFakeCloud {
  let relay: Relay | undefined;
  let cloud: FakeCloud | undefined;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
    await cloud?.close();
    cloud = undefined;
  });
  return {
    get relay() {
      return relay;
    },
    get cloud() {
      return cloud;
    },
    async start(store, handler, options = {}) {
      cloud = new FakeCloud(handler);
      relay = startTestRelay(store, await cloud.listen(), options);
      return relay;
    },
  };
}
