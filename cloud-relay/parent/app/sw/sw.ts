/**
 * The parent app's service worker: it makes the app installable and opens its shell when the phone is
 * offline. It keeps the shell only (page, script, stylesheet, manifest, icon), fetched network-first so
 * that a new version shows at once; API answers (a child's status) are never cached nor even seen here.
 * It also shows the cloud's Web Push messages (check-ins and check-outs) as notifications.
 */

import { notificationOf, targetUrl } from './push-message.ts';

const sw = self as unknown as ServiceWorkerGlobalScope;

const CACHE = 'genkan-parent-shell-v1';
/** The shell, relative to the worker's scope (/parent/). */
const SHELL = ['', 'app.js', 'app.css', 'manifest.webmanifest', 'icon.svg'];

const scopePath = (): string => new URL(sw.registration.scope).pathname;

/** The shell file a request is for (its cache key), or null for anything else (the API above all). */
function shellKey(request: Request): string | null {
  if (request.method !== 'GET') return null;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return null;
  const base = scopePath();
  if (!url.pathname.startsWith(base)) return null;
  const rest = url.pathname.slice(base.length);
  const name = rest === 'index.html' ? '' : rest;
  return SHELL.includes(name) ? base + name : null;
}

async function networkFirst(request: Request, key: string): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(key, response.clone());
    return response;
  } catch {
    return (await cache.match(key)) ?? Response.error();
  }
}

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // One by one: a file the server lacks does not keep the rest out.
      await Promise.allSettled(SHELL.map((name) => cache.add(scopePath() + name)));
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('fetch', (event) => {
  const key = shellKey(event.request);
  if (key !== null) event.respondWith(networkFirst(event.request, key));
});

sw.addEventListener('push', (event) => {
  const shown = notificationOf(event.data?.text() ?? null, scopePath());
  event.waitUntil(
    sw.registration.showNotification(shown.title, {
      body: shown.body,
      icon: `${scopePath()}icon.svg`,
      lang: 'ja',
      data: { url: shown.url },
      ...(shown.tag === undefined ? {} : { tag: shown.tag }),
    }),
  );
});

/**
 * A tap on the notification: the app's open window comes to the front and is told the notification's
 * address (`/parent/#notices` opens the facility's notices), or a new window opens at that address.
 */
sw.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = targetUrl(event.notification.data, sw.location.origin, scopePath());
  event.waitUntil(
    (async () => {
      const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((w) => new URL(w.url).pathname.startsWith(scopePath()));
      if (open !== undefined) {
        // The open app goes where the notification leads (a facility notice: its list), without a reload.
        open.postMessage({ type: 'open', url });
        await open.focus();
        return;
      }
      await sw.clients.openWindow(url);
    })(),
  );
});
