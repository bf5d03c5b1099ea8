import { GenkanError } from '../../../common/errors.ts';

/** The shell's environment was unusable; `code` is always 'bad_config'. */
export class ShellConfigError extends GenkanError {
  constructor(message: string) {
    super('bad_config', message);
  }
}

/** Minutes since local midnight, [start, end); an end before the start wraps past midnight. */
export interface OpeningHours {
  readonly startMinute: number;
  readonly endMinute: number;
}

export interface KioskShellConfig {
  /** The agent's UI WebSocket, token included: a secret, never logged. */
  readonly agentUrl: string;
  /** Folder holding preload.cjs and renderer/ (the folder of main.cjs). */
  readonly appDir: string;
  readonly devTools: boolean;
  readonly openingHours: OpeningHours;
  /** IANA zone the opening hours are in. */
  readonly timeZone: string;
  /** Register to start at login (only honoured by a packaged app). */
  readonly autostart: boolean;
}

export const SHELL_ENV = {
  agentUrl: 'GENKAN_KIOSK_UI',
  devTools: 'GENKAN_KIOSK_DEVTOOLS',
  openingHours: 'GENKAN_KIOSK_OPENING_HOURS',
  timeZone: 'GENKAN_KIOSK_TIME_ZONE',
  autostart: 'GENKAN_KIOSK_AUTOSTART',
} as const;

export const DEFAULT_OPENING_HOURS = '07:00-19:30';
export const DEFAULT_TIME_ZONE = 'Asia/Tokyo';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

export function parseOpeningHours(text: string): OpeningHours {
  const match = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text.trim());
  if (match === null) throw new ShellConfigError('opening hours must look like 07:00-19:30');
  const [sh, sm, eh, em] = match.slice(1).map(Number) as [number, number, number, number];
  if (sh > 24 || eh > 24 || sm > 59 || em > 59 || (sh === 24 && sm > 0) || (eh === 24 && em > 0)) {
    throw new ShellConfigError('opening hours out of range');
  }
  const hours = { startMinute: sh * 60 + sm, endMinute: eh * 60 + em };
  if (hours.startMinute === hours.endMinute) throw new ShellConfigError('opening hours are empty');
  return hours;
}

function minuteOfDay(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
  return part('hour') * 60 + part('minute');
}

export function withinOpeningHours(hours: OpeningHours, at: Date, timeZone: string): boolean {
  const minute = minuteOfDay(at, timeZone);
  return hours.startMinute < hours.endMinute
    ? minute >= hours.startMinute && minute < hours.endMinute
    : minute >= hours.startMinute || minute < hours.endMinute;
}

function checkAgentUrl(raw: string | undefined): string {
  if (raw === undefined || raw === '') throw new ShellConfigError(`${SHELL_ENV.agentUrl} is not set`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ShellConfigError(`${SHELL_ENV.agentUrl} is not a URL`);
  }
  // The agent is always on this machine; a remote URL would mean the token travels the network in clear.
  if (url.protocol !== 'ws:' || !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new ShellConfigError(`${SHELL_ENV.agentUrl} must be a ws:// loopback URL`);
  }
  return url.href;
}

function checkTimeZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new ShellConfigError(`unknown time zone: ${zone}`);
  }
  return zone;
}

/** Reads the shell's configuration from the environment its supervisor (launch.ts) sets. */
export function configFromEnv(env: NodeJS.ProcessEnv, appDir: string): KioskShellConfig {
  return {
    agentUrl: checkAgentUrl(env[SHELL_ENV.agentUrl]),
    appDir,
    devTools: env[SHELL_ENV.devTools] === '1',
    openingHours: parseOpeningHours(env[SHELL_ENV.openingHours] ?? DEFAULT_OPENING_HOURS),
    timeZone: checkTimeZone(env[SHELL_ENV.timeZone] ?? DEFAULT_TIME_ZONE),
    autostart: env[SHELL_ENV.autostart] !== '0',
  };
}

/**
 * Quotes an argument of a desktop entry's Exec key. The spec's escaping of `\`, `"`, `$`, `%` is layered
 * (string escapes, then quoting, then field codes); refusing those characters is simpler than getting it right.
 */
function quoteExecArg(arg: string): string {
  if (/["\\`$%\n\r]/.test(arg)) throw new ShellConfigError('executable path not usable in a desktop entry');
  return `"${arg}"`;
}

/** The XDG autostart entry (~/.config/autostart/genkan-kiosk.desktop) on Linux. */
export function autostartDesktopEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Genkan Kiosk',
    `Exec=${quoteExecArg(executable)}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}
