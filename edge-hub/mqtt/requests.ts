import { z } from 'zod';
import type { Logger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import {
  CARD_HASH_ALG,
  decodeJson,
  describeIssues,
  DeviceRequestSchema,
  ErrorCodes,
  MQTT_PAYLOAD_MAX,
  slowCardHash,
  type DeviceRequest,
  type DeviceResponse,
} from '../../protocol/index.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';

/** How long an answered request is remembered, so that a resend is answered instead of done again. */
export const REQUEST_RETENTION_MS = 7 * 24 * 3600 * 1000;

export interface DeviceRequestsOptions {
  store: StoreOf<'facility' | 'roster' | 'devices' | 'audit'> & Transactional;
  logger: Logger;
  clock: Clock;
  /** Sends the answer on the device's responses topic; called only after the commit. */
  publishResponse: (deviceId: string, response: DeviceResponse) => void;
  /**
   * The roster changed in this process (an enrolment): republish it. The answer goes out once the returned
   * promise settles, so that a kiosk told "ok" has been sent the roster with its card first.
   */
  onRosterChanged: () => Promise<void>;
  retentionMs?: number;
}

const MESSAGE_MAX = 500;

const RequestIdSchema = z.uuid();

function uuidOf(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null || !('id' in json)) return undefined;
  // The schema's own check of `id`: an answer must carry an id the device's response schema accepts.
  const r = RequestIdSchema.safeParse(json.id);
  return r.success ? r.data : undefined;
}

/**
 * Requests devices publish on …/requests (DeviceRequestSchema). Each valid request runs in one
 * transaction that also stores its answer, so a resend of the same id gets the same answer and changes
 * nothing. Requests are rare (a card enrolment now and then), so unlike ingest there is no grouping.
 */
export class DeviceRequests {
  private readonly store: StoreOf<'facility' | 'roster' | 'devices' | 'audit'> & Transactional;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly publishResponse: DeviceRequestsOptions['publishResponse'];
  private readonly onRosterChanged: DeviceRequestsOptions['onRosterChanged'];
  private readonly retentionMs: number;
  private closed = false;

  constructor(options: DeviceRequestsOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.clock = options.clock;
    this.publishResponse = options.publishResponse;
    this.onRosterChanged = options.onRosterChanged;
    this.retentionMs = options.retentionMs ?? REQUEST_RETENTION_MS;
  }

  /** A payload published by an authenticated kiosk on its own requests topic. Never throws. */
  submit(deviceId: string, payload: Buffer): void {
    if (this.closed) return;
    // Out of the broker's authorisation callback: the commit (an fsync) should not hold it up.
    setImmediate(() => {
      if (this.closed) return;
      this.handle(deviceId, payload).catch((err: unknown) => {
        // Nothing was committed, so nothing is answered: the device resends with the same id.
        this.logger.error({ err, deviceId }, 'device request failed; not answered');
      });
    });
  }

  close(): void {
    this.closed = true;
  }

  /** Handles one request: checks and commits synchronously, answers once the roster is republished. */
  async handle(deviceId: string, payload: Buffer): Promise<void> {
    if (payload.length > MQTT_PAYLOAD_MAX) {
      this.logger.warn({ deviceId, bytes: payload.length }, 'device request dropped: payload too large');
      return;
    }
    const parsed = decodeJson(DeviceRequestSchema, payload.toString('utf8'));
    if (!parsed.ok && parsed.problem === 'not_json') {
      this.logger.warn({ deviceId }, 'device request dropped: not JSON');
      return;
    }
    if (!parsed.ok) {
      const id = uuidOf(parsed.json);
      const message = describeIssues(parsed.error).slice(0, MESSAGE_MAX);
      if (id === undefined) {
        this.logger.warn({ deviceId }, 'device request dropped: invalid and without a readable id');
        return;
      }
      this.logger.warn(
        { deviceId, requestId: id, code: ErrorCodes.invalidPayload },
        'device request refused',
      );
      // Nothing was done, so nothing is remembered: a corrected resend with this id is handled afresh.
      this.send(deviceId, { id, ok: false, code: ErrorCodes.invalidPayload, message });
      return;
    }
    const request = await withSlowHash(this.store, parsed.value);
    const outcome = this.store.transaction(() => this.run(deviceId, request));
    if (outcome.rosterChanged) {
      try {
        await this.onRosterChanged();
      } catch (err) {
        // Committed all the same: the answer goes out, and the roster poll republishes.
        this.logger.error({ err }, 'roster republish failed');
      }
    }
    this.send(deviceId, outcome.response);
  }

  /** Inside the request's transaction: a stored answer, or the work and its answer, stored. */
  private run(
    deviceId: string,
    request: DeviceRequest,
  ): { response: DeviceResponse; rosterChanged: boolean } {
    const store = this.store;
    store.devices.pruneRequests(new Date(this.clock.now().getTime() - this.retentionMs));
    const stored = store.devices.storedResponse(deviceId, request.id);
    if (stored !== undefined) {
      this.logger.info({ deviceId, requestId: request.id }, 'device request resent; answered again');
      return { response: JSON.parse(stored) as DeviceResponse, rosterChanged: false };
    }
    let response: DeviceResponse;
    let rosterChanged = false;
    // One op so far; the switch is where the next one goes (and exhaustiveness is checked then).
    switch (request.op) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      case 'enroll_card': {
        const r = store.roster.enrollCredential(request.guardianId, request.credentialHash, {
          deviceId,
          staffId: request.staffId,
        });
        store.audit.append({
          actorKind: request.staffId === null ? 'device' : 'staff',
          actorId: request.staffId ?? deviceId,
          action: 'credential.enroll',
          subject: `guardian:${request.guardianId}`,
          deviceId,
          outcome: r.ok ? 'ok' : r.code,
          // The hash only when the card was added: it is what undoing the enrolment needs.
          after: r.ok && r.changed ? { credentialHash: request.credentialHash } : null,
        });
        if (r.ok) {
          response = { id: request.id, ok: true, rosterVersion: r.rosterVersion };
          rosterChanged = r.changed;
        } else {
          response = { id: request.id, ok: false, code: r.code, message: r.message };
        }
        this.logger.info(
          { deviceId, requestId: request.id, op: request.op, outcome: r.ok ? 'ok' : r.code },
          'device request handled',
        );
        break;
      }
    }
    store.devices.storeResponse(deviceId, request.id, request.op, JSON.stringify(response));
    return { response, rosterChanged };
  }

  private send(deviceId: string, response: DeviceResponse): void {
    try {
      this.publishResponse(deviceId, response);
    } catch (err) {
      this.logger.error({ err, deviceId }, 'response publish failed; the device will resend');
    }
  }
}

/**
 * A kiosk still holding a roster from before hub migration 17 sends a card's HMAC alone (no `hashAlg`):
 * the hub makes it the slow hash its roster holds (protocol/credentials.ts), off the event loop.
 */
async function withSlowHash(store: StoreOf<'facility'>, request: DeviceRequest): Promise<DeviceRequest> {
  if (request.hashAlg !== undefined) return request;
  const credentialHash = await slowCardHash(request.credentialHash, store.facility.meta().cardHash);
  return { ...request, credentialHash, hashAlg: CARD_HASH_ALG };
}
