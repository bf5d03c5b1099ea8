import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEventId } from '../common/ids.ts';
import { formatRfc3339 } from '../common/time.ts';
import { hasCommand, requirePrereq } from './support/prereq.ts';
import { eventually, tempDir, type GenkanProcess } from './support/process.ts';
import { hubEvents, provisionSite, startHub, testDates, type Site } from './support/site.ts';

/**
 * Interoperability: a standard MQTT client that is not ours (Debian's mosquitto-clients) publishes an
 * event with device credentials and receives the ack, and is refused without credentials or on another
 * device's topic.
 */
const available = requirePrereq(
  hasCommand('mosquitto_pub') && hasCommand('mosquitto_sub'),
  'mosquitto_pub/mosquitto_sub',
  'apt-get install -y mosquitto-clients',
);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], onStdout?: (text: string) => void): { done: Promise<Run> } {
  const child = spawn(cmd, args);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    onStdout?.(stdout);
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return {
    done: new Promise((res) =>
      child.on('exit', (code) => {
        res({ code, stdout, stderr });
      }),
    ),
  };
}

describe.runIf(available)('mosquitto-clients against the hub', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let hub: GenkanProcess;
  let mqttPort: number;
  let httpPort: number;
  const startedAt = new Date();

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 2, children: 3 });
    hub = startHub(site);
    const ready = await hub.ready();
    mqttPort = Number(ready['mqtt']);
    httpPort = Number(ready['http']);
  });
  afterAll(async () => {
    await hub.stop();
    await dir.remove();
  });

  const device = (i: number) => {
    const d = site.devices[i];
    if (!d) throw new Error('no device');
    return d;
  };
  const base = () => ['-h', '127.0.0.1', '-p', String(mqttPort), '-V', 'mqttv311', '-q', '1'];
  /** Logs in as a device (client id = device id, as the hub requires) with `password`. */
  const as = (deviceId: string, password: string, clientId = deviceId): string[] => [
    ...base(),
    '-i',
    clientId,
    '-u',
    deviceId,
    '-P',
    password,
  ];
  const event = (deviceId: string, seq: number) => ({
    id: newEventId(),
    type: 'check_in',
    childId: 'c001',
    occurredAt: formatRfc3339(new Date(), 'Asia/Tokyo'),
    deviceId,
    seq,
    method: 'card',
    actor: 'g001',
  });

  it('publishes an event with device credentials, and subscribes with them', async () => {
    // One connection per device: the client id must be the device id, and a second connection of the same
    // device is refused while the first is fresh. So the event is published, then its storage checked, and a
    // subscription shown on its own (the retained roster).
    const d = device(0);
    const e = event(d.deviceId, 1);
    const pub = await run('mosquitto_pub', [
      ...as(d.deviceId, d.password),
      '-t',
      `genkan/v1/${site.facilityId}/devices/${d.deviceId}/events`,
      '-m',
      JSON.stringify(e),
    ]).done;
    expect(pub.code, pub.stderr).toBe(0);
    await eventually(
      async () => {
        const stored = await hubEvents(site, httpPort, testDates(startedAt));
        return stored.some((x) => x.id === e.id) ? true : undefined;
      },
      10_000,
      'the event at the hub',
    );
    const sub = await run('mosquitto_sub', [
      ...as(d.deviceId, d.password),
      '-t',
      `genkan/v1/${site.facilityId}/roster`,
      '-C',
      '1',
      '-W',
      '20',
    ]).done;
    expect(sub.code, sub.stderr).toBe(0);
    expect(JSON.parse(sub.stdout)).toMatchObject({ facilityId: site.facilityId });
  });

  it('refuses a client id that is not the device id', async () => {
    const d = device(0);
    const pub = await run('mosquitto_pub', [
      ...as(d.deviceId, d.password, 'someone-else'),
      '-t',
      `genkan/v1/${site.facilityId}/devices/${d.deviceId}/events`,
      '-m',
      JSON.stringify(event(d.deviceId, 2)),
    ]).done;
    expect(pub.code).not.toBe(0);
    expect(pub.stderr).toMatch(/identifier rejected/i);
  });

  it('refuses a client without credentials and with a wrong password', async () => {
    const topic = `genkan/v1/${site.facilityId}/devices/${device(0).deviceId}/events`;
    const anonymous = await run('mosquitto_pub', [...base(), '-t', topic, '-m', '{}']).done;
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).toMatch(/not authori[sz]ed|refused/i);
    const wrong = await run('mosquitto_pub', [...as(device(0).deviceId, 'wrong'), '-t', topic, '-m', '{}'])
      .done;
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/not authori[sz]ed|refused|bad user name or password/i);
  });

  it("refuses a device on another device's topics and stores nothing", async () => {
    const [a, b] = [device(0), device(1)];
    const before = (await hubEvents(site, httpPort, testDates(startedAt))).length;
    const e = event(b.deviceId, 1);
    const pub = await run('mosquitto_pub', [
      ...as(a.deviceId, a.password),
      '-t',
      `genkan/v1/${site.facilityId}/devices/${b.deviceId}/events`,
      '-m',
      JSON.stringify(e),
    ]).done;
    // aedes (MQTT 3.1.1 has no negative PUBACK) closes the connection of an unauthorised publisher.
    expect(pub.code).not.toBe(0);
    const sub = await run('mosquitto_sub', [
      ...as(a.deviceId, a.password),
      '-t',
      `genkan/v1/${site.facilityId}/devices/${b.deviceId}/acks`,
      '-C',
      '1',
      '-W',
      '3',
      '-d',
    ]).done;
    expect(sub.stdout + sub.stderr).toMatch(/Subscribed \(mid: \d+\): 128|subscription denied|denied/i);
    const after = await hubEvents(site, httpPort, testDates(startedAt));
    expect(after.length).toBe(before);
    expect(after.map((x) => x.id)).not.toContain(e.id);
  });
});
