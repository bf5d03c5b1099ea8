import type { BrowserWindowConstructorOptions, CustomScheme } from 'electron';
import { KIOSK_CSP } from '../../common/ui-api.ts';

/**
 * The kiosk window's security policy, as pure data and predicates so that tests assert it directly.
 * The screen is served from a privileged custom scheme (never http or file) and nothing remote is loaded.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'kiosk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/** Same colour as the idle screen, so a (re)load never flashes white. */
export const WINDOW_BACKGROUND = '#fdfaf3';

/** The same policy as in browser mode (kiosk/common/ui-api.ts). */
export const CONTENT_SECURITY_POLICY = KIOSK_CSP;

/** `standard` gives the scheme an origin and relative URLs; `secure` makes getUserMedia available. */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

export function kioskWindowOptions(options: {
  preloadPath: string;
  devTools: boolean;
}): BrowserWindowConstructorOptions {
  return {
    kiosk: true,
    fullscreen: true,
    frame: false,
    autoHideMenuBar: true,
    closable: false,
    minimizable: false,
    maximizable: false,
    resizable: false,
    movable: false,
    // Shown on ready-to-show: the first paint is the screen, not an empty window.
    show: false,
    backgroundColor: WINDOW_BACKGROUND,
    title: 'Genkan',
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      spellcheck: false,
      devTools: options.devTools,
      preload: options.preloadPath,
    },
  };
}

/** True for URLs of the app's own origin. Node's URL gives custom schemes the origin "null", hence the parts. */
export function isAppUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (
    url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && url.username === '' && url.password === ''
  );
}

/** Navigations and redirects stay inside the app; anything else (a link, a typed URL, a redirect) is stopped. */
export function navigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

export interface PermissionRequestInfo {
  readonly isMainFrame: boolean;
  readonly requestingUrl: string;
  readonly mediaTypes?: readonly ('video' | 'audio')[];
}

/** The camera (QR scanning) is the only permission: video only, for the app's top frame. */
export function permissionRequestAllowed(permission: string, details: PermissionRequestInfo): boolean {
  if (permission !== 'media') return false;
  if (!details.isMainFrame || !isAppUrl(details.requestingUrl)) return false;
  const types = details.mediaTypes ?? [];
  return types.length > 0 && types.every((type) => type === 'video');
}

export interface PermissionCheckInfo {
  readonly isMainFrame: boolean;
  readonly mediaType?: 'video' | 'audio' | 'unknown';
  readonly securityOrigin?: string;
}

export function permissionCheckAllowed(
  permission: string,
  requestingOrigin: string,
  details: PermissionCheckInfo,
): boolean {
  if (permission !== 'media' || details.mediaType !== 'video') return false;
  return (
    isAppUrl(requestingOrigin) && (details.securityOrigin === undefined || isAppUrl(details.securityOrigin))
  );
}

/** The frame that sent an IPC message, as far as the policy needs it. */
export interface SenderFrame {
  readonly url: string;
  readonly parent: unknown;
}

/** Only the app's top frame may talk to the agent (no iframe, no page navigated elsewhere). */
export function trustedSender(frame: SenderFrame | null | undefined): boolean {
  return frame !== null && frame !== undefined && frame.parent === null && isAppUrl(frame.url);
}

export interface KeyInput {
  readonly type: string;
  readonly key: string;
  readonly control: boolean;
  readonly meta: boolean;
  readonly alt: boolean;
}

const BROWSER_KEYS = new Set([
  'BrowserBack',
  'BrowserForward',
  'BrowserRefresh',
  'BrowserHome',
  'BrowserSearch',
  'BrowserStop',
  'BrowserFavorites',
  'ContextMenu',
  'Print',
]);

/**
 * Keys swallowed before the page and Chromium see them. The screen needs no shortcut, so every chord with
 * Ctrl, Cmd or Alt goes (close, reload, devtools, zoom, print, back), as do F1–F24 (F5 reload, F11 leaves
 * fullscreen, F12 devtools) and browser keys. Plain keys pass: keyboard-wedge readers type digits + Enter.
 * OS-level chords (Ctrl+Alt+Del, Alt+Tab) cannot be caught here; the OS kiosk setup handles those.
 */
export function blockedInput(input: KeyInput): boolean {
  if (input.type !== 'keyDown' && input.type !== 'rawKeyDown') return false;
  if (input.control || input.meta || input.alt) return true;
  if (/^F\d{1,2}$/.test(input.key)) return true;
  return BROWSER_KEYS.has(input.key);
}

export type AppFileResult =
  { readonly ok: true; readonly file: string } | { readonly ok: false; readonly status: 400 | 404 | 405 };

const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Maps an app:// request to a file of the renderer folder, relative and with `/` separators. Only plain
 * names are accepted (no `..`, no hidden files, no backslashes, no encoded separators), so a request can
 * never leave the folder whatever the platform's path rules.
 */
export function resolveAppFile(method: string, rawUrl: string): AppFileResult {
  if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405 };
  if (!isAppUrl(rawUrl) || !(rawUrl === APP_ORIGIN || /^[/?#]/.test(rawUrl.slice(APP_ORIGIN.length)))) {
    return { ok: false, status: 404 };
  }
  // The raw path is checked before URL parsing, which would silently resolve `..` and `%2e%2e`.
  const rawPath = rawUrl.slice(APP_ORIGIN.length).split(/[?#]/, 1)[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, status: 400 };
  }
  if (decoded === '' || decoded === '/') return { ok: true, file: 'index.html' };
  if (!decoded.startsWith('/')) return { ok: false, status: 400 };
  const segments = decoded.slice(1).split('/');
  if (segments.length > 4 || !segments.every((segment) => SAFE_SEGMENT.test(segment))) {
    return { ok: false, status: 404 };
  }
  return { ok: true, file: segments.join('/') };
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  svg: 'image/svg+xml',
  png: 'image/png',
  webp: 'image/webp',
  woff2: 'font/woff2',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
};

export function contentTypeOf(file: string): string {
  const dot = file.lastIndexOf('.');
  return (
    (dot >= 0 ? CONTENT_TYPES[file.slice(dot + 1).toLowerCase()] : undefined) ?? 'application/octet-stream'
  );
}

/** Headers of every app:// response, errors included. */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}
