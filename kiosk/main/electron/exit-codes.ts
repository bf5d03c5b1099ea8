/**
 * Exit codes of the Electron shell that its supervisor (launch.ts) acts on. Kept in a file without
 * imports so that the Node side can read them without loading Electron's typings.
 */
export const SHELL_EXIT = {
  /** Another shell holds the single-instance lock: restarting would only loop. */
  alreadyRunning: 3,
  /** The environment given by the supervisor is unusable (missing or bad GENKAN_KIOSK_UI). */
  badConfig: 4,
} as const;
