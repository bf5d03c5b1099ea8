import type { RateLimit } from './backpressure.ts';

/*
 * The cloud relay's defaults and limits, in a module of their own: the CLI shows them in its help without
 * loading the server.
 */

/** 2 MiB: a full batch of 500 events with maximal notes still fits. */
export const DEFAULT_BODY_LIMIT = 2 * 1024 * 1024;
export const DEFAULT_PORT = 8090;
/** Loopback by default: bearer tokens travel in clear, so exposure goes through a TLS proxy or --host. */
export const DEFAULT_HOST = '127.0.0.1';
/** Shorter admin tokens are refused at start: the admin token reads every facility. */
export const ADMIN_TOKEN_MIN = 16;
/** Longer bearer values are refused unread (hub tokens are about 110 characters). */
export const BEARER_MAX = 1024;

export interface CloudTimeouts {
  /** Whole request, headers and body, must arrive within this (slow-client protection). */
  requestTimeoutMs: number;
  /** A socket with no traffic at all for this long is closed. */
  connectionTimeoutMs: number;
  /** Idle keep-alive connections stay open this long, longer than a typical hub's sync interval. */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_TIMEOUTS: CloudTimeouts = {
  requestTimeoutMs: 30_000,
  connectionTimeoutMs: 120_000,
  keepAliveTimeoutMs: 72_000,
};

/** Requests served at once (health and metrics excluded) before new ones get 503 overloaded. */
export const DEFAULT_MAX_IN_FLIGHT = 256;
/** Callers queued for a database connection (PostgreSQL pool) before new requests get 503 overloaded. */
export const DEFAULT_MAX_DB_WAITING = 64;
/** Retry-After of a 503 overloaded: a moment, the hubs' own jittered backoff spreads them out. */
export const OVERLOAD_RETRY_AFTER_S = 1;
/** GET /readyz gives up on the database after this long. */
export const READY_TIMEOUT_MS = 2_000;

/** Generous enough for a hub draining a backlog (one batch of 500 events per request) after an outage. */
export const DEFAULT_HUB_RATE_LIMIT: RateLimit = { perSecond: 20, burst: 60 };

/** A facility is stale when none of its hubs relayed for longer than this (default). */
export const DEFAULT_STALE_AFTER_MS = 15 * 60_000;

/** Limits of the parent app's API per client address (issue 17). */
export interface ParentRateLimit {
  /** Requests to /parent/api/ per minute. */
  perMinute: number;
  /** Failed sign-ins and registrations per minute; further attempts are refused until the minute ends. */
  failuresPerMinute: number;
}

/**
 * Families behind one address (a nursery's Wi-Fi, a carrier's shared address) each poll /me every 5 s
 * (12 a minute): 300 leaves room for about 25 open pages. Guessing is held back by the failures limit.
 */
export const DEFAULT_PARENT_RATE_LIMIT: ParentRateLimit = { perMinute: 300, failuresPerMinute: 5 };
