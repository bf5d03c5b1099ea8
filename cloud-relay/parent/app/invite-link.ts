/**
 * The invitation link is `/parent/#invite=TOKEN`: the token rides in the fragment, which browsers never
 * send to a server, so it stays out of every access log on the way.
 */

/** The invitation token in a location hash (`#invite=TOKEN`), or null. */
export function invitationFromHash(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('invite');
  return token !== null && /^[A-Za-z0-9_-]{16,200}$/.test(token) ? token : null;
}

/** Drops the token from the address bar and the history once it is used (or the parent walks away). */
export function forgetInvitation(): void {
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
}
