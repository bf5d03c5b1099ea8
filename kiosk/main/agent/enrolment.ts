import {
  credentialLookupHash,
  DeviceRequestSchema,
  type Credential,
  type DeviceRequest,
  type DeviceResponse,
} from '../../../protocol/index.ts';
import { newEventId } from '../../../common/ids.ts';
import type { Logger } from '../../../common/logger.ts';
import type { EnrollmentView, UiReply } from '../../common/ui-api.ts';
import type { HubLink } from '../hub-link.ts';
import type { FacilityState } from './facility.ts';
import type { KioskLifecycle } from './lifecycle.ts';
import type { KioskOutput } from './output.ts';

export interface EnrolmentOptions {
  logger: Logger;
  facility: FacilityState;
  link: Pick<HubLink, 'online' | 'publishRequest'>;
  output: Pick<KioskOutput, 'emit'>;
  lifecycle: Pick<KioskLifecycle, 'closed'>;
  /** A card enrolment the hub has not answered this long after the card was read fails. */
  timeoutMs: number;
}

/**
 * Card enrolment from the maintenance screen: staff pick a guardian, the next card read becomes that
 * guardian's new card, sent to the hub as a keyed hash, and the hub's response ends it.
 */
export class CardEnrolment {
  readonly #options: EnrolmentOptions;
  #view: EnrollmentView = { status: 'idle' };
  /** The enrolment request awaiting the hub's response. */
  #request: { id: string; timer: NodeJS.Timeout } | undefined;

  constructor(options: EnrolmentOptions) {
    this.#options = options;
  }

  view(): EnrollmentView {
    return { ...this.#view };
  }

  start(guardianId: string): UiReply {
    const { lifecycle, facility, link } = this.#options;
    if (lifecycle.closed) return { ok: false, code: 'closed', message: 'the kiosk is shutting down' };
    if (this.#view.status === 'sending') {
      return { ok: false, code: 'enroll_busy', message: 'a card is being registered; wait for the result' };
    }
    const guardian = facility.roster?.index.guardianById.get(guardianId);
    if (!facility.roster) return { ok: false, code: 'no_roster', message: 'no roster yet' };
    if (!guardian)
      return { ok: false, code: 'unknown_guardian', message: 'that guardian is not on the roster' };
    // Only the hub can store a card: starting offline would end in a timeout after the card is tapped.
    if (!link.online) {
      return {
        ok: false,
        code: 'offline',
        message: 'the hub is not reachable; cards can be registered only online',
      };
    }
    this.#set({ status: 'waiting_card', guardianId: guardian.id, guardianName: guardian.name });
    return { ok: true };
  }

  cancel(): UiReply {
    if (this.#view.status !== 'idle') this.#set({ status: 'idle' });
    return { ok: true };
  }

  /**
   * Takes a card read while an enrolment waits for one: sends its hash (as the held roster makes it,
   * computed off the event loop) to the hub and returns true. False (a normal tap) for anything else; QR
   * codes are never enrolled.
   */
  takeCard(credential: Credential, reader: string): boolean {
    const waiting = this.#view;
    const held = this.#options.facility.roster;
    if (
      this.#options.lifecycle.closed ||
      waiting.status !== 'waiting_card' ||
      credential.kind !== 'card' ||
      !held
    )
      return false;
    const guardian = { guardianId: waiting.guardianId, guardianName: waiting.guardianName };
    const id = newEventId();
    const timer = setTimeout(() => {
      if (this.#request?.id !== id) return;
      this.#options.logger.warn({ requestId: id }, 'the hub did not answer the card enrolment');
      this.#set({ ...this.#view, status: 'failed', code: 'timeout' });
    }, this.#options.timeoutMs);
    timer.unref();
    this.#request = { id, timer };
    this.#set({ status: 'sending', ...guardian }, reader);
    const { roster } = held;
    credentialLookupHash(roster, credential).then(
      (credentialHash) => {
        // Cancelled, timed out or closed while the hash was being computed.
        if (this.#request?.id !== id) return;
        const request: DeviceRequest = DeviceRequestSchema.parse({
          id,
          op: 'enroll_card',
          guardianId: guardian.guardianId,
          credentialHash,
          // Says the hash is the slow one, so that a hub never takes it for a bare HMAC (protocol/schemas.ts).
          ...(roster.cardHash !== undefined && { hashAlg: roster.cardHash.alg }),
          staffId: null,
        });
        if (!this.#options.link.publishRequest(JSON.stringify(request))) {
          this.#set({ status: 'failed', ...guardian, code: 'offline' });
        }
      },
      (err: unknown) => {
        this.#options.logger.error({ err }, 'card enrolment: hashing the card failed');
        if (this.#request?.id === id) this.#set({ status: 'failed', ...guardian, code: 'error' });
      },
    );
    return true;
  }

  /** The hub's response to a device request. */
  answered(response: DeviceResponse): void {
    if (this.#request?.id !== response.id || this.#view.status !== 'sending') {
      this.#options.logger.info({ requestId: response.id }, 'response to no pending request ignored');
      return;
    }
    const { guardianId, guardianName } = this.#view;
    const guardian = { guardianId, guardianName };
    if (response.ok) this.#set({ status: 'done', ...guardian });
    else this.#set({ status: 'failed', ...guardian, code: response.code });
  }

  close(): void {
    clearTimeout(this.#request?.timer);
    this.#request = undefined;
  }

  #set(view: EnrollmentView, reader?: string): void {
    if (view.status !== 'sending') {
      clearTimeout(this.#request?.timer);
      this.#request = undefined;
    }
    this.#view = view;
    this.#options.logger.info(
      { status: view.status, guardianId: view.guardianId, code: view.code },
      'card enrolment',
    );
    this.#options.output.emit({
      type: 'enroll',
      status: view.status,
      ...(view.guardianId !== undefined && { guardianId: view.guardianId }),
      ...(reader !== undefined && { reader }),
      ...(view.code !== undefined && { code: view.code }),
    });
  }
}
