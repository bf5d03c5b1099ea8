import type { FastifyInstance, FastifyReply } from 'fastify';
import { NotFoundError, UnavailableError } from '../../common/errors.ts';
import type { WebBundle } from '../../common/web-bundle.ts';
import { ErrorCodes } from '../../protocol/index.ts';
import { CloudErrorCodes } from '../errors.ts';

/**
 * The strict CSP of the parent app, as the hub's apps have (edge-hub/http/web-app.ts): own scripts,
 * styles and service worker only, fetch to the cloud itself, no frames, no inline code.
 */
const PARENT_APP_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  'content-security-policy': PARENT_APP_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

/** A file name of the bundle: no folders, nothing hidden. */
const FILE_RE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;

/**
 * Serves the parent app (common/web-bundle.ts WEB_APPS.parent) at /parent/: its page, script, styles,
 * service worker, manifest and icon. `load` is called on the first request and its bundle kept; a cloud
 * built without the app answers 503 parent_app_unavailable (and tries again on the next request).
 */
export function registerParentApp(app: FastifyInstance, load: () => Promise<WebBundle>): void {
  let loading: Promise<WebBundle> | undefined;
  const bundle = async (): Promise<WebBundle> => {
    loading ??= load();
    try {
      return await loading;
    } catch (err) {
      loading = undefined;
      app.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'parent app not loaded');
      throw new UnavailableError(
        CloudErrorCodes.parentAppUnavailable,
        'the parent app is not part of this build',
      );
    }
  };
  const serve = async (name: string, reply: FastifyReply) => {
    reply.headers(SECURITY_HEADERS);
    const file = FILE_RE.test(name) ? (await bundle()).files.get(name) : undefined;
    if (file === undefined) throw new NotFoundError(ErrorCodes.notFound, 'no such file');
    // The page names the current bundle and the worker decides what is cached: neither is cached by
    // HTTP (the onSend hook's no-store stays). The worker's scope is /parent/, where it is served.
    return reply.type(file.type).send(file.body);
  };
  // /parent without the slash: relative URLs of the page resolve under /parent/ only with it.
  app.get('/parent', async (_request, reply) => reply.redirect('/parent/', 308));
  app.get('/parent/', async (_request, reply) => serve('index.html', reply));
  app.get<{ Params: { file: string } }>('/parent/:file', async (request, reply) =>
    serve(request.params.file, reply),
  );
}
