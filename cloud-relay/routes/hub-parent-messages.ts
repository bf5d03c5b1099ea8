import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../../common/errors.ts';
import { describeIssues, ErrorCodes } from '../../protocol/index.ts';
import {
  PARENT_MESSAGES_PAGE_MAX,
  PARENT_MESSAGES_WAIT_MAX_S,
  ParentNoticeReadsSchema,
  ParentSettingsUploadSchema,
  type ParentMessage,
  type ParentMessagesPage,
} from '../../protocol/parent-notices.ts';
import type { Principal } from '../access.ts';
import { forbidden } from '../errors.ts';
import type { CloudRouteContext } from './context.ts';
import type { ParentNoticeSignal } from './parent-notices-signal.ts';

/** While a long-poll waits, the store is read again this often: another cloud process may store notices. */
export const RECHECK_MS = 1_000;

interface MessagesRoute {
  Querystring: Record<string, unknown>;
}

function badQuery(message: string): ValidationError {
  return new ValidationError(ErrorCodes.badRequest, message);
}

/** A whole number from the query: `fallback` when absent, bad_request when not digits (or over `max`). */
function numberOf(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n <= max)) throw badQuery(`${name} must be a whole number up to ${String(max)}`);
  return n;
}

/**
 * What the hub exchanges with the cloud about parents' notices (docs/protocol.md "Parent messages"), always
 * on the hub's own connections: GET /v1/hub/parent-messages (long-poll, by the facility's seq), POST
 * /v1/hub/parent-notices/read (staff confirmed) and PUT /v1/hub/parent-settings (the cut-offs). Hub tokens
 * only; the facility is the token's, never a parameter.
 */
export function registerHubParentMessages(
  app: FastifyInstance,
  { store, metrics, clock, auth }: CloudRouteContext,
  signal: ParentNoticeSignal,
): void {
  function hubOf(request: FastifyRequest): Extract<Principal, { kind: 'hub' }> {
    const principal = auth.principalOf(request);
    if (principal.kind !== 'hub') throw forbidden('only hub tokens exchange parent messages');
    metrics.hubSeen(principal.hubId, clock.now().getTime());
    return principal;
  }

  // Shutdown answers the waiting long-polls at once (an empty page), so that closing never waits for them.
  app.addHook('preClose', (done) => {
    signal.close();
    done();
  });

  app.get<MessagesRoute>(
    '/v1/hub/parent-messages',
    auth.reader,
    async (request, reply): Promise<ParentMessagesPage> => {
      const { facilityId, hubId } = hubOf(request);
      const after = numberOf(request.query['after'], 'after', 0, Number.MAX_SAFE_INTEGER);
      // A longer wait is cut to the most: the hub asks for what it can afford, the cloud keeps its bound.
      const waitS = Math.min(
        numberOf(request.query['wait'], 'wait', 0, Number.MAX_SAFE_INTEGER),
        PARENT_MESSAGES_WAIT_MAX_S,
      );
      const deadline = performance.now() + waitS * 1000;
      // The client going away ends the wait (the response's 'close' also fires once it is sent: harmless).
      const gone = new AbortController();
      reply.raw.once('close', () => {
        gone.abort();
      });
      // Read afresh each time: it changes while the handler awaits.
      const isGone = (): boolean => gone.signal.aborted;
      let messages: ParentMessage[] = await store.parentNotices.messagesAfter(
        facilityId,
        after,
        PARENT_MESSAGES_PAGE_MAX,
      );
      if (messages.length === 0 && waitS > 0) {
        request.log.trace({ hubId, facilityId, after, waitS }, 'parent messages long-poll waiting');
      }
      for (;;) {
        const left = deadline - performance.now();
        if (messages.length > 0 || left <= 0 || isGone() || signal.isClosed()) break;
        await signal.wait(facilityId, Math.min(RECHECK_MS, left), gone.signal);
        if (isGone()) {
          request.log.debug({ hubId, facilityId, after }, 'parent messages long-poll ended: client gone');
          break;
        }
        messages = await store.parentNotices.messagesAfter(facilityId, after, PARENT_MESSAGES_PAGE_MAX);
      }
      // A connection busy when the server began to close would otherwise linger idle for the keep-alive
      // time, holding up the close.
      if (signal.isClosed()) reply.header('connection', 'close');
      const cursor = messages.at(-1)?.seq ?? after;
      if (messages.length > 0) {
        request.log.info(
          { hubId, facilityId, after, cursor, count: messages.length },
          'hub fetched parent messages',
        );
      }
      return { messages, cursor };
    },
  );

  app.post('/v1/hub/parent-notices/read', auth.uploader, async (request): Promise<{ stored: number }> => {
    const { facilityId, hubId } = hubOf(request);
    const parsed = ParentNoticeReadsSchema.safeParse(request.body);
    if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
    const stored = await store.parentNotices.markRead(facilityId, parsed.data.reads);
    request.log.info(
      { hubId, facilityId, reads: parsed.data.reads.length, stored },
      'hub relayed parent notice reads',
    );
    return { stored };
  });

  app.put('/v1/hub/parent-settings', auth.uploader, async (request): Promise<{ stored: boolean }> => {
    const { facilityId, hubId } = hubOf(request);
    const parsed = ParentSettingsUploadSchema.safeParse(request.body);
    if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
    const stored = await store.parentNotices.putSettings(facilityId, hubId, parsed.data);
    request.log.info(
      {
        hubId,
        facilityId,
        version: parsed.data.version,
        classes: Object.keys(parsed.data.classCutoffs).length,
        stored,
      },
      'parent settings received',
    );
    return { stored };
  });
}
