import { createHash, randomBytes } from 'node:crypto';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import { formatRfc3339, systemClock, type Clock } from '../../common/time.ts';
import type { ParentInviteResult } from '../../protocol/parents.ts';
import { DEFAULT_INVITE_HOURS } from '../defaults.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import { followRoster, type ParentAccessActor } from './state.ts';

/**
 * Inviting a guardian to the parent app (issue 17): a link to the cloud's /parent/ page with a one-time
 * token in the fragment (a fragment never reaches a server's log). The hub keeps only the token's
 * SHA-256, which the relay uploads; a new invitation replaces the guardian's open one, whose link then
 * stops working at the cloud. Audited without the token.
 */

/** A link lives at most 30 days: a forgotten one should not open an account months later. */
export const MAX_INVITE_HOURS = 720;

export type ParentInviteStore = StoreOf<'roster' | 'parentAccess' | 'audit' | 'facility'> & Transactional;

export interface InviteOptions {
  /** Base URL of the cloud serving /parent/; default the cloud URL of the hub's last start. */
  parentUrl?: string;
  /** How long the link works (default 72). */
  hours?: number;
  actor: ParentAccessActor;
  clock?: Clock;
}

/** Hex SHA-256 of an invitation token: what the hub and the cloud keep. */
export function invitationTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Invites a guardian on the roster. Throws bad_invite_hours, no_cloud_url (no --parent-url and the hub
 * never started with --cloud), bad_parent_url, unknown_guardian.
 */
export function inviteParent(
  store: ParentInviteStore,
  guardianId: string,
  options: InviteOptions,
): ParentInviteResult {
  const hours = options.hours ?? DEFAULT_INVITE_HOURS;
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_INVITE_HOURS) {
    throw new ValidationError(
      'bad_invite_hours',
      `an invitation lasts 1 to ${String(MAX_INVITE_HOURS)} hours`,
      'hours',
      { max: MAX_INVITE_HOURS },
    );
  }
  const base = parentBaseUrl(options.parentUrl ?? store.parentAccess.cloudUrl());
  const token = randomBytes(32).toString('base64url');
  const now = (options.clock ?? systemClock).now();
  const expires = formatRfc3339(new Date(now.getTime() + hours * 3_600_000), store.facility.meta().timeZone);
  store.transaction(() => {
    const guardian = store.roster.read().guardians.find((g) => g.id === guardianId);
    if (guardian === undefined) {
      throw new NotFoundError('unknown_guardian', `guardian ${guardianId} is not on the roster`);
    }
    const invitation = { tokenHash: invitationTokenHash(token), expires };
    const version = store.parentAccess.put(
      guardianId,
      followRoster({ name: guardian.name, childIds: [], invitation, revoked: false }, guardian),
    );
    store.audit.append({
      actorKind: options.actor.kind,
      actorId: options.actor.id,
      action: 'parent.invite',
      subject: `guardian:${guardianId}`,
      outcome: 'ok',
      after: { expires, version },
    });
  });
  return { guardianId, url: `${base}/parent/#invite=${token}`, expires };
}

/** The parent app's origin (and path prefix, behind a proxy), without a trailing slash. */
function parentBaseUrl(url: string | null): string {
  if (url === null) {
    throw new ValidationError(
      'no_cloud_url',
      'no cloud URL to link to: start the hub with --cloud once, or give --parent-url',
      'parentUrl',
    );
  }
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (
    parsed === undefined ||
    !/^https?:$/.test(parsed.protocol) ||
    parsed.search !== '' ||
    parsed.hash !== ''
  ) {
    throw new ValidationError(
      'bad_parent_url',
      'the parent URL must be an http(s) URL without query or fragment',
      'parentUrl',
    );
  }
  return url.replace(/\/+$/, '');
}
