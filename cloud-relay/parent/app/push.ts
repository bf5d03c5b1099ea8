import { z } from 'zod';
import { done, parsed, request, type ApiResult } from './http.ts';

/**
 * Web Push on this device: the browser's subscription (made with the cloud's VAPID public key) and its
 * registration at the cloud, which sends check-ins and check-outs to it. The service worker (sw/sw.ts)
 * shows what arrives.
 */

const KeySchema = z.strictObject({ publicKey: z.string().regex(/^[A-Za-z0-9_-]+$/) });

/** How long to wait for the service worker before giving up (it never comes in some private windows). */
const WORKER_WAIT_MS = 10_000;

/** This browser can receive push messages (an iPhone only once the app is on the home screen). */
export function pushSupported(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

const failed = (reason: 'denied' | 'failed'): ApiResult<never> => ({
  ok: false,
  failure: { kind: 'push', reason },
});

/** The app's service worker registration, or null when it did not start in time. */
async function registration(): Promise<ServiceWorkerRegistration | null> {
  let timer: number | undefined;
  const late = new Promise<null>((resolve) => {
    timer = window.setTimeout(() => {
      resolve(null);
    }, WORKER_WAIT_MS);
  });
  try {
    return await Promise.race([navigator.serviceWorker.ready, late]);
  } finally {
    window.clearTimeout(timer);
  }
}

/** The base64url VAPID key as the browser takes it. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

const sameKey = (a: ArrayBuffer | null, b: Uint8Array): boolean => {
  if (a === null || a.byteLength !== b.byteLength) return false;
  const view = new Uint8Array(a);
  return view.every((byte, i) => byte === b[i]);
};

/** The subscription as the cloud takes it: {endpoint, expirationTime, keys: {p256dh, auth}}. */
const register = async (subscription: PushSubscription): Promise<ApiResult<null>> =>
  done(await request('POST', '/parent/api/push/subscriptions', subscription.toJSON()));

/** This device's subscription, if any (whether the toggle shows on). */
export async function currentSubscription(): Promise<PushSubscription | null> {
  const reg = await registration();
  return reg === null ? null : reg.pushManager.getSubscription();
}

/**
 * Tells the cloud again of an existing subscription (idempotent): a parent signed in anew, or whose
 * subscriptions the cloud dropped, receives again without touching the toggle.
 */
export async function resync(subscription: PushSubscription): Promise<ApiResult<null>> {
  return register(subscription);
}

/** Asks for permission, subscribes with the cloud's key (anew if it changed) and registers it. */
export async function enablePush(): Promise<ApiResult<null>> {
  if ((await Notification.requestPermission()) !== 'granted') return failed('denied');
  const key = await parsed(await request('GET', '/parent/api/push/key'), KeySchema);
  if (!key.ok) return key;
  const reg = await registration();
  if (reg === null) return failed('failed');
  const applicationServerKey = keyBytes(key.value.publicKey);
  try {
    let subscription = await reg.pushManager.getSubscription();
    if (subscription !== null && !sameKey(subscription.options.applicationServerKey, applicationServerKey)) {
      await subscription.unsubscribe();
      subscription = null;
    }
    subscription ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
    return await register(subscription);
  } catch (err) {
    return failed(err instanceof DOMException && err.name === 'NotAllowedError' ? 'denied' : 'failed');
  }
}

/** Removes the subscription at the cloud, then in the browser (which stops the push service's too). */
export async function disablePush(): Promise<ApiResult<null>> {
  const subscription = await currentSubscription();
  if (subscription === null) return { ok: true, value: null };
  const removed = done(
    await request('DELETE', '/parent/api/push/subscriptions', { endpoint: subscription.endpoint }),
  );
  // Unsubscribed here even when the cloud could not be told: the endpoint dies, and the cloud drops it
  // at its next send (410 Gone).
  try {
    await subscription.unsubscribe();
  } catch {
    return failed('failed');
  }
  return removed.ok || removed.failure.kind === 'network' ? { ok: true, value: null } : removed;
}
