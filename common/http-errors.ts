import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { ErrorCodes, type HttpErrorBody } from '../protocol/index.ts';
import {
  AuthError,
  GenkanError,
  NotFoundError,
  RateLimitedError,
  UnavailableError,
  type ErrorKind,
  type ErrorParams,
} from './errors.ts';

/*
 * The one place where errors become HTTP answers, for the hub and the cloud alike: domain code throws
 * GenkanErrors of a kind, and the servers install this handler. Every error body is
 * {"error":{"code","message","params"?}} (HttpErrorBody, docs/protocol.md): the apps word `code` with
 * `params` in their language (protocol/error-catalogue.ts), `message` stays English for logs.
 */

/** The HTTP status of each kind of error. */
export const HTTP_STATUS_OF_KIND: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_format: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** An error as it is answered. */
export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  /** What the apps word the message from (a field, a limit); omitted when there are none. */
  params?: ErrorParams;
  /** Sent as Retry-After. */
  retryAfterSeconds?: number;
  /** Sent as WWW-Authenticate: the credential the client should come back with. */
  challenge?: string;
}

/** Fastify's own refusals (an unreadable body, one too large …) carry their status already. */
export interface FrameworkError {
  code?: unknown;
  statusCode?: unknown;
  message: string;
}

/** A server's own wording of some of fastify's refusals; undefined keeps the default answer. */
export type FrameworkWording = (err: FrameworkError) => GenkanError | undefined;

const INTERNAL: ErrorAnswer = { status: 500, code: ErrorCodes.internal, message: 'internal error' };

function answerOf(err: GenkanError): ErrorAnswer {
  // Details of a failure are for the log, not for the client.
  if (err.kind === 'internal') return INTERNAL;
  const answer: ErrorAnswer = { status: HTTP_STATUS_OF_KIND[err.kind], code: err.code, message: err.message };
  if (err.params !== undefined && Object.keys(err.params).length > 0) answer.params = err.params;
  if (
    (err instanceof RateLimitedError || err instanceof UnavailableError) &&
    err.retryAfterSeconds !== undefined
  ) {
    answer.retryAfterSeconds = err.retryAfterSeconds;
  }
  if (err instanceof AuthError && err.scheme !== undefined) answer.challenge = err.scheme;
  return answer;
}

/** Fastify's 4xx: its status and message, with our code; anything else of fastify's is a failure. */
function frameworkAnswer(status: number, message: string): ErrorAnswer {
  if (status < 400 || status >= 500) return INTERNAL;
  const code =
    status === 415
      ? ErrorCodes.unsupportedMediaType
      : status === 413
        ? ErrorCodes.payloadTooLarge
        : ErrorCodes.badRequest;
  return { status, code, message };
}

/** The answer to anything thrown while serving a request: a domain error, one of fastify's, or a bug (500). */
export function errorAnswer(err: unknown, wording?: FrameworkWording): ErrorAnswer {
  if (err instanceof GenkanError) return answerOf(err);
  if (!(err instanceof Error)) return INTERNAL;
  const worded = wording?.(err);
  if (worded) return answerOf(worded);
  const { statusCode } = err as FrameworkError;
  return typeof statusCode === 'number' ? frameworkAnswer(statusCode, err.message) : INTERNAL;
}

/** Sends an error answer: its status, headers and body. */
export function sendErrorAnswer(reply: FastifyReply, answer: ErrorAnswer): FastifyReply {
  if (answer.challenge !== undefined) reply.header('www-authenticate', answer.challenge);
  if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(answer.retryAfterSeconds));
  const body: HttpErrorBody = {
    error: {
      code: answer.code,
      message: answer.message,
      ...(answer.params !== undefined && { params: answer.params }),
    },
  };
  return reply.code(answer.status).send(body);
}

export interface ErrorHandlingOptions {
  /** The message of the 404 not_found for a request that matches no route. */
  noRoute: (request: FastifyRequest) => string;
  /** Logs an error answer: what is worth a line, and at which level, is each server's policy. */
  log: (request: FastifyRequest, answer: ErrorAnswer, err: unknown) => void;
  /** The server's own wording of some of fastify's refusals. */
  wording?: FrameworkWording;
}

/** Installs the error and not-found handlers that answer every error as errorAnswer says. */
export function installErrorHandling<L extends FastifyBaseLogger>(
  app: FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, L>,
  options: ErrorHandlingOptions,
): void {
  app.setErrorHandler((err: unknown, request, reply) => {
    const answer = errorAnswer(err, options.wording);
    options.log(request, answer, err);
    return sendErrorAnswer(reply, answer);
  });
  app.setNotFoundHandler((request, reply) =>
    sendErrorAnswer(reply, answerOf(new NotFoundError(ErrorCodes.notFound, options.noRoute(request)))),
  );
}
