import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { cpus } from 'node:os';
import mqtt, { type MqttClient } from 'mqtt';
import { newEventId } from '../common/ids.ts';
import { formatRfc3339 } from '../common/time.ts';
import { topics } from '../protocol/index.ts';
import { connectPacket, rawConnect, subscribePacket } from '../test/support/mqtt-raw.ts';
import { tempDir, type GenkanProcess } from '../test/support/process.ts';
import { hubTlsOf, provisionSite, startHub } from '../test/support/site.ts';
import { percentile, round1, writeBenchSection } from './report.ts';

/**
 * The other devices' ack latency while one logged-in device stops reading (issue 15): a hub process,
 * KIOSKS devices over TLS (mqtt.js) subscribed like kiosks (own acks, roll-call, roster), each publishing
 * one event every INTERVAL_MS and timing publish → ack; PHASE_MS without, then PHASE_MS with one more
 * device that subscribes to the roll-call and the roster (asking for the retained roster ROSTER_ASKS
 * times, to fill its socket at once) and then reads nothing, reconnecting and doing the same each time the hub
 * drops it.
 */
const KIOSKS = Number(process.env['BENCH_SLOW_KIOSKS'] ?? 6);
const INTERVAL_MS = Number(process.env['BENCH_SLOW_INTERVAL_MS'] ?? 50);
const PHASE_MS = Number(process.env['BENCH_SLOW_PHASE_MS'] ?? 15_000);
const CHILDREN = 200;
const ROSTER_ASKS = Number(process.env['BENCH_SLOW_ROSTER_ASKS'] ?? 200);

interface Latencies {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

/** Runs the kiosks' load for PHASE_MS; the latencies of the acks that arrived. */
async function measure(clients: MqttClient[], facility: string): Promise<Latencies> {
  const sentAt = new Map<string, number>();
  const times: number[] = [];
  const onMessage = (_topic: string, payload: Buffer) => {
    const text = payload.toString('utf8');
    if (!text.includes('"acked"')) return;
    const ack = JSON.parse(text) as { acked: string[]; rejected: { id: string }[] };
    const now = performance.now();
    for (const id of [...ack.acked, ...ack.rejected.map((r) => r.id)]) {
      const t0 = sentAt.get(id);
      if (t0 === undefined) continue;
      sentAt.delete(id);
      times.push(now - t0);
    }
  };
  for (const c of clients) c.on('message', onMessage);
  let seq = 0;
  const timer = setInterval(() => {
    clients.forEach((c, d) => {
      seq++;
      const child = String((seq % CHILDREN) + 1).padStart(3, '0');
      const event = {
        id: newEventId(),
        type: seq % 2 === 0 ? 'check_in' : 'check_out',
        childId: `c${child}`,
        occurredAt: formatRfc3339(new Date(), 'Asia/Tokyo'),
        deviceId: `kiosk-${String(d + 1)}`,
        seq: Math.floor(seq / clients.length) + 1,
        method: 'card',
        actor: `g${child}`,
      };
      sentAt.set(event.id, performance.now());
      c.publish(topics.events(facility, event.deviceId), JSON.stringify(event), { qos: 1 });
    });
  }, INTERVAL_MS);
  await new Promise((resolve) => setTimeout(resolve, PHASE_MS));
  clearInterval(timer);
  // The last acks: whatever is still missing after 30 s counts as 30 s.
  const deadline = performance.now() + 30_000;
  while (sentAt.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const t0 of sentAt.values()) times.push(deadline - t0);
  for (const c of clients) c.off('message', onMessage);
  times.sort((a, b) => a - b);
  return {
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    max: times.at(-1) ?? NaN,
    count: times.length,
  };
}

/** The device that stops reading: logs in, subscribes, asks for the roster ROSTER_ASKS times, reads nothing. */
async function stopReading(
  port: number,
  ca: string,
  device: { deviceId: string; password: string },
  facility: string,
): Promise<Socket> {
  const socket = await rawConnect({ port, ca });
  socket.on('error', () => undefined);
  const packets = [
    connectPacket({
      clientId: device.deviceId,
      username: device.deviceId,
      password: device.password,
      keepalive: 60,
    }),
    subscribePacket(topics.rollcall(facility), 1, 1),
  ];
  for (let i = 0; i < ROSTER_ASKS; i++) packets.push(subscribePacket(topics.roster(facility), 1, i + 2));
  socket.write(Buffer.concat(packets));
  // Reads the CONNACK's worth, then stops for good.
  await new Promise<void>((resolve) => {
    socket.once('data', () => {
      resolve();
    });
  });
  socket.pause();
  return socket;
}

export async function runSlowReaderBench(): Promise<void> {
  const dir = await tempDir('genkan-bench-slow-');
  let hub: GenkanProcess | undefined;
  const clients: MqttClient[] = [];
  const slowSockets: Socket[] = [];
  try {
    const site = await provisionSite(dir.path, { kiosks: KIOSKS + 1, children: CHILDREN });
    hub = startHub(site);
    const ready = await hub.ready();
    const tls = hubTlsOf(ready);
    const ca = readFileSync(tls.caFile, 'utf8');
    const facility = site.facilityId;
    for (let d = 0; d < KIOSKS; d++) {
      const device = site.devices[d];
      if (!device) throw new Error('no device');
      const c = await mqtt.connectAsync(`mqtts://127.0.0.1:${String(tls.mqtts)}`, {
        protocolVersion: 4,
        reconnectPeriod: 0,
        keepalive: 15,
        ca,
        username: device.deviceId,
        password: device.password,
        clientId: device.deviceId,
      });
      await c.subscribeAsync(
        [topics.acks(facility, device.deviceId), topics.rollcall(facility), topics.roster(facility)],
        { qos: 1 },
      );
      clients.push(c);
    }
    const quiet = await measure(clients, facility);

    const slow = site.devices[KIOSKS];
    if (!slow) throw new Error('no slow device');
    const attack = { on: true };
    let drops = 0;
    const attackLoop = async () => {
      while (attack.on) {
        const socket = await stopReading(tls.mqtts, ca, slow, facility).catch(() => undefined);
        if (socket === undefined) {
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        slowSockets.push(socket);
        // The hub's drop shows here as the connection's end (a reset: the socket is paused).
        const end = await new Promise<'dropped' | 'stopped'>((resolve) => {
          socket.once('close', () => {
            resolve('dropped');
          });
          const check = setInterval(() => {
            if (!attack.on || socket.destroyed) {
              clearInterval(check);
              resolve(socket.destroyed ? 'dropped' : 'stopped');
            }
          }, 100);
          // A paused socket learns of a reset only when it writes: a PINGREQ each second.
          const ping = setInterval(() => {
            if (socket.destroyed) clearInterval(ping);
            else socket.write(Buffer.from([0xc0, 0]));
          }, 1000);
          socket.once('close', () => {
            clearInterval(ping);
          });
        });
        if (end === 'dropped') drops++;
        socket.destroy();
      }
    };
    const attacker = attackLoop();
    const slowPhase = await measure(clients, facility);
    attack.on = false;
    await attacker;

    const ratio = slowPhase.p99 / quiet.p99;
    const date = new Date().toISOString().slice(0, 10);
    const machine = `${String(cpus().length)} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
    console.log(JSON.stringify({ date, quiet, slowPhase, ratio, drops }));
    await writeBenchSection(
      'slow-reader',
      [
        `Measured ${date} on ${machine}; \`BENCH_ONLY=slow-reader npm run bench\`. A hub process; ${String(KIOSKS)} devices over TLS (mqtt.js), subscribed to their acks, the roll-call and the roster, each publishing one event every ${String(INTERVAL_MS)} ms for ${String(PHASE_MS / 1000)} s; latency from publish to the event's ack. Then the same with one more logged-in device that subscribes to the roll-call and asks for the retained roster ${String(ROSTER_ASKS)} times, then reads nothing; each time the hub drops it, it comes back and does it again.`,
        '',
        '| measure | acks | p50 | p99 | max |',
        '| --- | --- | --- | --- | --- |',
        `| without the non-reading device | ${String(quiet.count)} | ${String(round1(quiet.p50))} ms | ${String(round1(quiet.p99))} ms | ${String(round1(quiet.max))} ms |`,
        `| with it (dropped and back ${String(drops)} times) | ${String(slowPhase.count)} | ${String(round1(slowPhase.p50))} ms | ${String(round1(slowPhase.p99))} ms | ${String(round1(slowPhase.max))} ms |`,
        '',
        `p99 with / without: **${String(round1(ratio))}** (goal ≤ 2: ${ratio <= 2 ? 'met' : '**not met**'}).`,
      ],
      '## A device that stops reading (issue 15)',
    );
  } finally {
    for (const s of slowSockets) s.destroy();
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await hub?.stop();
    await dir.remove();
  }
}
