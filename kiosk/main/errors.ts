import { GenkanError } from '../../common/errors.ts';

/** Errors the kiosk raises on purpose; `code` says which. */
export class KioskError extends GenkanError {}
