import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { addStaff } from '../access/staff-accounts.ts';
import type { RunningHubWithPlain } from '../hub.ts';
import { HubStore } from '../store/hub-store.ts';
import { provision, removeDir, startTestHub, type TestSite } from '../../test/support/hub.ts';

const BOSS = { id: 'boss', name: '園長', pin: '246813', role: 'admin' } as const;

/** POST /api/admin/session over HTTPS trusting `ca`; the Set-Cookie answered. */
function httpsSignIn(port: number, ca: string): Promise<string> {
  const body = JSON.stringify({ staffId: BOSS.id, pin: BOSS.pin });
  return new Promise((resolve, reject) => {
    const req = request(
      `https://127.0.0.1:${port}/api/admin/session`,
      { method: 'POST', ca, timeout: 10_000, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve(String(res.headers['set-cookie']));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The hub's HTTP listeners: the same routes on HTTPS and (with --plain) HTTP; session cookies Secure over
 * HTTPS, and over plain HTTP only when a trusted proxy says the browser used HTTPS.
 */
describe('HTTPS and plain HTTP listeners', () => {
  let site: TestSite;
  let hub: RunningHubWithPlain | undefined;
  afterEach(async () => {
    await hub?.close();
    await removeDir(site.dir);
  });

  const start = async (trustProxy?: boolean) => {
    site = await provision(0);
    const store = HubStore.open(site.dir);
    await addStaff(store, BOSS);
    store.close();
    hub = await startTestHub(site, trustProxy === undefined ? {} : { trustProxy });
    return hub;
  };
  const plainSignIn = async (port: number, headers: Record<string, string> = {}) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ staffId: BOSS.id, pin: BOSS.pin }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(200);
    return res.headers.get('set-cookie') ?? '';
  };

  it('marks cookies Secure over HTTPS, not over plain HTTP, and ignores X-Forwarded-Proto from anyone', async () => {
    const running = await start();
    const ca = readFileSync(running.tls.caFile, 'utf8');
    expect(await httpsSignIn(running.ports.https, ca)).toMatch(/; Secure/);
    expect(await plainSignIn(running.ports.http)).not.toMatch(/Secure/);
    expect(await plainSignIn(running.ports.http, { 'x-forwarded-proto': 'https' })).not.toMatch(/Secure/);
  });

  it('with trustProxy, believes X-Forwarded-Proto https from the proxy', async () => {
    const running = await start(true);
    expect(await plainSignIn(running.ports.http, { 'x-forwarded-proto': 'https' })).toMatch(/; Secure/);
    expect(await plainSignIn(running.ports.http)).not.toMatch(/Secure/);
  });
});
