import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, GenkanProcess, NPM_START, tempDir } from './support/process.ts';

/**
 * `genkan demo`, and `npm start` (the build, then the demo) as a newcomer runs it: a tap typed into the
 * simulated reader reaches the hub's roll-call and the cloud.
 */
describe('genkan demo', () => {
  const started: GenkanProcess[] = [];
  const dirs: Awaited<ReturnType<typeof tempDir>>[] = [];
  afterAll(async () => {
    for (const demo of started) await demo.stop('SIGKILL');
    for (const dir of dirs) await dir.remove();
  });

  /** Starts the demo, checks the apps, types a tap and waits for it at the hub and in the cloud. */
  async function tapReachesTheCloud(
    launch: (data: string) => GenkanProcess,
  ): Promise<{ demo: GenkanProcess; hubUrl: string; data: string; adminToken: string }> {
    const dir = await tempDir();
    dirs.push(dir);
    const data = join(dir.path, 'demo');
    const demo = launch(data);
    started.push(demo);
    const banner = await demo.waitFor(
      (l) => String(l['text']).includes('Genkan demo is running'),
      120_000,
      'banner',
    );
    expect(banner).toBeDefined();
    const urlOf = (label: string) => {
      const line = demo.lines.find((l) => String(l['text']).includes(label));
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(String(line?.['text']));
      if (!m) throw new Error(`no ${label} url`);
      return m[0];
    };
    const hubUrl = urlOf('Hub HTTP API');
    // The staff tablet link of this start: the roll-call app with a one-time pairing code.
    expect(
      demo.lines.some((l) =>
        /Staff tablet +http:\/\/127\.0\.0\.1:\d+\/tablet\/#pair=GKP1\./.test(String(l['text'])),
      ),
    ).toBe(true);
    // The director's app, and its demo account works.
    expect(demo.lines.some((l) => String(l['text']).includes(`Admin          ${hubUrl}/admin`))).toBe(true);
    const signIn = await fetch(`${hubUrl}/api/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: hubUrl },
      body: JSON.stringify({ staffId: 'demo-admin', pin: '567890' }),
    });
    expect(signIn.status).toBe(200);
    const cloudUrl = urlOf('Cloud relay');
    const config = JSON.parse(await readFile(join(data, 'demo.json'), 'utf8')) as {
      adminToken: string;
      cloudAdminToken: string;
      facilityId: string;
    };

    demo.write('1\n');
    const tapped = await demo.waitFor((l) => String(l['text']).includes('✔'), 30_000, 'tap result');
    expect(String(tapped['text'])).toMatch(/登園/);

    const rollcall = await eventually(
      async () => {
        const res = await fetch(`${hubUrl}/api/rollcall`, {
          headers: { authorization: `Bearer ${config.adminToken}` },
        });
        const body = (await res.json()) as {
          date: string;
          classes: { children: { id: string; status: string }[] }[];
        };
        const present = body.classes.flatMap((c) => c.children).filter((c) => c.status === 'present');
        return present.length > 0 ? { body, present } : undefined;
      },
      30_000,
      'a present child at the hub',
    );
    expect(rollcall.body.classes.flatMap((c) => c.children)).toHaveLength(100);
    expect(rollcall.body.classes).toHaveLength(6);

    await eventually(
      async () => {
        const res = await fetch(
          `${cloudUrl}/v1/facilities/${config.facilityId}/events?date=${rollcall.body.date}`,
          {
            headers: { authorization: `Bearer ${config.cloudAdminToken}` },
          },
        );
        const body = (await res.json()) as { events: { childId: string }[] };
        const ids = new Set(body.events.map((e) => e.childId));
        return rollcall.present.every((c) => ids.has(c.id)) ? true : undefined;
      },
      30_000,
      'the tap in the cloud',
    );
    return { demo, hubUrl, data, adminToken: config.adminToken };
  }

  /** The first line after `from` (an index into demo.lines) that contains `text`. */
  const lineAfter = (demo: GenkanProcess, from: number, text: string, what: string) =>
    demo.waitFor((l) => demo.lines.indexOf(l) >= from && String(l['text']).includes(text), 30_000, what);

  async function presentAtHub(hubUrl: string, adminToken: string): Promise<number> {
    const res = await fetch(`${hubUrl}/api/rollcall`, { headers: { authorization: `Bearer ${adminToken}` } });
    const body = (await res.json()) as { classes: { children: { status: string }[] }[] };
    return body.classes.flatMap((c) => c.children).filter((c) => c.status === 'present').length;
  }

  it('runs the whole system and a typed tap appears at the hub and in the cloud', async () => {
    const { demo, hubUrl, data, adminToken } = await tapReachesTheCloud(
      (data) => new GenkanProcess('demo', ['demo', '--data', data]),
    );
    // The facility has a display name; its id stays internal.
    const settings = await fetch(`${hubUrl}/api/settings`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(((await settings.json()) as { facilityName: string }).facilityName).toBe('ひまわり保育園（デモ）');

    // Unknown input is answered with the commands.
    let from = demo.lines.length;
    demo.write('hello\n');
    await lineAfter(demo, from, 'Unknown command: hello', 'the unknown command named');
    await lineAfter(demo, from, 'hub stop', 'the help');

    // Offline mode from the prompt: the hub stops, the demo does not; a tap is kept at the kiosk.
    const present = await presentAtHub(hubUrl, adminToken);
    from = demo.lines.length;
    demo.write('hub stop\n');
    await lineAfter(demo, from, 'hub stopped:', 'the hub stopped');
    await expect(fetch(`${hubUrl}/healthz`)).rejects.toThrow();
    await lineAfter(demo, from, 'kiosk offline', 'the kiosk offline');
    from = demo.lines.length;
    demo.write('2\n');
    await lineAfter(demo, from, '✔', 'the offline tap');
    expect(demo.child.exitCode).toBeNull();

    // Back: the kiosk sends what it kept, at the same addresses as before.
    from = demo.lines.length;
    demo.write('hub start\n');
    await lineAfter(demo, from, 'hub started', 'the hub started');
    await lineAfter(demo, from, 'hub stored', 'the kept tap stored at the hub');
    await eventually(
      async () => ((await presentAtHub(hubUrl, adminToken)) > present ? true : undefined),
      30_000,
      'the kept tap in the roll-call',
    );

    // The terminal has human lines only: the processes' logs are in files.
    expect(demo.lines.filter((l) => typeof l['text'] !== 'string')).toEqual([]);
    expect(demo.stderr).not.toMatch(/"level"|\n\s+at /);
    expect(demo.lines.some((l) => String(l['text']).includes(join(data, 'logs')))).toBe(true);
    // The simulated reader's menu names guardians and children: it stays out of the kiosk's log.
    const kioskLog = await readFile(join(data, 'logs', 'kiosk.log'), 'utf8');
    expect(kioskLog).not.toMatch(/\((card|qr)\)$/m);

    await demo.stop('SIGINT');
    expect(demo.child.exitCode).toBe(0);
    // Its services went down with it.
    await expect(fetch(`${hubUrl}/healthz`)).rejects.toThrow();
  });

  it("starts with `npm start`, the newcomer's way in, and Ctrl+C stops it all", async () => {
    const { demo, hubUrl } = await tapReachesTheCloud(
      (data) => new GenkanProcess('npm start', ['--data', data], {}, NPM_START),
    );
    // Ctrl+C in a terminal: SIGINT to the whole foreground process group (npm, its shell, the demo).
    await demo.stop('SIGINT');
    // npm itself ends as a shell's job does on Ctrl+C.
    expect(['SIGINT', 0]).toContain(demo.child.signalCode ?? demo.child.exitCode);
    await expect(fetch(`${hubUrl}/healthz`)).rejects.toThrow();
  });
});
