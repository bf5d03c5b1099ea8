import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Browsers that can show the kiosk page as an app window (no tabs, no address bar). */
const BROWSERS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge'];

function findOnPath(names: readonly string[]): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const file = join(dir, name);
      if (existsSync(file)) return file;
    }
  }
  return undefined;
}

/**
 * Opens the kiosk page in a Chromium-family browser as an app window when this machine has one and a
 * display; otherwise says where to open it. Returns one line for the person who ran the command.
 */
export function openKioskScreen(url: string, profileDir: string, kiosk = false): string {
  const hasDisplay =
    Boolean(process.env['DISPLAY'] ?? process.env['WAYLAND_DISPLAY']) || process.platform !== 'linux';
  const browser = hasDisplay ? findOnPath(BROWSERS) : undefined;
  if (!browser) return `Open the kiosk screen in a browser on this machine: ${url}`;
  const child = spawn(
    browser,
    [
      `--app=${url}`,
      ...(kiosk ? ['--kiosk'] : []),
      `--user-data-dir=${profileDir}`,
      '--no-first-run',
      '--autoplay-policy=no-user-gesture-required',
    ],
    { stdio: 'ignore', detached: true },
  );
  child.on('error', () => undefined);
  child.unref();
  return `Kiosk screen opened in ${browser} (${url})`;
}
