import { describe, expect, it } from 'vitest';
import { bundleWebApp, WEB_APPS } from './web-bundle.ts';

describe('web bundles', () => {
  it('builds the parent app installable: service worker, manifest and icon, served under /parent/', async () => {
    const bundle = await bundleWebApp(WEB_APPS.parent);
    expect([...bundle.files.keys()].sort()).toEqual([
      'app.css',
      'app.js',
      'icon.svg',
      'index.html',
      'manifest.webmanifest',
      'sw.js',
    ]);
    expect(bundle.files.get('manifest.webmanifest')?.type).toBe('application/manifest+json');
    expect(bundle.files.get('icon.svg')?.type).toBe('image/svg+xml');
    const manifest = JSON.parse(bundle.files.get('manifest.webmanifest')?.body.toString() ?? '') as {
      start_url: string;
      scope: string;
      display: string;
      icons: { src: string }[];
    };
    expect(manifest).toMatchObject({ start_url: '/parent/', scope: '/parent/', display: 'standalone' });
    expect(manifest.icons.every((i) => bundle.files.has(i.src.replace('/parent/', '')))).toBe(true);
    const html = bundle.files.get('index.html')?.body.toString() ?? '';
    for (const file of ['app.js', 'app.css', 'manifest.webmanifest', 'icon.svg']) {
      expect(html).toContain(`/parent/${file}`);
    }
    // The worker keeps the shell only: it never names the API.
    expect(bundle.files.get('sw.js')?.body.toString()).not.toContain('/api');
  }, 60_000);

  it('leaves the hub apps as they were: page, script and stylesheet only', async () => {
    const bundle = await bundleWebApp(WEB_APPS.admin);
    expect([...bundle.files.keys()].sort()).toEqual(['app.css', 'app.js', 'index.html']);
  }, 60_000);
});
