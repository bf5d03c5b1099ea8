import type { ErrorTexts } from './error-catalogue.ts';
import { rosterEncodingText } from './roster-encoding-text.ts';
import { settingProblemText } from './setting-problems.ts';

/** The hub's error codes in English (protocol/error-catalogue.ts); error-texts-ja.ts has the same keys. */
export const ERROR_TEXTS_EN: ErrorTexts = {
  // Requests and input
  bad_request: () => 'Please check what you entered.',
  invalid_json: () => 'What was sent is not readable (not JSON).',
  invalid_payload: () => 'What was sent does not have the expected shape.',
  invalid_event: () => 'The record is not valid. Please check what you entered.',
  payload_too_large: () => 'The file or request is too large.',
  batch_too_large: () => 'Too many records in one request.',
  unsupported_media_type: () => 'This kind of file is not taken (choose a CSV or XLSX file).',
  bad_text: (p) =>
    p('field') === ''
      ? 'Line breaks and control characters are not allowed.'
      : `${p('field')}: line breaks and control characters are not allowed.`,
  bad_date: () => 'The date is not valid.',
  bad_time: () => 'The time is not valid (HH:MM).',
  bad_month: () => 'The month is not valid (YYYY-MM).',
  future_time: () => 'A time that has not come yet cannot be entered.',
  future_date: () => 'A day after today cannot be corrected.',
  implausible_time: () => "The device's clock is far off. Check its time.",
  not_found: () => 'Not found.',
  internal: () => 'Something went wrong at the hub. Try again.',
  timeout: () => 'It took too long. Try again.',
  too_many_requests: () => 'Too many attempts. Wait a moment and try again.',
  // Sign-in, devices, access
  unauthorized: () => 'Not signed in, or not allowed.',
  not_signed_in: () => 'Your session has ended. Please sign in again.',
  bad_credentials: () => 'Wrong staff ID or PIN.',
  forbidden: () => 'You are not allowed to do this.',
  device_not_set_up: () => 'This device is not set up yet.',
  device_mismatch: () => 'The record was sent in the name of another device.',
  pairing_code_invalid: () => 'The pairing code is not valid (used or expired). Issue a new one.',
  bad_hub_url: () => "The hub's URL is not valid.",
  bad_minutes: () => 'The number of minutes is not valid.',
  unknown_device: () => 'The hub does not know this device.',
  bad_device_id: () => 'The device id is not valid (letters, digits, _ or -).',
  tablet_app_unavailable: () => 'The staff tablet app is not available (reinstall the hub).',
  // Staff accounts and PINs
  bad_staff_id: () => 'The staff id is not valid (letters, digits, _ or -).',
  bad_name: () => 'The name is not valid (not empty, no line breaks).',
  bad_pin: () => 'A PIN is 4 to 8 digits.',
  bad_role: () => 'The role is not valid.',
  bad_pin_format: () => 'A PIN is 4 to 8 digits.',
  unknown_staff: () => 'No such staff id at the hub.',
  // Roster, children, guardians, cards
  roster_invalid: (p) => `The roster file has ${p('problems')} problem(s); nothing was imported.`,
  roster_encoding: (p) => rosterEncodingText('en', p),
  import_busy: () => 'Another roster import is running; wait for it to finish.',
  bad_effective_date: () => 'The effective date must be a date YYYY-MM-DD.',
  unknown_child: () => 'This child is not on the roster.',
  unknown_class: () => 'No such class on the roster.',
  unknown_guardian: () => 'No such guardian on the roster.',
  unknown_card: () => 'No guardian holds this card.',
  bad_card: () => 'Not a card number.',
  credential_in_use: () => 'This card is registered to another guardian already.',
  not_guardian: () => 'Not a guardian of this child.',
  no_guardians: () => 'No guardians to print (import a roster first).',
  // Records and corrections
  unknown_event: () => 'The record to remove was not found (it may have been removed already).',
  // Pickup people of a child (admin app)
  invalid_pickup_person: () =>
    "Enter the pickup person's name (up to 100 characters) and relation (up to 40).",
  pickup_photo_type: () => 'Choose a JPEG, PNG or WebP image for the photo.',
  pickup_photo_too_large: () => 'The photo is too large (at most 300 KB).',
  too_many_pickup_people: () => 'A child has at most 30 pickup people.',
  pickup_person_not_found: () => 'This pickup person was not found (they may have been removed).',
  pickup_photo_not_found: () => 'There is no photo of this person.',
  unknown_notice: () => "This parent's notice was not found (it may be past the retention period).",
  unknown_pickup: () => 'This pickup plan was not found (it may be past the retention period).',
  already_voided: () => 'This record has been removed already.',
  event_id_in_use: () => 'Sent twice. Close the dialog and try again.',
  not_allowed: () => 'This device may not make this record.',
  not_own_event: () => 'A record of another device cannot be undone here.',
  undo_expired: () => 'Too late to undo here; correct it on a staff tablet or in the admin app.',
  store_error: () => 'This record could not be stored.',
  check_out_before_check_in: () => 'The check-out must be after the check-in.',
  absent_and_present: () => 'A day of absence cannot have a check-in or check-out.',
  no_change: () => 'Nothing would change.',
  month_closed: () => 'This month is closed. Record a change to it as an amendment.',
  month_not_over: () => 'A month that has not ended cannot be closed.',
  month_already_closed: () => 'This month is closed already.',
  no_snapshot: () => 'The hub has no roster and settings for this day.',
  // Settings
  bad_setting: (p) => {
    const text = settingProblemText('en', p);
    return p('field') === '' ? text : `Setting ${p('field')}: ${text}`;
  },
  time_zone_fixed: (p) => `The time zone cannot change (${p('timeZone')}).`,
  bad_time_zone: () => 'The time zone is not valid.',
  bad_facility: () => 'This hub belongs to another facility.',
  bad_facility_name: () => "The facility's name is not valid (not empty, no line breaks, at most 200).",
  bad_retention: () => 'The retention period is not valid.',
  // Hub set-up, backup, TLS, relay (the CLI's in practice; worded for completeness)
  already_initialised: () => 'This data directory is in use already.',
  hub_not_initialised: () => "The hub's data directory has not been created yet.",
  data_not_empty: () => 'The data directory to restore into is not empty.',
  backup_too_new: () => 'This backup was made by a newer Genkan. Update the hub.',
  weak_passphrase: () => 'The passphrase is too short.',
  bad_admin_token: () => 'The admin token is not valid.',
  bad_cloud_url: () => "The cloud's URL is not valid.",
  bad_cloud_token: () => "The cloud's token is not valid.",
  bad_tls_cert: () => 'The TLS certificate is not readable.',
  bad_tls_ca: () => 'The TLS CA file is not readable.',
  tls_ca_missing: () => 'The TLS CA file is missing.',
  tls_ca_incomplete: () => 'The TLS CA file is incomplete.',
  tls_file_missing: () => 'A TLS file is missing.',
  pdf_font_missing: () => 'The Japanese font for PDFs is missing.',
  // Parents' access to the parent app (issue 17)
  no_cloud_url: () => 'No cloud URL for the link: start the hub with --cloud once, or give --parent-url.',
  bad_parent_url: () => "The parent app's URL is not valid (http or https, no query or fragment).",
  bad_invite_hours: (p) => `An invitation lasts 1 to ${p('max')} hours.`,
  // The parent app at the cloud (issue 17)
  invitation_invalid: () =>
    'This invitation link no longer works (used, replaced, expired or withdrawn). Ask the facility for a new one.',
  passkey_failed: () => 'The passkey could not be confirmed. Please try again.',
  passkey_unknown: () =>
    'This passkey is not registered (or access was withdrawn). Ask the facility for a new invitation.',
  rate_limited: () => 'Too many attempts. Wait a minute and try again.',
  parent_app_unavailable: () => 'The parent app is not available right now.',
  not_own_child: () => 'You cannot send a notice for this child.',
  notice_in_past: () => 'A notice cannot be for a past day. Choose today or a later day.',
  notice_too_long: (p) => `One notice covers at most ${p('max')} days.`,
  notice_too_far: (p) => `Notices reach at most ${p('max')} days ahead. Send this one nearer the time.`,
  notice_after_cutoff: (p) =>
    `Notices for today are taken until ${p('cutoff')}. Please call the facility (later days can still be sent).`,
  parent_notice_conflict: () => 'This notice was already sent with other content. Please reopen the page.',
  pickup_not_today: () => 'A pickup plan can only be sent for today.',
  unknown_pickup_person: () =>
    'This person is not on the pickup list. Choose again, or enter a name as someone else.',
  parent_pickup_conflict: () =>
    'This pickup plan was already sent with other content. Please reopen the page.',
  unknown_facility_notice: () => 'This notice was not found.',
  invalid_parent_upload: () => "The hub's guardian record is not valid.",
  invalid_parent_origin: () => 'The parent origin must be an http(s) origin without a path.',
  push_endpoint_insecure: () =>
    "Notifications can't be sent to this browser's push address. Please try another browser.",
  invalid_push_contact: () => 'The push contact must be a mailto: or https: URL.',
  // The cloud relay's answers to hubs, organisations and operators
  not_ready: () => 'The cloud relay is starting or stopping; try again shortly.',
  overloaded: () => 'The cloud relay is busy; try again shortly.',
  invalid_amendment: () => 'The amendment is not valid.',
  invalid_id: () => 'An id is not valid (1–64 letters, digits, _ or -).',
  invalid_time_zone: () => 'The time zone is not a known IANA zone.',
  invalid_date: () => 'The date is not valid (YYYY-MM-DD).',
  invalid_name: () => 'The name is not valid.',
  invalid_database_url: () => 'The database URL is not valid.',
  unknown_facility: () => 'No such facility.',
  unknown_hub: () => 'No such hub.',
  unknown_organisation: () => 'No such organisation.',
  time_zone_mismatch: () => "The facility's time zone differs from the one it was created with.",
  hub_facility_mismatch: () => 'This hub belongs to another facility.',
  facility_org_mismatch: () => 'This facility belongs to another organisation.',
  snapshot_version_conflict: () => 'This snapshot version is already stored with other content.',
  amendment_conflict: () => 'This amendment is already stored with other content.',
  invalid_snapshot: () => 'The facility snapshot is not valid.',
  // Facilities' webhooks (genkan cloud webhook …)
  invalid_webhook_url: () => 'The webhook URL is not valid (an absolute https:// URL).',
  webhook_url_insecure: () =>
    'The webhook URL must use https (plain http only to localhost or 127.0.0.1, for development).',
  weak_webhook_secret: () => 'The webhook secret must be 16–256 characters without spaces.',
  unknown_webhook: () => 'This facility has no webhook.',
};
