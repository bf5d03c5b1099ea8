/**
 * What went wrong, in the domain's terms. Code that throws says which; each server maps a kind to its own
 * answer (common/http-errors.ts for HTTP), so domain code never names a transport status.
 */
export type ErrorKind =
  /** The input is malformed or breaks a rule. */
  | 'invalid'
  /** No valid credential: missing, wrong, expired. */
  | 'unauthenticated'
  /** A valid credential that may not do this. */
  | 'forbidden'
  | 'not_found'
  /** The request contradicts what is stored, or what is running now. */
  | 'conflict'
  | 'too_large'
  /** The input comes in a format that is not taken here. */
  | 'unsupported_format'
  /** Too many attempts: come back later. */
  | 'rate_limited'
  /** Cannot serve now: overloaded, or something it needs is missing or down. */
  | 'unavailable'
  /** A bug or an unexpected failure: its details are not for the caller. */
  | 'internal';

/**
 * What the apps word an error's message from (protocol/error-catalogue.ts), next to its code: a field, a
 * limit, a value. Never a card number; a name only in an answer to the director (never logged).
 */
export type ErrorParams = Readonly<Record<string, string | number>>;

export interface GenkanErrorOptions extends ErrorOptions {
  params?: ErrorParams;
}

/**
 * Every error Genkan raises on purpose carries a stable machine-readable `code`, and a `kind`. `message` is
 * English (logs, integrators); the apps show their own language's text from `code` and `params`.
 */
export class GenkanError extends Error {
  readonly code: string;
  readonly kind: ErrorKind = 'internal';
  readonly params: ErrorParams | undefined;
  constructor(code: string, message: string, options?: GenkanErrorOptions) {
    super(message, options);
    this.code = code;
    this.params = options?.params;
    this.name = new.target.name;
  }
}

/** Input that failed validation; `field` names what was wrong when known (and is in `params` then). */
export class ValidationError extends GenkanError {
  override readonly kind: ErrorKind = 'invalid';
  readonly field: string | undefined;
  constructor(code: string, message: string, field?: string, params?: ErrorParams) {
    const all = field === undefined ? params : { field, ...params };
    super(code, message, all === undefined ? undefined : { params: all });
    this.field = field;
  }
}

/** No valid credential. `scheme` names the credential expected (a bearer token) when a caller may retry with one. */
export class AuthError extends GenkanError {
  override readonly kind: ErrorKind = 'unauthenticated';
  readonly scheme: 'Bearer' | undefined;
  constructor(code: string, message: string, scheme?: 'Bearer') {
    super(code, message);
    this.scheme = scheme;
  }
}

export class ForbiddenError extends GenkanError {
  override readonly kind: ErrorKind = 'forbidden';
}

export class NotFoundError extends GenkanError {
  override readonly kind: ErrorKind = 'not_found';
}

/** A request that contradicts what is stored (a hub under another facility, another time zone) or running. */
export class ConflictError extends GenkanError {
  override readonly kind: ErrorKind = 'conflict';
}

export class TooLargeError extends GenkanError {
  override readonly kind: ErrorKind = 'too_large';
}

export class UnsupportedFormatError extends GenkanError {
  override readonly kind: ErrorKind = 'unsupported_format';
}

/** Too many attempts or requests; retry after `retryAfterSeconds`. */
export class RateLimitedError extends GenkanError {
  override readonly kind: ErrorKind = 'rate_limited';
  readonly retryAfterSeconds: number;
  constructor(code: string, message: string, retryAfterSeconds: number) {
    super(code, message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Cannot serve now; `retryAfterSeconds` when it is worth coming back soon (overload, not ready). */
export class UnavailableError extends GenkanError {
  override readonly kind: ErrorKind = 'unavailable';
  readonly retryAfterSeconds: number | undefined;
  constructor(code: string, message: string, retryAfterSeconds?: number) {
    super(code, message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class TimeoutError extends GenkanError {
  constructor(message: string) {
    super('timeout', message);
  }
}

/** Rejects with a TimeoutError when `promise` does not settle within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new TimeoutError(`${what} timed out after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
