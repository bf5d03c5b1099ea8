import { describe, expect, it } from 'vitest';
import { IPC, type UiEvent } from '../common/ui-api.ts';
import { createKioskApi, type PreloadIpc } from './api.ts';

const TAP_ID = '0b7c3f7e-3c1a-4d59-9a53-2b8f8d6f0c11';
const TAP: UiEvent = { type: 'tap', tap: { result: 'no_roster' } };

type Listener = (event: unknown, ...args: unknown[]) => void;

function fakeIpc(hello: unknown = []) {
  const invoked: { channel: string; args: unknown[] }[] = [];
  const listeners = new Set<Listener>();
  let answerHello: (value: unknown) => void = () => undefined;
  const ipc: PreloadIpc = {
    invoke(channel, ...args) {
      invoked.push({ channel, args });
      if (channel === IPC.hello) return new Promise((resolve) => (answerHello = resolve));
      return Promise.resolve({ ok: true });
    },
    on(_channel, listener) {
      listeners.add(listener);
    },
    removeListener(_channel, listener) {
      listeners.delete(listener);
    },
  };
  return {
    ipc,
    invoked,
    listeners,
    emit: (raw: unknown) => {
      for (const l of listeners) l({ sender: 'ipc-renderer-event' }, raw);
    },
    answerHello: () => {
      answerHello(hello);
    },
  };
}

describe('preload API', () => {
  it('validates arguments before invoking and sends named commands only', async () => {
    const fake = fakeIpc();
    const api = createKioskApi(fake.ipc);
    expect(await api.undo('not-a-uuid')).toMatchObject({ ok: false, code: 'bad_command' });
    expect(await api.submitQr('')).toMatchObject({ ok: false, code: 'bad_command' });
    expect(await api.cameraStatus('exploded' as 'on')).toMatchObject({ ok: false, code: 'bad_command' });
    expect(fake.invoked).toEqual([]);
    expect(await api.setIncluded(TAP_ID, 'c1', false)).toEqual({ ok: true });
    expect(fake.invoked).toEqual([
      { channel: IPC.command, args: [{ op: 'set_included', tapId: TAP_ID, childId: 'c1', included: false }] },
    ]);
    expect(Object.keys(api).sort()).toEqual(
      [
        'cameraStatus',
        'cancelEnrollment',
        'closeMaintenance',
        'confirm',
        'flip',
        'onEvent',
        'openFamilies',
        'openMaintenance',
        'setIncluded',
        'startEnrollment',
        'submitGuardianPin',
        'submitQr',
        'undo',
      ].sort(),
    );
  });

  it('sends the family chooser commands, and refuses a malformed guardian PIN before invoking', async () => {
    const fake = fakeIpc();
    const api = createKioskApi(fake.ipc);
    await expect(api.submitGuardianPin('g1', '12a4')).resolves.toMatchObject({
      ok: false,
      code: 'bad_command',
    });
    await expect(api.submitGuardianPin('g1', '123456789')).resolves.toMatchObject({ ok: false });
    expect(fake.invoked).toEqual([]);
    await api.openFamilies();
    await api.submitGuardianPin('g1', '2468');
    expect(fake.invoked.map((i) => i.args[0])).toEqual([
      { op: 'families_open' },
      { op: 'guardian_pin', guardianId: 'g1', pin: '2468' },
    ]);
  });

  it('sends the maintenance commands, and refuses a malformed PIN or guardian id before invoking', async () => {
    const fake = fakeIpc();
    const api = createKioskApi(fake.ipc);
    expect(await api.openMaintenance('12')).toMatchObject({ ok: false, code: 'bad_command' });
    expect(await api.openMaintenance('12345678901234')).toMatchObject({ ok: false, code: 'bad_command' });
    expect(await api.startEnrollment('')).toMatchObject({ ok: false, code: 'bad_command' });
    expect(fake.invoked).toEqual([]);
    for (const reply of [
      await api.openMaintenance('2468'),
      await api.startEnrollment('g1'),
      await api.cancelEnrollment(),
      await api.closeMaintenance(),
    ]) {
      expect(reply).toEqual({ ok: true });
    }
    expect(fake.invoked.map((i) => i.args[0])).toEqual([
      { op: 'maintenance_open', pin: '2468' },
      { op: 'enroll_start', guardianId: 'g1' },
      { op: 'enroll_cancel' },
      { op: 'maintenance_close' },
    ]);
  });

  it('delivers hello events first, then valid events only, without the IPC event object', async () => {
    const state = { type: 'state', state: { deviceId: 'x' } }; // invalid: dropped
    const fake = fakeIpc([state, TAP]);
    const api = createKioskApi(fake.ipc);
    const seen: unknown[][] = [];
    const unsubscribe = api.onEvent((...args: unknown[]) => seen.push(args));
    const live: UiEvent = { type: 'tap_updated', tap: { result: 'no_roster' } };
    fake.emit(live);
    fake.emit({ type: 'bogus' });
    expect(seen).toEqual([]);
    fake.answerHello();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([[TAP], [live]]);
    unsubscribe();
    expect(fake.listeners.size).toBe(0);
  });
});
