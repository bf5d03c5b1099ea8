import { eventually, tempDir, type GenkanProcess, type JsonLine } from './process.ts';
import { provisionSite, startCloud, startHub, type Site } from './site.ts';

/**
 * The site of the ledger tests across processes (test/ledger.test.ts, history.test.ts,
 * ledger-extended.test.ts): a provisioned facility with its roster, a cloud and a hub that relays to it,
 * and requests to both with the admin tokens.
 */

/** The month `back` months before this one (UTC), written YYYY-MM. */
export function monthBack(back: number): string {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
  return `${String(d.getUTCFullYear())}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export interface RelayedSite {
  /** The temporary folder of the site (removed by stop). */
  path: string;
  site: Site;
  hubBase: string;
  cloudBase: string;
  mqttPort: number;
  /** A request to the hub (`/api/…`) with the admin token; a body is sent as JSON. */
  hub(path: string, init?: RequestInit): Promise<Response>;
  /** A GET of the cloud's facility path (`/ledger/…` under /v1/facilities/F) with its admin token. */
  cloud(path: string): Promise<Response>;
  /** Waits until the cloud answers `path` with the hub's bytes of `/api${path}` (the relay is async). */
  relayed(path: string, what: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Provisions a site with `rosterCsv` as its first roster (one kiosk, no generated children), runs
 * `prepare` on it (staff accounts, files) before anything starts, then starts the cloud and the hub
 * relaying to it.
 */
export async function startRelayedSite(
  prefix: string,
  rosterCsv: string,
  prepare: (site: Site, path: string) => Promise<void> = async () => {},
): Promise<RelayedSite> {
  const dir = await tempDir(prefix);
  const site = await provisionSite(dir.path, {
    kiosks: 1,
    children: 0,
    roster: { csv: rosterCsv, cards: [] },
  });
  await prepare(site, dir.path);
  const procs: GenkanProcess[] = [];
  const stop = async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await dir.remove();
  };
  let cloudBase = '';
  let ready: JsonLine = {};
  try {
    const cloud = startCloud(site);
    procs.push(cloud);
    cloudBase = `http://127.0.0.1:${String((await cloud.ready())['http'])}`;
    const hubProcess = startHub(site, { cloudUrl: cloudBase });
    procs.push(hubProcess);
    ready = await hubProcess.ready();
  } catch (err) {
    await stop();
    throw err;
  }
  const hubBase = `http://127.0.0.1:${String(ready['http'])}`;
  const hub = (path: string, init: RequestInit = {}) =>
    fetch(`${hubBase}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${site.adminToken}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
    });
  const cloudGet = (path: string) =>
    fetch(`${cloudBase}/v1/facilities/${site.facilityId}${path}`, {
      headers: { authorization: `Bearer ${site.cloudAdminToken}` },
    });
  return {
    path: dir.path,
    site,
    hubBase,
    cloudBase,
    mqttPort: Number(ready['mqtt']),
    hub,
    cloud: cloudGet,
    relayed: async (path, what) => {
      const answer = await hub(`/api${path}`);
      if (answer.status !== 200) throw new Error(`the hub answers ${path} with ${String(answer.status)}`);
      const mine = Buffer.from(await answer.arrayBuffer());
      await eventually(
        async () => {
          const res = await cloudGet(path);
          return res.status === 200 && Buffer.from(await res.arrayBuffer()).equals(mine) ? true : undefined;
        },
        60_000,
        what,
      );
    },
    stop,
  };
}
