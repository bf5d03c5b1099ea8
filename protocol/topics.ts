/**
 * MQTT topic map, version 1. For facility F and device D:
 *   genkan/v1/F/devices/D/events   device → hub    one event or {"events":[…]}
 *   genkan/v1/F/devices/D/acks     hub → device    {"acked":[…],"rejected":[…]} after durable commit
 *   genkan/v1/F/devices/D/status   device → all    retained {"online":…}; the device's last will
 *   genkan/v1/F/devices/D/requests device → hub    a request (DeviceRequestSchema), e.g. enrol a card
 *   genkan/v1/F/devices/D/responses hub → device   its answer (DeviceResponseSchema), matched by id
 *   genkan/v1/F/rollcall           hub → devices   retained roll-call snapshot of today
 *   genkan/v1/F/roster             hub → devices   retained roster for offline lookup
 *   genkan/v1/F/pickups            hub → devices   retained today's pickup plans (KioskPickupsSchema)
 *   genkan/v1/F/time               hub → devices   retained {"now":…}, the hub's clock, every 15 s
 *   genkan/v1/F/resync             hub → devices   retained {"id","since"} after a restore (ResyncRequestSchema)
 */
export const TOPIC_ROOT = 'genkan/v1';

export const topics = {
  events: (facilityId: string, deviceId: string) => `${TOPIC_ROOT}/${facilityId}/devices/${deviceId}/events`,
  acks: (facilityId: string, deviceId: string) => `${TOPIC_ROOT}/${facilityId}/devices/${deviceId}/acks`,
  status: (facilityId: string, deviceId: string) => `${TOPIC_ROOT}/${facilityId}/devices/${deviceId}/status`,
  requests: (facilityId: string, deviceId: string) =>
    `${TOPIC_ROOT}/${facilityId}/devices/${deviceId}/requests`,
  responses: (facilityId: string, deviceId: string) =>
    `${TOPIC_ROOT}/${facilityId}/devices/${deviceId}/responses`,
  rollcall: (facilityId: string) => `${TOPIC_ROOT}/${facilityId}/rollcall`,
  roster: (facilityId: string) => `${TOPIC_ROOT}/${facilityId}/roster`,
  /** Today's pickup plans for kiosks (retained; protocol/parent-pickups.ts KioskPickupsSchema). */
  pickups: (facilityId: string) => `${TOPIC_ROOT}/${facilityId}/pickups`,
  time: (facilityId: string) => `${TOPIC_ROOT}/${facilityId}/time`,
  /** A restored hub asks every kiosk to resend what it holds since a time (protocol/resync.ts). */
  resync: (facilityId: string) => `${TOPIC_ROOT}/${facilityId}/resync`,
  /** A device that does not know its facility yet subscribes here; the hub serves one facility. */
  anyRoster: `${TOPIC_ROOT}/+/roster`,
} as const;

export type DeviceTopicKind = 'events' | 'acks' | 'status' | 'requests' | 'responses';

export interface ParsedTopic {
  facilityId: string;
  deviceId?: string;
  kind: DeviceTopicKind | 'rollcall' | 'roster' | 'pickups' | 'time' | 'resync';
}

/** Splits a concrete (non-wildcard) v1 topic; undefined for anything outside the map. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== 'genkan' || parts[1] !== 'v1') return undefined;
  const facilityId = parts[2];
  if (facilityId === undefined || !ID_RE.test(facilityId)) return undefined;
  if (
    parts.length === 4 &&
    (parts[3] === 'rollcall' ||
      parts[3] === 'roster' ||
      parts[3] === 'pickups' ||
      parts[3] === 'time' ||
      parts[3] === 'resync')
  ) {
    return { facilityId, kind: parts[3] };
  }
  if (parts.length === 6 && parts[3] === 'devices') {
    const deviceId = parts[4];
    const kind = parts[5];
    if (deviceId === undefined || !ID_RE.test(deviceId)) return undefined;
    if (
      kind === 'events' ||
      kind === 'acks' ||
      kind === 'status' ||
      kind === 'requests' ||
      kind === 'responses'
    )
      return { facilityId, deviceId, kind };
  }
  return undefined;
}

/**
 * Identifiers (facility, device, hub, class, child, guardian, staff): 1–64 characters of letters,
 * digits, `_` and `-`, starting with a letter or digit. They appear in topics and tokens, so no `/`, `+`,
 * `#` or `.`.
 */
export const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
