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
};
