import type { ViewMode } from './state.ts';

/** The tablet remembers its view (full or compact) across reloads and sign-ins: it is the device's. */
const KEY = 'genkan.tablet.view';

/** What a Storage offers that this needs (tests pass a Map-backed one). */
export interface ViewStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The stored view, or `full`; storage that cannot be read (private mode, blocked) counts as none. */
export function loadView(storage: ViewStorage | null): ViewMode {
  try {
    return storage?.getItem(KEY) === 'compact' ? 'compact' : 'full';
  } catch {
    return 'full';
  }
}

export function saveView(storage: ViewStorage | null, view: ViewMode): void {
  try {
    storage?.setItem(KEY, view);
  } catch {
    // Not remembered (storage full or blocked): the choice still holds until the page reloads.
  }
}

/** The page's localStorage, or null where touching it throws (a sandboxed frame). */
export function pageStorage(): ViewStorage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
