import { SENDER_DEFAULTS } from './sender.ts';

/** The kiosk agent's timings and limits; a module of its own so the CLI can show them without loading the agent. */
export const KIOSK_DEFAULTS = {
  debounceMs: 30_000,
  reconnectPeriodMs: 1000,
  connectTimeoutMs: 5000,
  keepaliveSeconds: 15,
  /** Liveness of the hub link (kiosk/main/hub-link.ts): ping a hub silent this long… */
  hubPingAfterMs: 1000,
  /** …and count it as gone when still silent after this long (the offline banner's "within 5 s"). */
  hubSilenceMs: 3000,
  statusIntervalMs: 1000,
  amendWindowMs: 20_000,
  /** The reversal guard when the roster does not carry the facility's setting (an older hub). */
  reversalGuardMs: 10 * 60_000,
  enrollTimeoutMs: 10_000,
  retentionDays: 30,
  ...SENDER_DEFAULTS,
} as const;

/** How the kiosk shows its screen: none (headless JSON lines), a browser page, or the Electron shell. */
export const UI_MODES = ['none', 'browser', 'electron'] as const;
export type UiMode = (typeof UI_MODES)[number];

/** The screen's defaults (kiosk/main/ui-controller.ts). */
export const UI_DEFAULTS = {
  defaultLocale: 'ja',
  autoConfirmMs: 8000,
  speak: false,
  maintenanceIdleMs: 120_000,
} as const;
