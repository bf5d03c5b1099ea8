/*
 * The hub's defaults that its commands show in their help: a module without imports, so that
 * `genkan --help` does not load the hub.
 */

/** Minutes a device pairing code stays valid. */
export const DEFAULT_PAIRING_MINUTES = 15;

/** Days a guardian's QR code stays valid. */
export const DEFAULT_QR_DAYS = 365;

/** Hours a parent's invitation link to the parent app stays valid (edge-hub/parents/invite.ts). */
export const DEFAULT_INVITE_HOURS = 72;
