/**
 * What a Web Push message from the cloud shows. The cloud sends JSON {title, body, url?, tag?} (a tag per
 * child, so that a check-out replaces that child's check-in notification). Anything else still shows a
 * notification, a plain one: a push the worker receives must always be shown (userVisibleOnly), and a
 * silent one would count against the site.
 */

export interface PushNotification {
  readonly title: string;
  readonly body: string;
  readonly url: string;
  readonly tag: string | undefined;
}

const FALLBACK_TITLE = 'Genkan';
const TEXT_MAX = 500;

const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.slice(0, TEXT_MAX) : undefined;

/** The notification for a push payload (its text, or null when it had none). */
export function notificationOf(payload: string | null, scope: string): PushNotification {
  let data: unknown = null;
  try {
    data = payload === null ? null : JSON.parse(payload);
  } catch {
    // Not JSON: the text itself is the body.
    return { title: FALLBACK_TITLE, body: text(payload) ?? '', url: scope, tag: undefined };
  }
  const o = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  return {
    title: text(o['title']) ?? FALLBACK_TITLE,
    body: text(o['body']) ?? '',
    url: text(o['url']) ?? scope,
    tag: text(o['tag']),
  };
}

/**
 * Where a tap leads: the notification's url when it is inside the app on this origin, the app's start
 * otherwise (a payload never sends the phone elsewhere).
 */
export function targetUrl(data: unknown, origin: string, scope: string): string {
  const home = new URL(scope, origin).href;
  const raw =
    typeof data === 'object' && data !== null ? (data as Record<string, unknown>)['url'] : undefined;
  if (typeof raw !== 'string') return home;
  try {
    const url = new URL(raw, home);
    return url.origin === origin && url.pathname.startsWith(scope) ? url.href : home;
  } catch {
    return home;
  }
}
