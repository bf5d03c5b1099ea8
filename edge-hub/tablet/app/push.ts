import { decodeJson } from '../../../protocol/decode.ts';
import { TabletPushSchema, type TabletPush } from '../../../protocol/tablet.ts';

/** Frames larger than this are dropped unread (a roll-call of a large facility is well under it). */
const MAX_FRAME_CHARS = 4_000_000;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10_000;
/**
 * An open socket that brought nothing (not even a heartbeat, sent every 2–2.5 s) for this long is given up
 * and a new one opened: a half-open connection (a dropped Wi-Fi, a hub that stopped) never closes by
 * itself. The view shows stale long before this (state.ts STALE_MS).
 */
const SILENT_RECONNECT_MS = 12_000;
const WATCH_MS = 1_000;

function warn(message: string): void {
  // eslint-disable-next-line no-console -- a dropped frame is a protocol bug worth seeing in devtools
  console.warn(`genkan tablet: ${message}`);
}

/** The push channel's address on the page's host: `/tablet/ws` (whether the page is /tablet or /tablet/). */
export function pushSocketUrl(pageUrl: string): URL {
  const url = new URL('/tablet/ws', pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = '';
  return url;
}

/** Parses one frame; null (after a warning) for anything that is not a valid TabletPush. */
export function parsePushFrame(data: unknown): TabletPush | null {
  if (typeof data !== 'string' || data.length > MAX_FRAME_CHARS) {
    warn('ignored a frame that is not text or too large');
    return null;
  }
  const parsed = decodeJson(TabletPushSchema, data);
  if (!parsed.ok) {
    warn(
      parsed.problem === 'not_json'
        ? 'ignored a frame that is not JSON'
        : `ignored an invalid frame: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
    return null;
  }
  return parsed.value;
}

export interface PushHandlers {
  onPush(push: TabletPush): void;
  onConnection(connected: boolean): void;
}

/**
 * Opens the push channel and keeps it open, reconnecting with jittered backoff (the hub restarts, the
 * tablet's Wi-Fi drops) until the returned function closes it for good.
 */
export function openPush(url: URL, handlers: PushHandlers): () => void {
  let socket: WebSocket | null = null;
  let timer: number | undefined;
  let backoffMs = BACKOFF_MIN_MS;
  let closed = false;
  /** When the open socket last brought a frame (or opened). */
  let heardAt = 0;
  let opened = false;

  const connect = (): void => {
    if (closed) return;
    const ws = new WebSocket(url);
    socket = ws;
    opened = false;
    ws.addEventListener('open', () => {
      backoffMs = BACKOFF_MIN_MS;
      heardAt = Date.now();
      opened = true;
      handlers.onConnection(true);
    });
    ws.addEventListener('message', (e: MessageEvent) => {
      heardAt = Date.now();
      const push = parsePushFrame(e.data);
      if (push !== null) handlers.onPush(push);
    });
    ws.addEventListener('close', () => {
      if (socket !== ws) return;
      socket = null;
      if (closed) return;
      handlers.onConnection(false);
      // Jitter keeps a room full of tablets from reconnecting in step after a hub restart.
      const delay = backoffMs * (0.75 + Math.random() * 0.5);
      backoffMs = Math.min(BACKOFF_MAX_MS, backoffMs * 2);
      timer = window.setTimeout(connect, delay);
    });
    // 'error' is always followed by 'close', which does the work.
  };

  const watch = window.setInterval(() => {
    const ws = socket;
    if (ws === null || !opened || Date.now() - heardAt < SILENT_RECONNECT_MS) return;
    // Its 'close' may come only much later (the closing handshake needs the hub): forget it now.
    socket = null;
    ws.close();
    handlers.onConnection(false);
    connect();
  }, WATCH_MS);

  connect();
  return () => {
    closed = true;
    window.clearTimeout(timer);
    window.clearInterval(watch);
    const ws = socket;
    socket = null;
    ws?.close();
  };
}
