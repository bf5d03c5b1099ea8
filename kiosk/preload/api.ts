import {
  IPC,
  UiCommandSchema,
  UiEventSchema,
  UiReplySchema,
  type GenkanKioskApi,
  type UiEvent,
  type UiReply,
} from '../common/ui-api.ts';

/** The part of Electron's ipcRenderer the API uses; kept narrow so it never leaks to the page. */
export interface PreloadIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** The hello answer is the state, at most a tap and the maintenance view; anything longer is not from our main. */
const HELLO_MAX = 8;

function failure(code: string, message: string): UiReply {
  return { ok: false, code, message };
}

/**
 * window.genkan for the Electron screen: named methods only, each argument checked before it crosses to
 * main, and every event and reply checked on the way in. Main checks everything again.
 */
export function createKioskApi(ipc: PreloadIpc): GenkanKioskApi {
  async function command(raw: unknown): Promise<UiReply> {
    const parsed = UiCommandSchema.safeParse(raw);
    if (!parsed.success) return failure('bad_command', 'not a valid kiosk command');
    let reply: unknown;
    try {
      reply = await ipc.invoke(IPC.command, parsed.data);
    } catch {
      return failure('ipc_failed', 'the kiosk shell did not answer');
    }
    const checked = UiReplySchema.safeParse(reply);
    return checked.success ? checked.data : failure('bad_reply', 'the kiosk shell sent an invalid reply');
  }

  function onEvent(listener: (event: UiEvent) => void): () => void {
    let active = true;
    // Events that arrive before the hello answer wait behind it, so the screen sees them in order.
    let queue: UiEvent[] | undefined = [];
    const deliver = (event: UiEvent): void => {
      if (active) listener(event);
    };
    const wrapper = (_event: unknown, raw: unknown): void => {
      const parsed = UiEventSchema.safeParse(raw);
      if (!parsed.success) return;
      if (queue !== undefined) queue.push(parsed.data);
      else deliver(parsed.data);
    };
    const flush = (first: readonly UiEvent[]): void => {
      const waiting = queue ?? [];
      queue = undefined;
      for (const event of [...first, ...waiting]) deliver(event);
    };
    ipc.on(IPC.event, wrapper);
    ipc.invoke(IPC.hello).then(
      (raw) => {
        const list: unknown[] = Array.isArray(raw) && raw.length <= HELLO_MAX ? (raw as unknown[]) : [];
        const events = list.flatMap((item) => {
          const parsed = UiEventSchema.safeParse(item);
          return parsed.success ? [parsed.data] : [];
        });
        flush(events);
      },
      () => {
        flush([]);
      },
    );
    return () => {
      active = false;
      ipc.removeListener(IPC.event, wrapper);
    };
  }

  return {
    onEvent,
    setIncluded: (tapId, childId, included) => command({ op: 'set_included', tapId, childId, included }),
    undo: (tapId) => command({ op: 'undo', tapId }),
    flip: (tapId) => command({ op: 'flip', tapId }),
    confirm: (tapId) => command({ op: 'confirm', tapId }),
    submitQr: (value) => command({ op: 'qr', value }),
    cameraStatus: (status) => command({ op: 'camera', status }),
    openMaintenance: (pin) => command({ op: 'maintenance_open', pin }),
    closeMaintenance: () => command({ op: 'maintenance_close' }),
    startEnrollment: (guardianId) => command({ op: 'enroll_start', guardianId }),
    cancelEnrollment: () => command({ op: 'enroll_cancel' }),
    openFamilies: () => command({ op: 'families_open' }),
    submitGuardianPin: (guardianId, pin) => command({ op: 'guardian_pin', guardianId, pin }),
  };
}
