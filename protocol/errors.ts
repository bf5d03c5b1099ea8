/** Rejection and error codes on the wire. Integrators switch on these; never rename one. */
export const ErrorCodes = {
  /** Payload is not JSON. */
  invalidJson: 'invalid_json',
  /** Payload is JSON but not an event or {"events":[…]}. */
  invalidPayload: 'invalid_payload',
  /** An event failed its schema (wrong type, missing or unknown field). */
  invalidEvent: 'invalid_event',
  /** MQTT payload over 64 KiB or HTTP body over the size limit. */
  payloadTooLarge: 'payload_too_large',
  /** More than 500 events in one message or batch. */
  batchTooLarge: 'batch_too_large',
  /** The event's deviceId is not the device that published it. */
  deviceMismatch: 'device_mismatch',
  /** childId is not on the roster. */
  unknownChild: 'unknown_child',
  /** A void event names an event the hub does not hold, or one of another child. */
  unknownEvent: 'unknown_event',
  /**
   * occurredAt more than 5 minutes ahead of the receiver's clock, more than 400 days behind it, or with a
   * UTC offset beyond ±14:00 (protocol/plausibility.ts).
   */
  implausibleTime: 'implausible_time',
  /** A text field holds a control character (NUL, C0, C1) or a broken UTF-16 pair, or is too long. */
  badText: 'bad_text',
  /** The publishing device's role may not write this event (a kiosk filing a staff entry or an absence). */
  notAllowed: 'not_allowed',
  /** A kiosk event whose actor is not a guardian of the child on the hub's roster. */
  notGuardian: 'not_guardian',
  /** A kiosk's void of an event another device made. */
  notOwnEvent: 'not_own_event',
  /** A kiosk's void later than the undo window (setting undoWindowMinutes) after the event it voids. */
  undoExpired: 'undo_expired',
  /** The cloud could not store this one event; the rest of its batch was stored. */
  storeError: 'store_error',
  unauthorized: 'unauthorized',
  /** A card enrolment names a guardian not on the roster. */
  unknownGuardian: 'unknown_guardian',
  /** A card enrolment for a card already registered to another guardian. */
  credentialInUse: 'credential_in_use',
  /** A pairing code that is unknown, used already, or expired. */
  pairingCodeInvalid: 'pairing_code_invalid',
  tooManyRequests: 'too_many_requests',
  /** Staff tablet (protocol/tablet.ts): this browser is not a set-up tablet. */
  deviceNotSetUp: 'device_not_set_up',
  notSignedIn: 'not_signed_in',
  /** Unknown staff id, wrong PIN or disabled account: one answer for all. */
  badCredentials: 'bad_credentials',
  /** A manual check-in or -out at a time later than now. */
  futureTime: 'future_time',
  badDate: 'bad_date',
  alreadyVoided: 'already_voided',
  /** An action id already used for another event. */
  eventIdInUse: 'event_id_in_use',
  unknownClass: 'unknown_class',
  tabletAppUnavailable: 'tablet_app_unavailable',
  forbidden: 'forbidden',
  notFound: 'not_found',
  badRequest: 'bad_request',
  /** HTTP body that is not application/json. */
  unsupportedMediaType: 'unsupported_media_type',
  internal: 'internal',
  /**
   * The day is in a closed month (POST /api/months/M/close): a device event dated in it, a roster import
   * effective in it, or a correction of it without `"amendment": true`.
   */
  monthClosed: 'month_closed',
  /** A month that has not ended yet (or a month with nothing to close) cannot be closed. */
  monthNotOver: 'month_not_over',
  /** The month is closed already. */
  monthAlreadyClosed: 'month_already_closed',
  /** A correction's actor (or a month close's) is not a staff id of the hub. */
  unknownStaff: 'unknown_staff',
  /** A correction of a day later than today. */
  futureDate: 'future_date',
  /** A correction whose check-out is not after its check-in (or has a check-out without a check-in). */
  checkOutBeforeCheckIn: 'check_out_before_check_in',
  /** A correction with an absence and a check-in or check-out on the same day. */
  absentAndPresent: 'absent_and_present',
  /** A correction that would change nothing. */
  noChange: 'no_change',
  /** A roster import whose effective date is not a date (YYYY-MM-DD). */
  badEffectiveDate: 'bad_effective_date',
  /** A card removal (admin API, `genkan card remove`) naming a card no guardian holds. */
  unknownCard: 'unknown_card',
  /** A device removal naming a device the hub does not know. */
  unknownDevice: 'unknown_device',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
