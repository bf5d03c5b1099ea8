import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AttendanceEvent } from '../protocol/index.ts';
import { describeOnPostgres, type PostgresBackend } from './support/cloud.ts';
import { cloudProcess, cloudReady } from './support/cloud-process.ts';
import { genkanJson, type GenkanProcess } from './support/process.ts';
import { prng } from '../common/random.ts';
import { localDate } from '../common/time.ts';

/**
 * Several stateless cloud replicas on one PostgreSQL database: 20 simulated hubs send overlapping,
 * repeated and simultaneous batches to two `genkan cloud --db` processes at random; one replica is
 * SIGKILLed mid-run (hubs whose request failed resend to the other one) and restarted. Afterwards every
 * event is stored exactly once: per facility the count equals what was generated, no id twice, none
 * missing, contents equal, and no id was ever answered "accepted" twice across both replicas.
 */
const HUBS = 20;
const EVENTS_PER_HUB = 150; // 3,000 events in all
const MAX_SLICE = 60;
/**
 * A business day a week back in Tokyo: the replicas run on the real clock, whose time window would refuse
 * a fixed date some day.
 */
const DATE = localDate(new Date(Date.now() - 7 * 86_400_000), 'Asia/Tokyo');
const ADMIN = 'replicas-admin-token-0123456789';

interface Replica {
  name: string;
  proc: GenkanProcess;
  base: string;
  alive: boolean;
}

interface SimHub {
  index: number;
  hubId: string;
  facilityId: string;
  token: string;
  events: AttendanceEvent[];
  acked: Set<string>;
  sent: AttendanceEvent[][];
}

interface BatchAnswer {
  accepted: string[];
  duplicates: string[];
  rejected: unknown[];
}

function makeEvents(hub: number): AttendanceEvent[] {
  return Array.from({ length: EVENTS_PER_HUB }, (_, i) => {
    const seq = i + 1;
    // Spread over the morning of one business day in Tokyo, so that one date reads them all back.
    const minute = 7 * 60 + Math.floor((seq * 240) / EVENTS_PER_HUB);
    const hh = String(Math.floor(minute / 60)).padStart(2, '0');
    const mm = String(minute % 60).padStart(2, '0');
    const ms = String((seq * 7) % 1000).padStart(3, '0');
    return {
      id: randomUUID(),
      type: seq % 2 === 1 ? 'check_in' : 'check_out',
      childId: `c${String(hub).padStart(2, '0')}-${String(seq % 30).padStart(3, '0')}`,
      occurredAt: `${DATE}T${hh}:${mm}:${String(seq % 60).padStart(2, '0')}.${ms}+09:00`,
      deviceId: `kiosk-${(seq % 3) + 1}`,
      seq,
      method: 'card',
      actor: seq % 5 === 0 ? null : `g${String(seq % 30).padStart(3, '0')}`,
    };
  });
}

const sleep = (ms: number) =>
  new Promise<void>((r) => {
    setTimeout(r, ms);
  });

describeOnPostgres('cloud replicas on one PostgreSQL database', (postgres) => {
  let db: PostgresBackend;
  const replicas: Replica[] = [];
  const procs: GenkanProcess[] = [];
  const seed = Number(process.env['GENKAN_FAULT_SEED'] ?? Math.floor(Math.random() * 1e9));

  beforeAll(async () => {
    db = await postgres.backend();
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await db.remove();
  });

  const startReplica = async (name: string): Promise<Replica> => {
    const proc = cloudProcess(name, db.location, ADMIN);
    procs.push(proc);
    const { base } = await cloudReady(proc);
    return { name, proc, base, alive: true };
  };

  it('20 hubs, overlapping and repeated batches to both replicas, one SIGKILLed: every event once', async () => {
    console.log(`replica fault seed ${seed} (set GENKAN_FAULT_SEED to replay)`);
    const rand = prng(seed);
    try {
      await run(rand);
    } catch (err) {
      console.error(`FAILED with replica fault seed ${seed}`);
      throw err;
    }
  });

  async function run(rand: () => number): Promise<void> {
    // Both replicas start together on the empty database: they race for the migration advisory lock.
    replicas.push(...(await Promise.all([startReplica('cloud-a'), startReplica('cloud-b')])));

    // Hubs registered while the replicas run: they cache nothing about hubs, so new tokens work at once.
    const hubs: SimHub[] = [];
    for (let start = 0; start < HUBS; start += 5) {
      const added = await Promise.all(
        Array.from({ length: Math.min(5, HUBS - start) }, (_, k) => {
          const i = start + k;
          const hubId = `hub-${String(i).padStart(2, '0')}`;
          const facilityId = `fac-${String(i).padStart(2, '0')}`;
          return genkanJson<{ token: string }>([
            'cloud',
            'hub',
            'add',
            hubId,
            '--facility',
            facilityId,
            '--db',
            db.url,
          ]).then(({ token }) => ({
            index: i,
            hubId,
            facilityId,
            token,
            events: makeEvents(i),
            acked: new Set<string>(),
            sent: [],
          }));
        }),
      );
      hubs.push(...added);
    }

    // Every id any replica ever answered as accepted, with how often: more than once would be a double store.
    const acceptedTimes = new Map<string, number>();
    let failedRequests = 0;
    let retryAfterWaits = 0;

    const liveReplicas = () => replicas.filter((r) => r.alive);
    const pick = (avoid?: Replica): Replica => {
      const live = liveReplicas().filter((r) => r !== avoid);
      const choice = live.length > 0 ? live : liveReplicas();
      const r = choice[Math.floor(rand() * choice.length)];
      if (r === undefined) throw new Error('no live replica');
      return r;
    };

    /** One POST; undefined when the request failed (connection refused or reset, 5xx), as a hub sees it. */
    const post = async (
      replica: Replica,
      hub: SimHub,
      batch: AttendanceEvent[],
    ): Promise<BatchAnswer | { retryAfterMs: number } | undefined> => {
      try {
        const res = await fetch(`${replica.base}/v1/batches`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.token}` },
          body: JSON.stringify({ hubId: hub.hubId, facilityId: hub.facilityId, events: batch }),
          signal: AbortSignal.timeout(15_000),
        });
        if (res.status === 429 || (res.status === 503 && res.headers.has('retry-after'))) {
          // A rate limit or a saturated server: wait as told, then resend, as a real hub does.
          const after = Number(res.headers.get('retry-after') ?? '1');
          await res.body?.cancel();
          return { retryAfterMs: (Number.isFinite(after) ? after : 1) * 1000 };
        }
        if (res.status >= 500) {
          await res.body?.cancel();
          return undefined;
        }
        if (res.status !== 200) throw new Error(`${replica.name}: ${res.status} ${await res.text()}`);
        return (await res.json()) as BatchAnswer;
      } catch (err) {
        if (err instanceof Error && err.message.startsWith(`${replica.name}:`)) throw err;
        return undefined;
      }
    };

    /** Sends until some replica answers for the whole batch; records the answer. */
    const deliver = async (hub: SimHub, batch: AttendanceEvent[], first: Replica): Promise<void> => {
      let replica = first;
      for (let attempt = 1; ; attempt++) {
        const answer = await post(replica, hub, batch);
        if (answer !== undefined && 'accepted' in answer) {
          expect(answer.rejected, `${hub.hubId} rejected`).toEqual([]);
          const answered = new Set([...answer.accepted, ...answer.duplicates]);
          for (const e of batch) expect(answered.has(e.id), `${hub.hubId}: no answer for ${e.id}`).toBe(true);
          for (const id of answer.accepted) acceptedTimes.set(id, (acceptedTimes.get(id) ?? 0) + 1);
          for (const id of answered) hub.acked.add(id);
          return;
        }
        if (answer === undefined) {
          failedRequests++;
          // After an error a hub tries again; with another replica behind the balancer it lands there.
          replica = pick(replica);
          await sleep(20 + rand() * 80);
        } else {
          retryAfterWaits++;
          await sleep(answer.retryAfterMs);
          replica = pick();
        }
        if (attempt > 500) throw new Error(`${hub.hubId}: batch never answered`);
      }
    };

    // The fault: one replica SIGKILLed at a random step (requests of other hubs are in flight then),
    // restarted some steps later.
    let steps = 0;
    const killAt = 30 + Math.floor(rand() * 60);
    const restartAt = killAt + 15 + Math.floor(rand() * 25);
    const victimIndex = Math.floor(rand() * 2);
    let killed: Replica | undefined;
    let restarting: Promise<void> | undefined;
    const onStep = (): void => {
      steps++;
      if (steps === killAt) {
        const victim = replicas[victimIndex];
        if (victim === undefined) throw new Error('no victim');
        victim.alive = false;
        victim.proc.child.kill('SIGKILL');
        killed = victim;
        console.log(`step ${steps}: SIGKILL ${victim.name}`);
      }
      if (steps === restartAt && killed !== undefined) {
        const dead = killed;
        console.log(`step ${steps}: restarting ${dead.name}`);
        restarting = (async () => {
          await dead.proc.exited;
          const fresh = await startReplica(`${dead.name}-restarted`);
          replicas.push(fresh);
          console.log(`step ${steps}: ${fresh.name} ready`);
        })();
      }
    };

    const runHub = async (hub: SimHub, hubRand: () => number): Promise<void> => {
      const firstUnacked = () => hub.events.findIndex((e) => !hub.acked.has(e.id));
      for (let next = firstUnacked(); next >= 0; next = firstUnacked()) {
        onStep();
        const roll = hubRand();
        let batch: AttendanceEvent[];
        if (roll < 0.2 && hub.sent.length > 0) {
          // A re-send of an earlier batch (a hub that lost the answer).
          batch = hub.sent[Math.floor(hubRand() * hub.sent.length)] ?? [];
        } else {
          // A slice starting at or a bit before the first unacknowledged event: overlaps earlier ones.
          const start = Math.max(0, next - Math.floor(hubRand() * 20));
          const len = 1 + Math.floor(hubRand() * MAX_SLICE);
          batch = hub.events.slice(start, start + len);
          hub.sent.push(batch);
        }
        if (roll >= 0.2 && roll < 0.35 && liveReplicas().length >= 2) {
          // The same batch to both replicas at the same moment: two transactions race on the same ids.
          const [a, b] = liveReplicas();
          if (a === undefined || b === undefined) throw new Error('two replicas expected');
          await Promise.all([deliver(hub, batch, a), deliver(hub, batch, b)]);
        } else {
          await deliver(hub, batch, pick());
        }
      }
    };

    await Promise.all(hubs.map((hub) => runHub(hub, prng(seed + 1 + hub.index))));
    await restarting;
    expect(killed, 'the replica was killed during the run').toBeDefined();

    // The restarted replica (or, if the run ended before the restart, the survivor) gets every hub's
    // earlier batches again: all duplicates.
    const last = liveReplicas().at(-1);
    if (last === undefined) throw new Error('no live replica');
    for (const hub of hubs) {
      const batch = hub.sent[Math.floor(rand() * hub.sent.length)] ?? [];
      const answer = await post(last, hub, batch);
      expect(answer && 'accepted' in answer ? answer.accepted : answer, `${hub.hubId} resend`).toEqual([]);
    }
    console.log(
      `${steps} steps, ${failedRequests} failed requests resent, ${retryAfterWaits} Retry-After waits; replicas: ${replicas
        .map((r) => `${r.name}${r.alive ? '' : ' (killed)'}`)
        .join(', ')}`,
    );

    // No id was ever answered "accepted" twice, across both replicas.
    const twice = [...acceptedTimes].filter(([, n]) => n > 1);
    expect(twice, 'ids accepted more than once').toEqual([]);

    // Straight from PostgreSQL: per facility the count generated, no id twice, the right uploader.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{
        facility_id: string;
        n: string;
        distinct_ids: string;
        hub_ids: string[];
      }>(
        `SELECT facility_id, count(*) AS n, count(DISTINCT id) AS distinct_ids,
                array_agg(DISTINCT hub_id) AS hub_ids
         FROM events GROUP BY facility_id ORDER BY facility_id`,
      );
      expect(rows.map((r) => r.facility_id)).toEqual(hubs.map((h) => h.facilityId));
      for (const hub of hubs) {
        const row = rows.find((r) => r.facility_id === hub.facilityId);
        expect(Number(row?.n), `${hub.facilityId} count`).toBe(EVENTS_PER_HUB);
        expect(Number(row?.distinct_ids), `${hub.facilityId} distinct ids`).toBe(EVENTS_PER_HUB);
        expect(row?.hub_ids, `${hub.facilityId} uploader`).toEqual([hub.hubId]);
      }
    } finally {
      await client.end();
    }

    // Through the API of a live replica: nothing missing, contents equal to what was generated.
    const reader = liveReplicas()[0];
    if (reader === undefined) throw new Error('no live replica');
    for (const hub of hubs) {
      const res = await fetch(`${reader.base}/v1/facilities/${hub.facilityId}/events?date=${DATE}`, {
        headers: { authorization: `Bearer ${ADMIN}` },
        signal: AbortSignal.timeout(15_000),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { events: AttendanceEvent[] };
      const stored = [...body.events].sort((a, b) => a.seq - b.seq);
      expect(stored, `${hub.facilityId} contents`).toStrictEqual(hub.events);
    }
  }
});
