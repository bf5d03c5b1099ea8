import type { KioskView, UiEvent, UiReply } from '../common/ui-api.ts';
import type { UiEndpoint } from './ui-server.ts';

/**
 * What the screen serves when the kiosk cannot work at all (its database cannot be opened): mode
 * `out_of_order`, so that a guardian sees 故障中 / Out of order and what to tell staff instead of a
 * screen that takes taps and loses them. Every command is refused.
 */
export class OutOfOrderScreen implements UiEndpoint {
  readonly #view: KioskView;

  constructor(options: {
    deviceId: string;
    code: string;
    settings: Pick<KioskView, 'defaultLocale' | 'autoConfirmMs' | 'speak'>;
  }) {
    this.#view = {
      mode: 'out_of_order',
      deviceId: options.deviceId,
      facilityId: null,
      facilityName: null,
      timeZone: 'Asia/Tokyo',
      online: false,
      outbox: 0,
      ready: false,
      readers: [],
      camera: false,
      ...options.settings,
    };
  }

  subscribe(listener: (event: UiEvent) => void): () => void {
    listener({ type: 'state', state: this.#view });
    return () => undefined;
  }

  handle(): UiReply {
    return { ok: false, code: 'out_of_order', message: 'this kiosk is out of order' };
  }
}
