/**
 * The parent app's service worker: it makes the app installable and opens its shell when the phone is
 * offline. It keeps the shell only (page, script, stylesheet, manifest, icon), fetched network-first so
 * that a new version shows at once; API answers (a child's status) are never cached nor even seen here.
 */

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

export {};
