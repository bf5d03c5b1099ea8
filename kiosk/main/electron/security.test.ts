import { describe, expect, it } from 'vitest';
import { autostartDesktopEntry, configFromEnv, parseOpeningHours, withinOpeningHours } from './config.ts';
import {
  CONTENT_SECURITY_POLICY,
  appResponseHeaders,
  blockedInput,
  isAppUrl,
  resolveAppFile,
  trustedSender,
} from './security.ts';

describe('security policy', () => {
  it('has the strict CSP on every app:// response', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
        "media-src 'self' blob: mediastream:; connect-src 'self'; font-src 'self'; base-uri 'none'; " +
        "form-action 'none'; frame-ancestors 'none'",
    );
    expect(appResponseHeaders('text/plain')).toMatchObject({
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
    });
  });

  it('maps app:// paths to plain file names only', () => {
    expect(resolveAppFile('GET', 'app://kiosk/')).toEqual({ ok: true, file: 'index.html' });
    expect(resolveAppFile('GET', 'app://kiosk/app.js?v=1')).toEqual({ ok: true, file: 'app.js' });
    expect(resolveAppFile('HEAD', 'app://kiosk/assets/logo.svg')).toEqual({
      ok: true,
      file: 'assets/logo.svg',
    });
    for (const url of [
      'app://kiosk/../x',
      'app://kiosk/%2e%2e/x',
      'app://kiosk/a/..%2f..%2fx',
      'app://kiosk/a%5c..%5cx',
      'app://kiosk/.env',
      'app://kiosk//etc/passwd',
      'app://kiosk/C:%5cWindows',
      'app://kiosk.evil/index.html',
      'app://user@kiosk/index.html',
      'https://kiosk/index.html',
    ]) {
      expect(resolveAppFile('GET', url).ok, url).toBe(false);
    }
    expect(resolveAppFile('PUT', 'app://kiosk/index.html')).toEqual({ ok: false, status: 405 });
  });

  it('trusts only the app top frame', () => {
    expect(isAppUrl('app://kiosk/index.html')).toBe(true);
    expect(trustedSender({ url: 'app://kiosk/index.html', parent: null })).toBe(true);
    expect(trustedSender({ url: 'app://kiosk/index.html', parent: {} })).toBe(false);
    expect(trustedSender({ url: 'http://127.0.0.1/', parent: null })).toBe(false);
    expect(trustedSender(null)).toBe(false);
  });

  it('blocks modifier chords, function keys and browser keys on key down only', () => {
    const key = { type: 'keyDown', key: 'r', control: false, meta: false, alt: false };
    expect(blockedInput({ ...key, control: true })).toBe(true);
    expect(blockedInput({ ...key, key: 'F12' })).toBe(true);
    expect(blockedInput({ ...key, key: 'BrowserBack' })).toBe(true);
    expect(blockedInput({ ...key, type: 'keyUp', control: true })).toBe(false);
    expect(blockedInput(key)).toBe(false);
  });
});

describe('shell config', () => {
  it('reads a loopback ws URL and defaults', () => {
    const config = configFromEnv({ GENKAN_KIOSK_UI: 'ws://127.0.0.1:5000/k/t/ws' }, '/app');
    expect(config).toMatchObject({
      devTools: false,
      timeZone: 'Asia/Tokyo',
      autostart: true,
      appDir: '/app',
    });
    expect(config.openingHours).toEqual({ startMinute: 420, endMinute: 1170 });
    expect(
      configFromEnv({ GENKAN_KIOSK_UI: 'ws://[::1]:1/k/t/ws', GENKAN_KIOSK_DEVTOOLS: '1' }, '/a').devTools,
    ).toBe(true);
  });

  it('refuses a missing, remote or non-ws URL and bad hours or zone', () => {
    for (const env of [
      {},
      { GENKAN_KIOSK_UI: 'ws://192.168.1.5:5000/k/t/ws' },
      { GENKAN_KIOSK_UI: 'http://127.0.0.1:5000/' },
      { GENKAN_KIOSK_UI: 'ws://127.0.0.1:1/', GENKAN_KIOSK_OPENING_HOURS: '7-19' },
      { GENKAN_KIOSK_UI: 'ws://127.0.0.1:1/', GENKAN_KIOSK_TIME_ZONE: 'Mars/Olympus' },
    ]) {
      expect(() => configFromEnv(env, '/a'), JSON.stringify(env)).toThrow(
        expect.objectContaining({ code: 'bad_config' }),
      );
    }
  });

  it('computes opening hours in the facility zone', () => {
    const hours = parseOpeningHours('07:00-19:30');
    expect(withinOpeningHours(hours, new Date('2026-04-01T21:59:00Z'), 'Asia/Tokyo')).toBe(false); // 06:59
    expect(withinOpeningHours(hours, new Date('2026-04-01T22:00:00Z'), 'Asia/Tokyo')).toBe(true); // 07:00
    expect(withinOpeningHours(hours, new Date('2026-04-01T10:30:00Z'), 'Asia/Tokyo')).toBe(false); // 19:30
    const night = parseOpeningHours('22:00-06:00');
    expect(withinOpeningHours(night, new Date('2026-04-01T14:00:00Z'), 'Asia/Tokyo')).toBe(true); // 23:00
  });

  it('writes a quoted Exec line and refuses paths it cannot quote safely', () => {
    expect(autostartDesktopEntry('/opt/Genkan Kiosk/app')).toContain('Exec="/opt/Genkan Kiosk/app"\n');
    expect(() => autostartDesktopEntry('/tmp/$(rm -rf ~)')).toThrow();
  });
});
