import { decodeJson } from '../../protocol/decode.ts';
import {
  UI_EVENT_MAX_BYTES,
  UiEventSchema,
  WsClientFrameSchema,
  WsServerFrameSchema,
  type GenkanKioskApi,
  type UiCommand,
  type UiEvent,
  type UiReply,
} from '../common/ui-api.ts';

/**
 * The screen's link to the kiosk agent: the API plus whether the agent is reachable at all (browser
 * mode can lose the socket when the agent restarts; Electron IPC cannot).
 */
export interface KioskTransport {
  readonly api: GenkanKioskApi;
  onConnection(listener: (connected: boolean) => void): () => void;
}

export const REQUEST_TIMEOUT_MS = 5000;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5000;
/** Events that arrive before the screen subscribes (the state sent on connect) wait here. */
const MAX_QUEUED_EVENTS = 32;

function warn(message: string): void {
  // eslint-disable-next-line no-console -- a dropped frame is a protocol bug worth seeing in devtools
  console.warn(`genkan: ${message}`);
}

function failure(code: string, message: string): UiReply {
  return { ok: false, code, message };
}

/** The browser-mode socket address: `ws` next to the page (`/k/<token>/ws`). */
export function agentSocketUrl(pageUrl: string): URL {
  const url = new URL('ws', pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  return url;
}

interface Pending {
  resolve: (reply: UiReply) => void;
  timer: number;
}

/** GenkanKioskApi over the agent's WebSocket, reconnecting with backoff for as long as the page lives. */
export function createWsTransport(url: URL): KioskTransport {
  const eventListeners = new Set<(event: UiEvent) => void>();
  const connectionListeners = new Set<(connected: boolean) => void>();
  const pending = new Map<number, Pending>();
  const queued: UiEvent[] = [];
  let lastState: UiEvent | null = null;
  let socket: WebSocket | null = null;
  let open = false;
  let nextId = 0;
  let backoffMs = BACKOFF_MIN_MS;

  const setOpen = (value: boolean): void => {
    if (open === value) return;
    open = value;
    for (const listener of connectionListeners) listener(value);
  };

  const deliver = (event: UiEvent): void => {
    if (event.type === 'state') lastState = event;
    if (eventListeners.size === 0) {
      queued.push(event);
      if (queued.length > MAX_QUEUED_EVENTS) queued.shift();
      return;
    }
    for (const listener of eventListeners) listener(event);
  };

  const onMessage = (data: unknown): void => {
    if (typeof data !== 'string' || data.length > UI_EVENT_MAX_BYTES) {
      warn('ignored a frame that is not text or too large');
      return;
    }
    const parsed = decodeJson(WsServerFrameSchema, data);
    if (!parsed.ok) {
      warn(
        parsed.problem === 'not_json'
          ? 'ignored a frame that is not JSON'
          : `ignored an invalid frame: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
      return;
    }
    const frame = parsed.value;
    if ('event' in frame) {
      deliver(frame.event);
      return;
    }
    const request = pending.get(frame.id);
    if (request === undefined) return; // already timed out
    pending.delete(frame.id);
    window.clearTimeout(request.timer);
    request.resolve(frame.reply);
  };

  const failAll = (): void => {
    for (const [id, request] of pending) {
      window.clearTimeout(request.timer);
      request.resolve(failure('disconnected', 'the kiosk agent connection closed'));
      pending.delete(id);
    }
  };

  const connect = (): void => {
    const ws = new WebSocket(url);
    socket = ws;
    ws.addEventListener('open', () => {
      backoffMs = BACKOFF_MIN_MS;
      setOpen(true);
    });
    ws.addEventListener('message', (e: MessageEvent) => {
      onMessage(e.data);
    });
    ws.addEventListener('close', () => {
      if (socket !== ws) return;
      socket = null;
      failAll();
      setOpen(false);
      // Jitter keeps several kiosk tabs from hammering a restarting agent in step.
      const delay = backoffMs * (0.75 + Math.random() * 0.5);
      backoffMs = Math.min(BACKOFF_MAX_MS, backoffMs * 2);
      window.setTimeout(connect, delay);
    });
    // 'error' is always followed by 'close', which does the work.
  };

  const send = (command: UiCommand): Promise<UiReply> => {
    const ws = socket;
    if (ws === null || !open || ws.readyState !== WebSocket.OPEN) {
      return Promise.resolve(failure('disconnected', 'the kiosk agent is not reachable'));
    }
    const id = nextId++;
    const frame = WsClientFrameSchema.safeParse({ id, command });
    if (!frame.success) return Promise.resolve(failure('invalid', 'the command is not valid'));
    return new Promise<UiReply>((resolve) => {
      const timer = window.setTimeout(() => {
        pending.delete(id);
        resolve(failure('timeout', `no reply within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      pending.set(id, { resolve, timer });
      try {
        ws.send(JSON.stringify(frame.data));
      } catch {
        window.clearTimeout(timer);
        pending.delete(id);
        resolve(failure('disconnected', 'the kiosk agent is not reachable'));
      }
    });
  };

  connect();

  const api: GenkanKioskApi = {
    onEvent(listener) {
      const first = eventListeners.size === 0;
      eventListeners.add(listener);
      if (first && queued.length > 0) {
        for (const event of queued.splice(0)) listener(event);
      } else if (lastState !== null) {
        // The contract: a new subscriber hears the current state first.
        listener(lastState);
      }
      return () => {
        eventListeners.delete(listener);
      };
    },
    setIncluded: (tapId, childId, included) => send({ op: 'set_included', tapId, childId, included }),
    undo: (tapId) => send({ op: 'undo', tapId }),
    flip: (tapId) => send({ op: 'flip', tapId }),
    confirm: (tapId) => send({ op: 'confirm', tapId }),
    submitQr: (value) => send({ op: 'qr', value }),
    cameraStatus: (status) => send({ op: 'camera', status }),
    openMaintenance: (pin) => send({ op: 'maintenance_open', pin }),
    closeMaintenance: () => send({ op: 'maintenance_close' }),
    startEnrollment: (guardianId) => send({ op: 'enroll_start', guardianId }),
    cancelEnrollment: () => send({ op: 'enroll_cancel' }),
    openFamilies: () => send({ op: 'families_open' }),
    submitGuardianPin: (guardianId, pin) => send({ op: 'guardian_pin', guardianId, pin }),
  };

  return {
    api,
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(open);
      return () => {
        connectionListeners.delete(listener);
      };
    },
  };
}

/** The screen handles failure replies, not rejections: an IPC error becomes one. */
function settled(reply: Promise<UiReply>): Promise<UiReply> {
  return reply.catch(() => failure('ipc', 'the kiosk agent did not answer'));
}

/**
 * Electron mode: the preload's API, with incoming events checked again here (a renderer trusts no
 * message it did not validate) and a connection that is always up.
 */
export function electronTransport(preload: GenkanKioskApi): KioskTransport {
  const api: GenkanKioskApi = {
    onEvent(listener) {
      return preload.onEvent((event: unknown) => {
        const parsed = UiEventSchema.safeParse(event);
        if (parsed.success) listener(parsed.data);
        else warn('ignored an invalid event from the preload');
      });
    },
    setIncluded: (tapId, childId, included) => settled(preload.setIncluded(tapId, childId, included)),
    undo: (tapId) => settled(preload.undo(tapId)),
    flip: (tapId) => settled(preload.flip(tapId)),
    confirm: (tapId) => settled(preload.confirm(tapId)),
    submitQr: (value) => settled(preload.submitQr(value)),
    cameraStatus: (status) => settled(preload.cameraStatus(status)),
    openMaintenance: (pin) => settled(preload.openMaintenance(pin)),
    closeMaintenance: () => settled(preload.closeMaintenance()),
    startEnrollment: (guardianId) => settled(preload.startEnrollment(guardianId)),
    cancelEnrollment: () => settled(preload.cancelEnrollment()),
    openFamilies: () => settled(preload.openFamilies()),
    submitGuardianPin: (guardianId, pin) => settled(preload.submitGuardianPin(guardianId, pin)),
  };
  return {
    api,
    onConnection(listener) {
      listener(true);
      return () => undefined;
    },
  };
}
