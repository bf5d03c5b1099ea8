/**
 * `/parent/#notices` opens the facility's notices (園からのお知らせ): the address a notice's Web Push
 * leads to. The service worker tells an app that is open already by a message of this shape.
 */

export const NOTICES_HASH = '#notices';

export const isNoticesLink = (hash: string): boolean => hash === NOTICES_HASH;

/** What the service worker posts to an open window when a notification is tapped. */
export interface OpenMessage {
  readonly type: 'open';
  readonly url: string;
}

/** The fragment of a service worker's `open` message (its url read against `base`), or null. */
export function openedHash(data: unknown, base: string): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const o = data as Record<string, unknown>;
  if (o['type'] !== 'open' || typeof o['url'] !== 'string') return null;
  try {
    return new URL(o['url'], base).hash;
  } catch {
    return null;
  }
}

/** Drops the fragment from the address bar, so that the same link opens the list again next time. */
export function dropHash(): void {
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
}
