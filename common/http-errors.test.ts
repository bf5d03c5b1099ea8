import { describe, expect, it } from 'vitest';
import {
  AuthError,
  ConflictError,
  NotFoundError,
  GenkanError,
  RateLimitedError,
  UnavailableError,
  ValidationError,
} from './errors.ts';
import Fastify from 'fastify';
import { errorAnswer, installErrorHandling } from './http-errors.ts';

/** A fastify-like refusal: an Error with its own code and status. */
function fastifyError(code: string, statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { code, statusCode });
}

describe('errorAnswer', () => {
  it('answers a domain error with the status of its kind, its code and its message', () => {
    expect(errorAnswer(new ValidationError('bad_date', 'no such day'))).toEqual({
      status: 400,
      code: 'bad_date',
      message: 'no such day',
    });
    expect(errorAnswer(new ConflictError('already_voided', 'voided already')).status).toBe(409);
  });

  it('carries Retry-After and the credential scheme when the error names them', () => {
    expect(errorAnswer(new RateLimitedError('rate_limited', 'slow down', 7))).toMatchObject({
      status: 429,
      retryAfterSeconds: 7,
    });
    expect(errorAnswer(new UnavailableError('overloaded', 'busy', 1))).toMatchObject({
      status: 503,
      retryAfterSeconds: 1,
    });
    expect(errorAnswer(new UnavailableError('pdf_font_missing', 'no font'))).not.toHaveProperty(
      'retryAfterSeconds',
    );
    expect(errorAnswer(new AuthError('unauthorized', 'token?', 'Bearer'))).toMatchObject({
      status: 401,
      challenge: 'Bearer',
    });
    expect(errorAnswer(new AuthError('not_signed_in', 'sign in'))).not.toHaveProperty('challenge');
  });

  it('hides the details of failures: internal errors, bugs and anything thrown that is not an Error', () => {
    const internal = { status: 500, code: 'internal', message: 'internal error' };
    expect(errorAnswer(new GenkanError('store_closed', 'the store is closed'))).toEqual(internal);
    expect(errorAnswer(new TypeError('x is undefined'))).toEqual(internal);
    expect(errorAnswer('a string')).toEqual(internal);
    expect(errorAnswer(fastifyError('FST_ERR_ASYNC_CONSTRAINT', 500, 'boom'))).toEqual(internal);
  });

  it("answers fastify's 4xx with its status and message, or with a server's own wording", () => {
    const tooLarge = fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413, 'Request body is too large');
    expect(errorAnswer(tooLarge)).toEqual({
      status: 413,
      code: 'payload_too_large',
      message: 'Request body is too large',
    });
    expect(errorAnswer(fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'Unsupported')).code).toBe(
      'unsupported_media_type',
    );
    expect(errorAnswer(fastifyError('FST_ERR_BAD_URL', 400, "'%' is not a valid url"))).toMatchObject({
      status: 400,
      code: 'bad_request',
    });
    const worded = errorAnswer(tooLarge, (err) =>
      err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? new ValidationError('custom', 'too big') : undefined,
    );
    expect(worded).toEqual({ status: 400, code: 'custom', message: 'too big' });
  });

  it('carries the params the apps word the message from, the field among them', () => {
    expect(
      errorAnswer(new ValidationError('bad_setting', 'x: too small', 'x', { problem: 'too_small', min: 1 })),
    ).toEqual({
      status: 400,
      code: 'bad_setting',
      message: 'x: too small',
      params: { field: 'x', problem: 'too_small', min: 1 },
    });
    expect(errorAnswer(new ConflictError('import_busy', 'busy', { params: { n: 2 } })).params).toEqual({
      n: 2,
    });
    expect(errorAnswer(new ConflictError('import_busy', 'busy'))).not.toHaveProperty('params');
  });
});

describe('installErrorHandling', () => {
  it('answers {"error":{"code","message","params"}}, params only when there are some', async () => {
    const app = Fastify();
    installErrorHandling(app, { noRoute: () => 'no route', log: () => undefined });
    app.get('/setting', () => {
      throw new ValidationError('bad_setting', 'undoWindowMinutes: Too big', 'undoWindowMinutes', {
        problem: 'too_big',
        max: 60,
      });
    });
    app.get('/missing', () => {
      throw new NotFoundError('unknown_child', 'no such child');
    });
    try {
      const setting = await app.inject({ method: 'GET', url: '/setting' });
      expect(setting.statusCode).toBe(400);
      expect(setting.json()).toEqual({
        error: {
          code: 'bad_setting',
          message: 'undoWindowMinutes: Too big',
          params: { field: 'undoWindowMinutes', problem: 'too_big', max: 60 },
        },
      });
      const missing = await app.inject({ method: 'GET', url: '/missing' });
      expect(missing.json()).toEqual({ error: { code: 'unknown_child', message: 'no such child' } });
    } finally {
      await app.close();
    }
  });
});
