import type { CameraReader } from '../../hardware/camera.ts';
import type { Logger } from '../../common/logger.ts';
import type { KioskOutputLine, TapLine } from '../common/output.ts';
import {
  UI_EVENT_MAX_BYTES,
  UiCommandSchema,
  type KioskView,
  type Locale,
  type MaintenanceView,
  type TapView,
  type UiEvent,
  type UiReply,
} from '../common/ui-api.ts';
import type { Kiosk } from './agent.ts';
import { UI_DEFAULTS } from './defaults.ts';

export interface UiControllerOptions {
  kiosk: Kiosk;
  /** The camera reader the screen feeds, when the kiosk reads QR codes with its camera. */
  camera?: CameraReader | undefined;
  logger: Logger;
  defaultLocale?: Locale;
  autoConfirmMs?: number;
  speak?: boolean;
  /** The maintenance screen locks itself after this long without a maintenance command. */
  maintenanceIdleMs?: number;
}

const LOCKED: UiReply = {
  ok: false,
  code: 'maintenance_locked',
  message: 'the maintenance screen is locked; enter the staff PIN first',
};

/**
 * The skew a screen shows, in whole seconds: the milliseconds of each 15-second sample differ, and the
 * views are resent only when they change.
 */
function wholeSeconds(ms: number): number {
  return Math.round(ms / 1000) * 1000;
}

/** Until a roster names the facility's zone: Genkan's home default. */
const DEFAULT_TIME_ZONE = 'Asia/Tokyo';

/**
 * The main side of the kiosk screen, whatever carries it (WebSocket in browser mode, IPC in Electron):
 * turns the agent's output into screen events, and screen commands (validated here) into agent calls.
 * One controller serves any number of screens; each gets the current state and tap when it subscribes.
 */
export class KioskUiController {
  readonly #kiosk: Kiosk;
  readonly #camera: CameraReader | undefined;
  readonly #logger: Logger;
  readonly #settings: Pick<KioskView, 'defaultLocale' | 'autoConfirmMs' | 'speak'>;
  readonly #listeners = new Set<(event: UiEvent) => void>();
  readonly #unsubscribe: () => void;
  #state: KioskView;
  #stateJson: string;
  /** The tap on screen, for a screen that (re)connects while it is shown. */
  #current: TapView | undefined;
  #currentAt = 0;
  readonly #maintenanceIdleMs: number;
  /** Set while the maintenance screen is unlocked: its idle lock timer and the last view sent. */
  #maintenance: { timer: NodeJS.Timeout; json: string } | undefined;

  constructor(options: UiControllerOptions) {
    this.#kiosk = options.kiosk;
    this.#camera = options.camera;
    this.#logger = options.logger.child({ ns: 'kiosk.ui' });
    this.#settings = {
      defaultLocale: options.defaultLocale ?? UI_DEFAULTS.defaultLocale,
      autoConfirmMs: options.autoConfirmMs ?? UI_DEFAULTS.autoConfirmMs,
      speak: options.speak ?? UI_DEFAULTS.speak,
    };
    this.#maintenanceIdleMs = options.maintenanceIdleMs ?? UI_DEFAULTS.maintenanceIdleMs;
    this.#state = this.#buildState();
    this.#stateJson = JSON.stringify(this.#state);
    this.#unsubscribe = this.#kiosk.subscribe((line) => {
      this.#onLine(line);
    });
  }

  /** Sends the current state (and the tap on screen) at once, then every event; returns an unsubscribe. */
  subscribe(listener: (event: UiEvent) => void): () => void {
    this.#listeners.add(listener);
    for (const event of this.snapshot()) listener(event);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** What a screen needs on (re)connecting: the state, and the tap if one is still on screen. */
  snapshot(): UiEvent[] {
    const events: UiEvent[] = [{ type: 'state', state: this.#state }];
    const tap = this.#onScreen();
    if (tap) events.push({ type: 'tap', tap });
    if (this.#maintenance) events.push({ type: 'maintenance', view: this.#buildMaintenance() });
    return events;
  }

  /** A command from a screen: checked against the schema before anything acts on it. */
  handle(raw: unknown): UiReply {
    const parsed = UiCommandSchema.safeParse(raw);
    if (!parsed.success) {
      this.#logger.warn('invalid command from the screen refused');
      return { ok: false, code: 'bad_command', message: 'command not understood' };
    }
    const command = parsed.data;
    switch (command.op) {
      case 'qr':
        if (!this.#camera) {
          return { ok: false, code: 'no_camera', message: 'this kiosk does not read QR codes by camera' };
        }
        this.#camera.deliver(command.value);
        return { ok: true };
      case 'camera':
        this.#camera?.setStatus(command.status);
        return { ok: true };
      case 'set_included':
      case 'undo':
      case 'flip':
      case 'confirm':
        return this.#kiosk.amend(command);
      case 'maintenance_open': {
        const reply = this.#kiosk.verifyStaffPin(command.pin);
        if (reply.ok) this.#unlock();
        return reply;
      }
      case 'maintenance_close':
        if (!this.#maintenance) return LOCKED;
        this.#lock('closed');
        return { ok: true };
      case 'enroll_start': {
        if (!this.#maintenance) return LOCKED;
        this.#touchMaintenance();
        const reply = this.#kiosk.startEnrollment(command.guardianId);
        this.#refreshMaintenance();
        return reply;
      }
      case 'enroll_cancel':
        if (!this.#maintenance) return LOCKED;
        this.#touchMaintenance();
        return this.#kiosk.cancelEnrollment();
      case 'families_open':
        this.#broadcast({ type: 'families', families: this.#kiosk.families() });
        return { ok: true };
      case 'guardian_pin':
        return this.#kiosk.guardianPinTap(command.guardianId, command.pin);
    }
  }

  close(): void {
    if (this.#maintenance) this.#lock('closed');
    this.#unsubscribe();
    this.#listeners.clear();
  }

  #onLine(line: KioskOutputLine): void {
    if ('ready' in line) {
      this.#refreshState();
      this.#refreshMaintenance();
      return;
    }
    switch (line.type) {
      case 'tap':
        this.#showTap(line);
        this.#refreshState();
        this.#refreshMaintenance();
        return;
      case 'amend': {
        const view = this.#kiosk.tapView(line.tapId);
        if (view) {
          const tap: TapView = { result: 'ok', ...view };
          if (this.#current?.result === 'ok' && this.#current.tapId === line.tapId) this.#current = tap;
          this.#broadcast({ type: 'tap_updated', tap });
        }
        this.#refreshState();
        this.#refreshMaintenance();
        return;
      }
      case 'acked':
      case 'rejected':
      case 'connection':
      case 'roster':
      case 'reader':
      case 'clock':
        this.#refreshState();
        this.#refreshMaintenance();
        return;
      case 'enroll':
        // A card read for the enrolment is staff activity too: the screen stays unlocked.
        if (this.#maintenance && line.status !== 'idle') this.#touchMaintenance();
        this.#refreshMaintenance();
        return;
      case 'rollcall':
      case 'reader_error':
        return;
    }
  }

  #showTap(line: TapLine): void {
    const tap = this.#tapView(line);
    if (!tap) return;
    this.#current = tap;
    this.#currentAt = performance.now();
    this.#broadcast({ type: 'tap', tap });
  }

  #tapView(line: TapLine): TapView | undefined {
    switch (line.result) {
      // A tap held by the reversal guard is an ok tap with nothing recorded yet (view.held).
      case 'ok':
      case 'needs_confirm': {
        const view = this.#kiosk.tapView(line.tapId);
        return view && { result: 'ok', ...view };
      }
      case 'unknown_credential':
        return { result: line.result, kind: line.kind };
      case 'debounced':
        return {
          result: 'debounced',
          kind: line.kind,
          ...(line.children && {
            children: line.children.map((c) => ({ name: c.childName, type: c.type, at: c.at })),
          }),
        };
      case 'refused_qr':
        return { result: 'refused_qr', reason: line.reason };
      case 'no_children':
        return { result: 'no_children', guardian: line.guardian };
      case 'no_roster':
        return { result: 'no_roster' };
      case 'error':
        return { result: 'error', code: line.code };
    }
  }

  #onScreen(): TapView | undefined {
    const tap = this.#current;
    if (!tap) return undefined;
    if (tap.result === 'ok') {
      const view = this.#kiosk.tapView(tap.tapId);
      return view && !view.closed ? { result: 'ok', ...view } : undefined;
    }
    // A refusal is shown for a few seconds; a screen connecting later starts idle.
    return performance.now() - this.#currentAt < this.#settings.autoConfirmMs ? tap : undefined;
  }

  #buildState(): KioskView {
    const s = this.#kiosk.state();
    return {
      mode: 'kiosk',
      deviceId: this.#kiosk.deviceId,
      facilityId: s.facilityId ?? null,
      facilityName: s.facilityName ?? null,
      timeZone: s.timeZone ?? DEFAULT_TIME_ZONE,
      online: s.online,
      outbox: s.outbox.pending,
      ready: s.ready,
      readers: s.readers,
      camera: this.#camera !== undefined,
      ...this.#settings,
      clockOffsetMs: s.clock.corrected ? wholeSeconds(s.clock.skewMs) : 0,
    };
  }

  #refreshState(): void {
    const state = this.#buildState();
    const json = JSON.stringify(state);
    if (json === this.#stateJson) return;
    this.#state = state;
    this.#stateJson = json;
    this.#broadcast({ type: 'state', state });
  }

  // --- maintenance screen ------------------------------------------------------------------------

  #unlock(): void {
    clearTimeout(this.#maintenance?.timer);
    this.#maintenance = { timer: this.#lockTimer(), json: '' };
    this.#logger.info('maintenance screen unlocked');
    this.#refreshMaintenance();
  }

  #lockTimer(): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#lock('idle');
    }, this.#maintenanceIdleMs);
    timer.unref();
    return timer;
  }

  /** A maintenance command: the idle lock starts over. */
  #touchMaintenance(): void {
    const m = this.#maintenance;
    if (!m) return;
    clearTimeout(m.timer);
    m.timer = this.#lockTimer();
  }

  #lock(reason: 'closed' | 'idle'): void {
    const m = this.#maintenance;
    if (!m) return;
    clearTimeout(m.timer);
    this.#maintenance = undefined;
    this.#logger.info({ reason }, 'maintenance screen locked');
    // A locked screen must not leave the next parent's card diverted into an enrolment.
    if (this.#kiosk.enrollment().status !== 'idle') this.#kiosk.cancelEnrollment();
    this.#broadcast({ type: 'maintenance', view: null });
  }

  #buildMaintenance(): MaintenanceView {
    const s = this.#kiosk.state();
    const info = this.#kiosk.maintenanceInfo();
    return {
      hubUrl: info.hubUrl,
      online: s.online,
      outbox: s.outbox.pending,
      inFlight: s.inFlight,
      rosterVersion: s.rosterVersion ?? null,
      readers: s.readers,
      recent: info.recent,
      guardians: info.guardians,
      enrollment: this.#kiosk.enrollment(),
      clock: { ...s.clock, skewMs: wholeSeconds(s.clock.skewMs) },
      idleLockMs: this.#maintenanceIdleMs,
    };
  }

  /** Sends the maintenance view to every screen if it is unlocked and changed. */
  #refreshMaintenance(): void {
    const m = this.#maintenance;
    if (!m) return;
    const view = this.#buildMaintenance();
    const json = JSON.stringify(view);
    if (json === m.json) return;
    m.json = json;
    // The screens drop larger frames: a roster this big needs a paged picker.
    const bytes = Buffer.byteLength(json);
    if (bytes > UI_EVENT_MAX_BYTES - 1024) {
      this.#logger.error(
        { bytes, guardians: view.guardians.length },
        'maintenance view too large for the screen',
      );
    }
    this.#broadcast({ type: 'maintenance', view });
  }

  #broadcast(event: UiEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.#logger.error({ err }, 'a screen listener failed');
      }
    }
  }
}
