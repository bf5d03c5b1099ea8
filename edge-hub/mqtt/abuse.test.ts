import type { Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import { topics } from '../../protocol/index.ts';
import { connectPacket, rawConnect, rawLogin, subscribePacket } from '../../test/support/mqtt-raw.ts';
import { createCa, issueServerCertificate, type KeyedCertificate } from '../tls/certificates.ts';
import { startBroker, type BrokerOptions, type HubBroker } from './broker.ts';

/**
 * The broker against abusive clients (issue 15): failed logins limited per source address before any
 * password check, keepalive required, a device that stops reading dropped. The broker runs in process
 * with an injected password check that counts its calls.
 */
const PASSWORD = 'right-password';
const other = '127.0.0.2'; // the flood's source; devices connect from 127.0.0.1

let ca: KeyedCertificate;
let server: KeyedCertificate;
beforeAll(async () => {
  const now = new Date();
  ca = await createCa('f1', now);
  server = await issueServerCertificate(ca, { dns: ['localhost'], ips: ['127.0.0.1'] }, now);
});

describe('broker against abusive clients', () => {
  let broker: HubBroker | undefined;
  const sockets: Socket[] = [];
  let checks = 0;
  const online = new Map<string, boolean>();
  const changed: ((deviceId: string, up: boolean) => void)[] = [];

  const start = async (extra: Partial<BrokerOptions> = {}) => {
    checks = 0;
    broker = await startBroker({
      host: '127.0.0.1',
      tls: server,
      mqttsPort: 0,
      wssPort: 0,
      mqttPort: 0,
      facilityId: 'f1',
      logger: silentLogger(),
      authenticate: (_id, password) => {
        checks++;
        return Promise.resolve(password === PASSWORD);
      },
      roleOf: () => 'kiosk',
      onEvents: () => undefined,
      onRequest: () => undefined,
      onConnection: (deviceId, up) => {
        online.set(deviceId, up);
        for (const f of changed) f(deviceId, up);
      },
      ...extra,
    });
    return broker;
  };
  const until = (deviceId: string, up: boolean) =>
    new Promise<void>((resolve) => {
      if (online.get(deviceId) === up) resolve();
      else
        changed.push((id, u) => {
          if (id === deviceId && u === up) resolve();
        });
    });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    changed.length = 0;
    online.clear();
    await broker?.close();
    broker = undefined;
  });

  it('refuses an address over its failure limit without checking the password; another address still logs in', async () => {
    const b = await start({ loginLimits: { maxFailures: 3 } });
    const tls = { port: b.ports.mqtts, ca: ca.cert };
    const wrong = { clientId: 'kiosk-1', username: 'kiosk-1', password: 'guess' };
    for (let i = 0; i < 3; i++) {
      expect(await rawLogin({ ...tls, localAddress: other }, wrong)).toBe(4);
    }
    expect(checks).toBe(3);
    // Over the limit: CONNACK 3 (server unavailable), and no password check, even for the right password.
    for (let i = 0; i < 5; i++) {
      expect(await rawLogin({ ...tls, localAddress: other }, { ...wrong, password: PASSWORD })).toBe(3);
    }
    expect(checks).toBe(3);
    expect(b.stats().loginsLimited).toBe(5);
    // The device on its own address is not affected.
    expect(await rawLogin(tls, { clientId: 'kiosk-2', username: 'kiosk-2', password: PASSWORD })).toBe(0);
    expect(checks).toBe(4);
  });

  it('lets a device log in while another address floods it with wrong passwords', async () => {
    const b = await start();
    const tls = { port: b.ports.mqtts, ca: ca.cert };
    const flood = { on: true };
    const codes: (number | 'closed')[] = [];
    const flooding = (async () => {
      while (flood.on) {
        codes.push(
          await rawLogin(
            { ...tls, localAddress: other },
            { clientId: 'kiosk-9', username: 'kiosk-9', password: 'guess' },
          ),
        );
      }
    })();
    // Well into the flood: its address is limited by now.
    await new Promise<void>((resolve) => {
      const poll = () => {
        if (b.stats().loginsLimited >= 20) resolve();
        else setImmediate(poll);
      };
      poll();
    });
    expect(await rawLogin(tls, { clientId: 'kiosk-1', username: 'kiosk-1', password: PASSWORD })).toBe(0);
    flood.on = false;
    await flooding;
    // Only the first ten wrong passwords were checked (DEFAULT_LOGIN_LIMITS), plus the device's.
    expect(checks).toBe(11);
    expect(codes.filter((c) => c === 4)).toHaveLength(10);
    expect(codes.slice(10).every((c) => c === 3)).toBe(true);
  });

  it('refuses a keepalive of 0 or above 300 s with CONNACK 5, without a password check', async () => {
    const b = await start();
    const port = b.ports.mqtt ?? 0;
    const login = { clientId: 'kiosk-1', username: 'kiosk-1', password: PASSWORD };
    expect(await rawLogin({ port }, { ...login, keepalive: 0 })).toBe(5);
    expect(await rawLogin({ port }, { ...login, keepalive: 301 })).toBe(5);
    expect(checks).toBe(0);
    expect(b.stats().keepaliveRefused).toBe(2);
    expect(await rawLogin({ port }, { ...login, keepalive: 300 })).toBe(0);
  });

  it('drops connections from one address beyond its bound of connections not logged in yet', async () => {
    const b = await start({ loginLimits: { maxPendingPerAddress: 2 } });
    const tls = { port: b.ports.mqtts, ca: ca.cert, localAddress: other };
    // Two handshakes done, no CONNECT sent: both hold their address's slots.
    sockets.push(await rawConnect(tls), await rawConnect(tls));
    await expect(rawConnect(tls)).rejects.toThrow();
    expect(b.stats().connectionsRefused).toBe(1);
    // Another address is not affected, and a login frees its slot.
    expect(
      await rawLogin(
        { port: b.ports.mqtts, ca: ca.cert },
        { clientId: 'kiosk-1', username: 'kiosk-1', password: PASSWORD },
      ),
    ).toBe(0);
  });

  it('drops a logged-in device that stops reading while the hub keeps sending to it', async () => {
    const b = await start({ outgoingLimits: { stallMs: 500 } });
    const socket = await rawConnect({ port: b.ports.mqtts, ca: ca.cert });
    sockets.push(socket);
    const connected = until('kiosk-1', true);
    socket.write(
      Buffer.concat([
        connectPacket({ clientId: 'kiosk-1', username: 'kiosk-1', password: PASSWORD, keepalive: 60 }),
        subscribePacket(topics.rollcall('f1'), 1),
      ]),
    );
    await connected;
    // From now on it reads nothing.
    socket.pause();
    const dropped = until('kiosk-1', false);
    const payload = Buffer.alloc(64 * 1024, 0x7b);
    let gone = false;
    void dropped.then(() => (gone = true));
    const pump = () => {
      if (!gone) b.publish(topics.rollcall('f1'), payload, false, () => setImmediate(pump));
    };
    pump();
    await dropped;
    expect(b.stats().slowClientsDropped).toBe(1);
    expect(b.connectedDevices()).toEqual([]);
  });
});
