import { z } from 'zod';
import { KANA_ROWS } from './kana-rows.ts';
import { LOCALES } from './locales.ts';
import { QR_REFUSAL_REASONS } from './messages.ts';
import { PickupViewSchema } from './pickup-view.ts';

/**
 * The contract between the kiosk's main side (agent, Node) and its screen (renderer). One contract,
 * two transports: Electron IPC through the preload's `window.genkan`, and a WebSocket in browser mode
 * (kiosk/main/ui-server.ts). Every message crossing it is checked with these schemas on the receiving
 * side; inside each side the types are trusted.
 *
 * Stable test hooks (public: outside tests use them): see UI_TEST_IDS.
 */

export { LOCALES, type Locale } from './locales.ts';
export { PickupViewSchema, type PickupView } from './pickup-view.ts';

const Id = z.string().min(1).max(64);
const Instant = z.string().min(1).max(40);
export const DirectionSchema = z.enum(['check_in', 'check_out']);
export type Direction = z.infer<typeof DirectionSchema>;

export const ReaderViewSchema = z.strictObject({
  /** Reader name as in tap lines: stdin, sim, pcsc, serial, camera. */
  name: z.string().max(64),
  attached: z.boolean(),
});
export type ReaderView = z.infer<typeof ReaderViewSchema>;

/** Everything the idle screen and the banners show; sent whole whenever any of it changes. */
export const KioskViewSchema = z.strictObject({
  /**
   * `pairing`: the kiosk has no hub yet and shows the pairing screen (scan the hub's pairing QR);
   * `kiosk`: normal operation; `out_of_order`: the kiosk's database cannot be opened, nothing can be
   * recorded here (the screen says 故障中 / Out of order and what to tell staff).
   */
  mode: z.enum(['kiosk', 'pairing', 'out_of_order']),
  deviceId: Id,
  facilityId: Id.nullable(),
  facilityName: z.string().max(200).nullable(),
  /** IANA zone of the facility, for the clock (Asia/Tokyo until a roster says otherwise). */
  timeZone: z.string().max(64),
  /** Connected to the hub broker. */
  online: z.boolean(),
  /** Events recorded here and not yet acknowledged by the hub. */
  outbox: z.number().int().min(0),
  /** A roster is held and the readers are open: taps can be recorded. */
  ready: z.boolean(),
  readers: z.array(ReaderViewSchema).max(16),
  /** The renderer runs the camera QR scanner (`--reader camera`). */
  camera: z.boolean(),
  /** The language the screen starts in, and returns to when idle. */
  defaultLocale: z.enum(LOCALES),
  /** How long the result screen stays (and offers undo / change direction) before confirming itself. */
  autoConfirmMs: z.number().int().min(1000).max(60_000),
  /** Speak a greeting (speechSynthesis, ja-JP) after a recorded tap. */
  speak: z.boolean(),
  /**
   * Milliseconds to add to this machine's clock for the idle screen's clock: the hub's correction while
   * the kiosk stamps with the hub's time (its own clock is more than 2 minutes off), else 0.
   */
  clockOffsetMs: z.number().int().min(-1e13).max(1e13).optional(),
});
export type KioskView = z.infer<typeof KioskViewSchema>;

export const ChildViewSchema = z.strictObject({
  childId: Id,
  name: z.string().max(200),
  kana: z.string().max(200),
  classId: Id,
  className: z.string().max(200),
  direction: DirectionSchema,
  /** Recorded for this tap now; false after the parent turned the child off (the event was voided). */
  included: z.boolean(),
  /** The child's latest check-in or check-out today before this tap, when known. */
  last: z.strictObject({ type: DirectionSchema, at: Instant }).optional(),
  /** This tap would reverse `last` within the reversal guard (the tap is held). */
  reversal: z.boolean().optional(),
  /** Today's pickup plan a parent sent (お迎え予定; topics.pickups), shown with the child. */
  pickup: PickupViewSchema.optional(),
});
export type ChildView = z.infer<typeof ChildViewSchema>;

const GuardianViewSchema = z.strictObject({ id: Id, name: z.string().max(200) });

/** What a result screen shows: one per tap outcome. Personal data only for a recognised guardian. */
export const TapViewSchema = z.discriminatedUnion('result', [
  z.strictObject({
    result: z.literal('ok'),
    tapId: z.uuid(),
    /** When the tap was recorded (RFC 3339, facility offset). */
    at: Instant,
    guardian: GuardianViewSchema,
    children: z.array(ChildViewSchema).min(1).max(20),
    /** True once confirmed, undone or timed out: no more changes. */
    closed: z.boolean(),
    /** The whole tap was undone: every event of it is voided. */
    undone: z.boolean(),
    /**
     * The tap's direction (most children's own next step). A child whose own direction differs is a
     * sibling shown apart, recorded only if touched.
     */
    direction: DirectionSchema.optional(),
    /**
     * Held by the reversal guard: nothing was recorded; the screen asks (data-result="needs_confirm"
     * while no child is recorded) and only a touch on a child records.
     */
    held: z.boolean().optional(),
  }),
  z.strictObject({ result: z.literal('unknown_credential'), kind: z.enum(['card', 'qr']) }),
  z.strictObject({
    result: z.literal('refused_qr'),
    reason: z.enum(QR_REFUSAL_REASONS),
  }),
  /** The same card again within the debounce window: already recorded, nothing new stored. */
  z.strictObject({
    result: z.literal('debounced'),
    kind: z.enum(['card', 'qr']),
    /** The guardian's children with their latest event today ("already recorded": who and when). */
    children: z
      .array(z.strictObject({ name: z.string().max(200), type: DirectionSchema, at: Instant }))
      .max(20)
      .optional(),
  }),
  z.strictObject({ result: z.literal('no_children'), guardian: GuardianViewSchema }),
  z.strictObject({ result: z.literal('no_roster') }),
  z.strictObject({ result: z.literal('error'), code: z.string().max(64) }),
]);
export type TapView = z.infer<typeof TapViewSchema>;
export type TapViewResult = TapView['result'];

/** One of the kiosk's recent events, as the maintenance screen lists them (newest first). */
export const RecentEventSchema = z.strictObject({
  id: z.uuid(),
  at: Instant,
  childName: z.string().max(200),
  type: z.enum(['check_in', 'check_out', 'absent', 'void']),
  /** pending: in the outbox; acked: stored by the hub; rejected: refused by the hub (see code). */
  delivery: z.enum(['pending', 'acked', 'rejected']),
  code: z.string().max(64).optional(),
});
export type RecentEvent = z.infer<typeof RecentEventSchema>;

/** A guardian in the enrolment picker: names to choose the right person, never card data. */
export const GuardianChoiceSchema = z.strictObject({
  id: Id,
  name: z.string().max(200),
  children: z.array(z.strictObject({ name: z.string().max(200), kana: z.string().max(200) })).max(20),
  /** How many cards/codes the guardian has registered already. */
  cards: z.number().int().min(0),
});
export type GuardianChoice = z.infer<typeof GuardianChoiceSchema>;

export const EnrollmentViewSchema = z.strictObject({
  /**
   * idle; waiting_card: the next card tapped on any card reader is the guardian's new card (no check-in);
   * sending: asked the hub; done: the hub stored it; failed: see code (credential_in_use, timeout, …).
   */
  status: z.enum(['idle', 'waiting_card', 'sending', 'done', 'failed']),
  guardianId: Id.optional(),
  guardianName: z.string().max(200).optional(),
  code: z.string().max(64).optional(),
});
export type EnrollmentView = z.infer<typeof EnrollmentViewSchema>;

/**
 * A guardian in the "no card" family chooser: listed under `row` (kiosk/common/kana-rows.ts), with the
 * children's names to find the right family. Never a PIN or its hash.
 */
export const FamilyChoiceSchema = z.strictObject({
  id: Id,
  name: z.string().max(200),
  row: z.enum(KANA_ROWS),
  /** The family's reading (the first child's kana), for the order within a row. */
  kana: z.string().max(200),
  children: z.array(z.strictObject({ name: z.string().max(200), kana: z.string().max(200) })).max(20),
  /** A PIN is set for this guardian (else the screen says to ask staff to set one). */
  pin: z.boolean(),
  /** Too many wrong PINs here: locked until then (RFC 3339), else null. */
  lockedUntil: Instant.nullable(),
});
export type FamilyChoice = z.infer<typeof FamilyChoiceSchema>;

/** The kiosk's clock against the hub's, as in the device status. */
export const ClockViewSchema = z.strictObject({
  /** Hub minus kiosk (positive: the kiosk's clock is behind), whole seconds in ms; 0 before any check. */
  skewMs: z.number().int().min(-1e13).max(1e13),
  /** Events are stamped with the hub's time (skew over 2 minutes). */
  corrected: z.boolean(),
  /** The hub's time has been seen since the kiosk started. */
  synced: z.boolean(),
});
export type ClockView = z.infer<typeof ClockViewSchema>;

/** The staff-only maintenance screen, sent only while it is unlocked (it lists names). */
export const MaintenanceViewSchema = z.strictObject({
  hubUrl: z.string().max(300),
  online: z.boolean(),
  outbox: z.number().int().min(0),
  inFlight: z.number().int().min(0),
  rosterVersion: z.number().int().min(0).nullable(),
  readers: z.array(ReaderViewSchema).max(16),
  recent: z.array(RecentEventSchema).max(50),
  guardians: z.array(GuardianChoiceSchema).max(5000),
  enrollment: EnrollmentViewSchema,
  clock: ClockViewSchema,
  /** The screen locks itself after this long without a touch. */
  idleLockMs: z.number().int().min(1000),
});
export type MaintenanceView = z.infer<typeof MaintenanceViewSchema>;

/** Pairing progress on the pairing screen. */
export const PairingViewSchema = z.strictObject({
  /** waiting: scan the hub's pairing code; working: talking to the hub; failed: see code. */
  status: z.enum(['waiting', 'working', 'failed']),
  code: z.string().max(64).optional(),
  /** The hub address being paired with (from the scanned code). */
  hub: z.string().max(300).optional(),
});
export type PairingView = z.infer<typeof PairingViewSchema>;

/** Main → renderer. */
export const UiEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('state'), state: KioskViewSchema }),
  /** A new tap: the screen shows it at once. */
  z.strictObject({ type: z.literal('tap'), tap: TapViewSchema }),
  /** A shown tap changed (a child toggled, undone, direction changed, closed): replaces it. */
  z.strictObject({ type: z.literal('tap_updated'), tap: TapViewSchema }),
  /** The maintenance screen's content; `null` when it locks (PIN again to reopen). */
  z.strictObject({ type: z.literal('maintenance'), view: MaintenanceViewSchema.nullable() }),
  /** Pairing progress, while the state's mode is `pairing`. */
  z.strictObject({ type: z.literal('pairing'), view: PairingViewSchema }),
  /** The family chooser's guardians, in answer to `families_open` (to every screen). */
  z.strictObject({ type: z.literal('families'), families: z.array(FamilyChoiceSchema).max(5000) }),
]);
export type UiEvent = z.infer<typeof UiEventSchema>;

/** Renderer → main. Each names the tap it acts on; main refuses one whose tap is closed or unknown. */
export const UiCommandSchema = z.discriminatedUnion('op', [
  /** Include or leave out one child of the tap (a sibling who is not coming today). */
  z.strictObject({ op: z.literal('set_included'), tapId: z.uuid(), childId: Id, included: z.boolean() }),
  /** Undo the whole tap: every event of it is voided. */
  z.strictObject({ op: z.literal('undo'), tapId: z.uuid() }),
  /** The kiosk guessed the direction wrong: void and record the opposite for every included child. */
  z.strictObject({ op: z.literal('flip'), tapId: z.uuid() }),
  /** The parent is done: no more changes to this tap. */
  z.strictObject({ op: z.literal('confirm'), tapId: z.uuid() }),
  /** A QR payload decoded from the camera (counted once per appearance by the renderer's deduper). */
  z.strictObject({ op: z.literal('qr'), value: z.string().min(1).max(2048) }),
  /** Camera state, shown in maintenance and tap lines: on (streaming), off, or failed. */
  z.strictObject({ op: z.literal('camera'), status: z.enum(['on', 'off', 'failed']) }),
  /** Unlock the maintenance screen with the kiosk's staff PIN (4–12 digits). */
  z.strictObject({ op: z.literal('maintenance_open'), pin: z.string().regex(/^[0-9]{4,12}$/) }),
  z.strictObject({ op: z.literal('maintenance_close') }),
  /** Start card enrolment for a guardian: the next card tapped is theirs (maintenance unlocked only). */
  z.strictObject({ op: z.literal('enroll_start'), guardianId: Id }),
  z.strictObject({ op: z.literal('enroll_cancel') }),
  /** The "no card" button: send the family chooser's guardians (a `families` event). */
  z.strictObject({ op: z.literal('families_open') }),
  /** A guardian's PIN from the family chooser: checked offline; right → a tap with method `pin`. */
  z.strictObject({ op: z.literal('guardian_pin'), guardianId: Id, pin: z.string().regex(/^[0-9]{4,8}$/) }),
]);
export type UiCommand = z.infer<typeof UiCommandSchema>;

export const UiReplySchema = z.union([
  z.strictObject({ ok: z.literal(true) }),
  z.strictObject({ ok: z.literal(false), code: z.string().max(64), message: z.string().max(500) }),
]);
export type UiReply = z.infer<typeof UiReplySchema>;

/**
 * The API the screen uses, whatever the transport: the preload exposes exactly this on `window.genkan`
 * (Electron), and the browser-mode client implements it over the WebSocket. Named methods only: the
 * renderer cannot send arbitrary channels.
 */
export interface GenkanKioskApi {
  /** Calls back with the current state first, then with every event; returns an unsubscribe. */
  onEvent(listener: (event: UiEvent) => void): () => void;
  setIncluded(tapId: string, childId: string, included: boolean): Promise<UiReply>;
  undo(tapId: string): Promise<UiReply>;
  flip(tapId: string): Promise<UiReply>;
  confirm(tapId: string): Promise<UiReply>;
  submitQr(value: string): Promise<UiReply>;
  cameraStatus(status: 'on' | 'off' | 'failed'): Promise<UiReply>;
  openMaintenance(pin: string): Promise<UiReply>;
  closeMaintenance(): Promise<UiReply>;
  startEnrollment(guardianId: string): Promise<UiReply>;
  cancelEnrollment(): Promise<UiReply>;
  /** Asks for the family chooser's guardians: they come as a `families` event. */
  openFamilies(): Promise<UiReply>;
  /**
   * A guardian's PIN (4–8 digits): ok (the tap's result screen follows as a `tap` event), or bad_pin,
   * locked_out (message: lockedOutMessage), no_pin, unknown_guardian, no_roster.
   */
  submitGuardianPin(guardianId: string, pin: string): Promise<UiReply>;
}

/** Electron IPC channel names (preload ↔ main); the browser transport sends the same JSON. */
export const IPC = {
  /** invoke: UiCommand → UiReply */
  command: 'genkan:command',
  /** main → renderer: UiEvent */
  event: 'genkan:event',
  /** invoke: () → UiEvent[] (the current state, and the tap on screen if any) */
  hello: 'genkan:hello',
} as const;

/** WebSocket frames in browser mode. */
export const WsClientFrameSchema = z.strictObject({ id: z.number().int().min(0), command: UiCommandSchema });
export type WsClientFrame = z.infer<typeof WsClientFrameSchema>;
export const WsServerFrameSchema = z.union([
  z.strictObject({ id: z.number().int().min(0), reply: UiReplySchema }),
  z.strictObject({ event: UiEventSchema }),
]);
export type WsServerFrame = z.infer<typeof WsServerFrameSchema>;

/** Largest frame the main side accepts from a screen (a command; a QR payload is at most 2 KiB). */
export const UI_FRAME_MAX_BYTES = 64 * 1024;
/**
 * Largest frame a screen accepts from the main side. The maintenance view lists every guardian for the
 * enrolment picker (about 170 bytes each with Japanese names), so it is far above a command's limit.
 */
export const UI_EVENT_MAX_BYTES = 4 * 1024 * 1024;

/**
 * data-testid hooks of the kiosk screen: a public contract for tests and integrators.
 * - tapResult: the result screen root; attribute `data-result` = TapView['result'], or `needs_confirm`
 *   for an ok tap held by the reversal guard while nothing of it is recorded;
 *   each child entry inside has `data-child-id`, `data-direction` (check_in|check_out) and
 *   `data-included` (true|false), and a childToggle button. A sibling whose own direction differs from
 *   the tap's is shown with data-included="false" and its own data-direction; touching it records it.
 * - offlineBanner: shown while the hub is unreachable; attribute `data-outbox` = events waiting.
 * - cameraView: the camera preview; attribute `data-camera` = starting | on | failed.
 * - The app root has `data-locale` (ja|en) and `data-screen` (idle|result).
 */
export const UI_TEST_IDS = {
  app: 'kiosk-app',
  idle: 'idle-screen',
  facilityName: 'facility-name',
  clock: 'clock',
  langToggle: 'lang-toggle',
  cameraView: 'camera-view',
  tapResult: 'tap-result',
  childToggle: 'child-toggle',
  undo: 'undo',
  flip: 'flip',
  confirm: 'confirm',
  countdown: 'countdown',
  message: 'result-message',
  offlineBanner: 'offline-banner',
  /** Opens the PIN pad (a discreet corner button on the idle screen). */
  maintenanceButton: 'maintenance-button',
  pinInput: 'pin-input',
  pinSubmit: 'pin-submit',
  /** The maintenance screen root; attribute `data-online`, `data-outbox`. */
  maintenance: 'maintenance',
  /**
   * The clock tile of the maintenance screen; attributes `data-skew-ms` (hub minus kiosk), `data-corrected`
   * and `data-synced` (true|false).
   */
  maintenanceClock: 'maintenance-clock',
  maintenanceClose: 'maintenance-close',
  /** Enrolment: guardian search box, each guardian button has `data-guardian-id`, status has `data-status`. */
  guardianSearch: 'guardian-search',
  guardianChoice: 'guardian-choice',
  enrollmentStatus: 'enrollment-status',
  /** The pairing screen root; attribute `data-status` (waiting|working|failed). */
  pairing: 'pairing-screen',
  outOfOrder: 'out-of-order-screen',
  /**
   * "No card, no phone": the idle screen's button; the family chooser root (attribute `data-step` =
   * rows|guardians|pin), its kana row buttons (attribute `data-kana-row` = あ…わ), its guardian buttons
   * (attribute `data-guardian-id`, `data-pin` true|false), the guardian PIN pad's input and submit, and
   * its message (attribute `data-code`: bad_pin, locked_out, no_pin, …).
   */
  noCard: 'no-card',
  familyChooser: 'family-chooser',
  kanaRow: 'kana-row',
  familyGuardian: 'family-guardian',
  guardianPinInput: 'guardian-pin-input',
  guardianPinSubmit: 'guardian-pin-submit',
  guardianPinMessage: 'guardian-pin-message',
  familyCancel: 'family-cancel',
} as const;

/**
 * Content-Security-Policy of the kiosk screen, in browser mode (HTTP header) and in Electron (app://
 * response header) alike: its own scripts and styles only, no inline code, no remote content; the
 * camera stream and its own origin's socket are all it reaches.
 */
export const KIOSK_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
