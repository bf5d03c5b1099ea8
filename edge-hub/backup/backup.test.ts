import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GenkanError } from '../../common/errors.ts';
import { schemaVersion } from '../../common/sqlite.ts';
import { makeEvent, removeDir, tempDir, TEST_ROSTER } from '../../test/support/hub.ts';
import { addDevice, verifyDevice } from '../access/devices.ts';
import { importRoster } from '../facility/roster.ts';
import { HubStore } from '../store/hub-store.ts';
import { hubMigrations } from '../store/migrations.ts';
import { createBackup } from './backup.ts';
import { restoreBackup } from './restore.ts';
import { readRestoreMark, RESTORE_MARGIN_MS, RESTORE_MARK_FILE } from './restore-mark.ts';

// A cheap scrypt cost keeps the many restores below fast; the format and checks are the same.
const KDF = { N: 2 ** 10, r: 8, p: 1 };
const PASS = 'correct horse battery staple';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return err instanceof GenkanError ? err.code : `not a GenkanError: ${String(err)}`;
  }
  return 'no error';
}

describe('hub backup and restore', () => {
  let dir: string;
  let hubDir: string;
  let device: { deviceId: string; password: string };
  let meta: ReturnType<HubStore['facility']['meta']>;

  beforeEach(async () => {
    dir = await tempDir();
    hubDir = join(dir, 'hub');
    const store = HubStore.open(hubDir);
    try {
      store.facility.claimFacility('f1', '園');
      importRoster(store, TEST_ROSTER);
      device = await addDevice(store, 'kiosk-1', 'kiosk');
      store.events.insertEvents([makeEvent({ deviceId: 'kiosk-1', seq: 1 })]);
      meta = store.facility.meta();
    } finally {
      store.close();
    }
    await mkdir(join(hubDir, 'tls'), { mode: 0o755 });
    await writeFile(join(hubDir, 'tls', 'hub.key'), 'KEY', { mode: 0o644 });
    await mkdir(join(hubDir, 'logs'));
    await writeFile(join(hubDir, 'logs', 'hub.log'), 'log');
    await writeFile(join(hubDir, 'settings.json.tmp'), 'half-written');
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  const backup = (out = join(dir, 'hub.gkbk'), passphrase = PASS) =>
    createBackup({ dataDir: hubDir, out, passphrase, genkanVersion: 'test', kdf: KDF });
  const restore = (file: string, target = join(dir, 'restored'), passphrase = PASS) =>
    restoreBackup({ file, dataDir: target, passphrase });

  it('round trip: the restored hub has the same keys, devices, events and files, all private', async () => {
    const made = await backup();
    expect(made).toMatchObject({ backup: join(dir, 'hub.gkbk'), facility: 'f1', files: 2 });
    expect(made.bytes).toBe((await stat(made.backup)).size);
    expect((await stat(made.backup)).mode & 0o777).toBe(0o600);
    // Nothing left behind: no temp output, no copy of the database in the data dir.
    expect((await readdir(dir)).sort()).toEqual(['hub', 'hub.gkbk']);
    expect((await readdir(hubDir)).filter((n) => n.startsWith('.backup-'))).toEqual([]);

    const target = join(dir, 'restored');
    expect(await restore(made.backup, target)).toEqual({ restored: true, data: target, facility: 'f1' });
    // The restore marks the hub restored (restore-mark.ts): what came after the backup is caught up on.
    expect((await readdir(target)).sort()).toEqual(['hub.sqlite', RESTORE_MARK_FILE, 'tls']);
    expect(await readFile(join(target, 'tls', 'hub.key'), 'utf8')).toBe('KEY');
    expect((await stat(target)).mode & 0o777).toBe(0o700);
    expect((await stat(join(target, 'tls'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(target, 'tls', 'hub.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(target, 'hub.sqlite'))).mode & 0o777).toBe(0o600);

    const store = HubStore.open(target);
    try {
      expect(store.facility.meta()).toEqual(meta);
      expect(await verifyDevice(store, device.deviceId, device.password)).toBe(true);
      expect(store.outbox.eventsAfter(0, 10)).toHaveLength(1);
    } finally {
      store.close();
    }
  });

  it('restores into an empty folder, and refuses one that holds anything', async () => {
    const made = await backup();
    const empty = join(dir, 'empty');
    await mkdir(empty);
    expect((await restore(made.backup, empty)).restored).toBe(true);
    expect(await codeOf(restore(made.backup, empty))).toBe('data_not_empty');
    expect(await codeOf(restore(made.backup, hubDir))).toBe('data_not_empty');
  });

  it('refuses a short or empty passphrase, and an uninitialised data dir', async () => {
    expect(await codeOf(backup(undefined, 'short pass'))).toBe('weak_passphrase');
    expect(await codeOf(backup(undefined, ''))).toBe('weak_passphrase');
    const bare = join(dir, 'bare');
    await mkdir(bare);
    expect(
      await codeOf(
        createBackup({ dataDir: bare, out: join(dir, 'x'), passphrase: PASS, genkanVersion: 't' }),
      ),
    ).toBe('hub_not_initialised');
    expect(existsSync(join(dir, 'x'))).toBe(false);
    // The passphrase is asked for only once the data dir and the target checked out.
    const asked = () => Promise.reject(new Error('asked for the passphrase'));
    expect(
      await codeOf(
        createBackup({ dataDir: bare, out: join(dir, 'x'), passphrase: asked, genkanVersion: 't' }),
      ),
    ).toBe('hub_not_initialised');
    expect(await codeOf(restoreBackup({ file: join(dir, 'x'), dataDir: hubDir, passphrase: asked }))).toBe(
      'data_not_empty',
    );
    expect(
      await codeOf(
        restoreBackup({ file: join(dir, 'none.gkbk'), dataDir: join(dir, 'r'), passphrase: asked }),
      ),
    ).toBe('bad_backup');
  });

  it('a wrong passphrase is bad_backup and leaves no folder behind', async () => {
    const made = await backup();
    expect(await codeOf(restore(made.backup, undefined, 'another passphrase'))).toBe('bad_backup');
    expect((await readdir(dir)).sort()).toEqual(['hub', 'hub.gkbk']);
  });

  it('a flipped byte anywhere, or a truncated file, is bad_backup and leaves no folder behind', async () => {
    const made = await backup();
    const bytes = await readFile(made.backup);
    const positions = new Set<number>();
    // Every byte of the magic, the header and the key check, then a spread over the ciphertext and the tag.
    const headerEnd = 9 + 4 + bytes.readUInt32BE(9) + 16;
    for (let i = 0; i < headerEnd; i++) positions.add(i);
    for (let i = 0; i < 60; i++) positions.add(headerEnd + Math.floor(((bytes.length - headerEnd) * i) / 60));
    for (let i = bytes.length - 16; i < bytes.length; i++) positions.add(i);
    const bad = join(dir, 'bad.gkbk');
    const failures: string[] = [];
    for (const at of positions) {
      const copy = Buffer.from(bytes);
      copy[at] = (copy[at] ?? 0) ^ 0x01;
      await writeFile(bad, copy);
      const code = await codeOf(restore(bad));
      if (code !== 'bad_backup') failures.push(`byte ${at}: ${code}`);
    }
    for (const length of [
      0,
      5,
      12,
      headerEnd - 1,
      headerEnd,
      headerEnd + 10,
      bytes.length - 17,
      bytes.length - 1,
    ]) {
      await writeFile(bad, bytes.subarray(0, length));
      const code = await codeOf(restore(bad));
      if (code !== 'bad_backup') failures.push(`truncated to ${length}: ${code}`);
    }
    await writeFile(bad, Buffer.concat([bytes, Buffer.from([0])]));
    const extended = await codeOf(restore(bad));
    if (extended !== 'bad_backup') failures.push(`one byte appended: ${extended}`);
    expect(failures).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['bad.gkbk', 'hub', 'hub.gkbk']);
  });

  it('refuses a backup whose database is newer than this Genkan', async () => {
    const store = HubStore.open(hubDir);
    store.db.pragma(`user_version = ${hubMigrations.length + 1}`);
    expect(schemaVersion(store.db)).toBe(hubMigrations.length + 1);
    store.close();
    const made = await backup();
    expect(await codeOf(restore(made.backup))).toBe('backup_too_new');
    expect(existsSync(join(dir, 'restored'))).toBe(false);
  });

  it('a backup written into the data dir itself leaves itself out', async () => {
    const inside = join(hubDir, 'hub.gkbk');
    await backup(inside);
    const again = await backup(inside);
    expect(again.files).toBe(2);
    const target = join(dir, 'restored');
    await restore(again.backup, target);
    expect((await readdir(target)).sort()).toEqual(['hub.sqlite', RESTORE_MARK_FILE, 'tls']);
  });

  it('marks the restored hub with the backup time; a backup of a hub not caught up yet keeps the earlier one', async () => {
    const first = await createBackup({
      dataDir: hubDir,
      out: join(dir, 'first.gkbk'),
      passphrase: PASS,
      genkanVersion: 'test',
      kdf: KDF,
      now: new Date('2026-04-01T09:00:00.000Z'),
    });
    const once = join(dir, 'once');
    await restoreBackup({
      file: first.backup,
      dataDir: once,
      passphrase: PASS,
      now: new Date('2026-04-01T12:00:00Z'),
    });
    const mark = readRestoreMark(once);
    expect(mark).toMatchObject({
      backupCreatedAt: '2026-04-01T09:00:00.000Z',
      restoredAt: '2026-04-01T12:00:00.000Z',
      since: new Date(Date.parse('2026-04-01T09:00:00.000Z') - RESTORE_MARGIN_MS).toISOString(),
      resync: { served: [], clearedAt: null },
      caughtUpAt: null,
    });
    expect((await stat(join(once, RESTORE_MARK_FILE))).mode & 0o777).toBe(0o600);
    // The restored hub is backed up again before it caught up, and that backup restored.
    const second = await createBackup({
      dataDir: once,
      out: join(dir, 'second.gkbk'),
      passphrase: PASS,
      genkanVersion: 'test',
      kdf: KDF,
      now: new Date('2026-04-01T13:00:00.000Z'),
    });
    const twice = join(dir, 'twice');
    await restoreBackup({ file: second.backup, dataDir: twice, passphrase: PASS });
    const again = readRestoreMark(twice);
    expect(again?.backupCreatedAt).toBe('2026-04-01T09:00:00.000Z');
    expect(again?.resync.id).not.toBe(mark?.resync.id);
  });
});
