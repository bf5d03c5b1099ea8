import fc from 'fast-check';
import { formatRfc3339, localDate, localTime } from '../../common/time.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';

/**
 * Inputs for the fuzz tests (test/fuzz/*.test.ts): mostly-valid events, tablet actions, settings and roster
 * files that pass the schema often enough to reach the deep checks (roster, authority, voids, time window),
 * mixed with mutated and garbage JSON, text and bytes.
 *
 * What depends on the state of the service under test (the id of an event it holds, today's date on the
 * hub's clock) is generated as a Ref and resolved when the case runs, so that a seed replays the same cases.
 */

// ---- JSON drafts ----------------------------------------------------------------------------------------

const RAW: unique symbol = Symbol('raw');
const REF: unique symbol = Symbol('ref');

/** Literal JSON text spliced into the output: huge numbers, -0, deep nesting, which JS values cannot carry. */
export interface Raw {
  readonly [RAW]: string;
  toJSON(): unknown;
}

export function raw(text: string): Raw {
  return {
    [RAW]: text,
    toJSON: () => ({ $raw: text.length > 80 ? `${text.slice(0, 80)}… (${text.length} chars)` : text }),
  };
}

function isRaw(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && RAW in value;
}

export type RefKind =
  /** A recent event the service holds, whole (a resend). */
  | 'event'
  | 'event-id'
  | 'event-child'
  | 'event-device'
  | 'event-actor'
  | 'event-method'
  /** The recent event's occurredAt plus `delta` ms, in its own UTC offset (a kiosk's undo). */
  | 'event-time'
  /** The id of a recent staff action (a tablet's retry). */
  | 'action-id'
  /** The local date `delta` days from the service's today. */
  | 'date'
  /** The local time `delta` minutes from the service's now, as HH:MM. */
  | 'hhmm';

/** A value that depends on the service's state, resolved when the case runs. */
export interface Ref {
  readonly [REF]: { kind: RefKind; index: number; delta: number };
  toJSON(): unknown;
}

export function ref(kind: RefKind, index = 0, delta = 0): Ref {
  return { [REF]: { kind, index, delta }, toJSON: () => ({ $ref: kind, index, delta }) };
}

function isRef(value: unknown): value is Ref {
  return typeof value === 'object' && value !== null && REF in value;
}

export type Draft = null | boolean | number | string | Raw | Ref | Draft[] | { [key: string]: Draft };
/** A resolved draft: JSON, except for Raw splices. */
export type Json = null | boolean | number | string | Raw | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own, enumerable property, also for keys such as `__proto__` that an assignment would not create. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** What a Ref needs from the service under test. */
export interface ResolveContext {
  /** Events the service holds, most recent last. */
  recent: readonly AttendanceEvent[];
  /** Ids of staff actions the service answered 200, most recent last. */
  recentActions?: readonly string[];
  now: Date;
  timeZone: string;
}

/** An event id no service holds: what a Ref to a recent event falls back to when there is none yet. */
export const NEVER_STORED_ID = '00000000-0000-4000-8000-000000000000';

function pick<T>(list: readonly T[], index: number): T | undefined {
  return list.length === 0 ? undefined : list[list.length - 1 - (index % list.length)];
}

/** The draft with its Refs replaced by values of the service's current state. */
export function resolve(draft: Draft, ctx: ResolveContext): Json {
  if (isRef(draft)) return resolveRef(draft[REF], ctx);
  if (isRaw(draft) || draft === null || typeof draft !== 'object') return draft;
  if (Array.isArray(draft)) return draft.map((d) => resolve(d, ctx));
  const out: Record<string, Json> = {};
  for (const key of Object.keys(draft)) {
    const value = draft[key];
    if (value !== undefined) setOwn(out, key, resolve(value, ctx));
  }
  return out;
}

function resolveRef(ref: Ref[typeof REF], ctx: ResolveContext): Json {
  const target = pick(ctx.recent, ref.index);
  switch (ref.kind) {
    case 'event':
      return target ? eventJson(target) : null;
    case 'event-id':
      return target?.id ?? NEVER_STORED_ID;
    case 'event-child':
      return target?.childId ?? 'c001';
    case 'event-device':
      return target?.deviceId ?? 'kiosk-1';
    case 'event-actor':
      return target ? target.actor : 'g001';
    case 'event-method':
      return target?.method ?? 'card';
    case 'event-time': {
      if (!target) return formatRfc3339(new Date(ctx.now.getTime() + ref.delta), ctx.timeZone);
      const offset = /(?:([+-])(\d{2}):(\d{2})|Z)$/i.exec(target.occurredAt);
      const minutes =
        offset?.[1] === undefined
          ? 0
          : (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3]));
      return (
        formatInstant(Date.parse(target.occurredAt) + ref.delta, minutes, 3, offset?.[1] === undefined) ?? ''
      );
    }
    case 'action-id':
      return pick(ctx.recentActions ?? [], ref.index) ?? NEVER_STORED_ID;
    case 'date': {
      const today = localDate(ctx.now, ctx.timeZone);
      const d = new Date(`${today}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() + ref.delta);
      return d.toISOString().slice(0, 10);
    }
    case 'hhmm':
      return localTime(new Date(ctx.now.getTime() + ref.delta * 60_000), ctx.timeZone);
  }
}

function eventJson(event: AttendanceEvent): Json {
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(event)) if (value !== undefined) out[key] = value;
  return out;
}

/** JSON text of a resolved draft, with Raw splices in place. */
export function jsonText(value: Json): string {
  if (isRaw(value)) return value[RAW];
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (isRecord(value)) {
    const record = value as Record<string, Json>;
    return `{${Object.keys(record)
      .map((k) => `${JSON.stringify(k)}:${jsonText(record[k] ?? null)}`)
      .join(',')}}`;
  }
  // NaN and the infinities have no JSON form: JSON.stringify writes null, as a client would.
  return JSON.stringify(value);
}

// ---- Text-level damage -----------------------------------------------------------------------------------

export type TextDamage =
  /** Cut the text at this fraction of its length. */
  | { kind: 'truncate'; at: number }
  /** Insert a byte (0x00–0xFF, possibly breaking UTF-8) at this fraction of the encoded length. */
  | { kind: 'byte'; at: number; byte: number }
  | { kind: 'bom' }
  /** Encode as Latin-1 instead of UTF-8: every non-ASCII character becomes an invalid UTF-8 byte. */
  | { kind: 'latin1' }
  /** A key added again after the first '{' (the later copy wins in JSON.parse) or before the last '}'. */
  | { kind: 'dup-key'; key: string; value: Json; last: boolean }
  | { kind: 'wrap'; before: string; after: string };

export function damage(text: string, damages: readonly TextDamage[]): Buffer {
  let t = text;
  let latin1 = false;
  const bytes: { at: number; byte: number }[] = [];
  for (const d of damages) {
    switch (d.kind) {
      case 'truncate':
        t = t.slice(0, Math.floor(t.length * d.at));
        break;
      case 'byte':
        bytes.push(d);
        break;
      case 'bom':
        t = `\uFEFF${t}`;
        break;
      case 'latin1':
        latin1 = true;
        break;
      case 'dup-key': {
        const pair = `${JSON.stringify(d.key)}:${jsonText(d.value)}`;
        if (d.last) {
          const i = t.lastIndexOf('}');
          if (i > 0) t = `${t.slice(0, i)}${t[i - 1] === '{' ? '' : ','}${pair}${t.slice(i)}`;
        } else {
          const i = t.indexOf('{');
          if (i >= 0) t = `${t.slice(0, i + 1)}${pair}${t[i + 1] === '}' ? '' : ','}${t.slice(i + 1)}`;
        }
        break;
      }
      case 'wrap':
        t = `${d.before}${t}${d.after}`;
        break;
    }
  }
  let buf = Buffer.from(t, latin1 ? 'latin1' : 'utf8');
  for (const b of bytes) {
    const at = Math.floor(buf.length * b.at);
    buf = Buffer.concat([buf.subarray(0, at), Buffer.from([b.byte]), buf.subarray(at)]);
  }
  return buf;
}

const KEY_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '',
  ' ',
  'extra',
  'évènement',
  '𝒾𝒹',
  '\u0000',
];

export function textDamage(keys: readonly string[]): fc.Arbitrary<TextDamage[]> {
  const one: fc.Arbitrary<TextDamage> = fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
    fc.record({
      kind: fc.constant('byte' as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      byte: fc.oneof(
        fc.constantFrom(0x00, 0x80, 0xc0, 0xc3, 0xe3, 0xed, 0xf0, 0xf8, 0xfe, 0xff),
        fc.nat(255),
      ),
    }),
    fc.constant({ kind: 'bom' as const }),
    fc.constant({ kind: 'latin1' as const }),
    fc.record({
      kind: fc.constant('dup-key' as const),
      key: fc.constantFrom(...keys, ...KEY_NAMES),
      value: fc.constant(null).chain(() => garbageValue()),
      last: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('wrap' as const),
      before: fc.constantFrom('', ' ', '\n\t', '\u0000', '[', '{"events":', 'null', '\uFEFF\uFEFF'),
      after: fc.constantFrom('', ' ', '\n', '\u0000', ']', '}', ',', 'garbage', '\r\n\r\n'),
    }),
  );
  return fc.oneof(
    { weight: 9, arbitrary: fc.constant<TextDamage[]>([]) },
    { weight: 1, arbitrary: fc.array(one, { minLength: 1, maxLength: 3 }) },
  );
}

// ---- Garbage values and strings --------------------------------------------------------------------------

const CONTROL_CHARS = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\b',
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  '\u001b',
  '\u001b[31m',
  '\u001f',
  '\u007f',
  '\u0080',
  '\u0085',
  '\u009b',
  '\u009f',
];

const TRICKY_TEXT = [
  '\u200b',
  '\u200e',
  '\u202e',
  '\u2028',
  '\u2029',
  '\uFEFF',
  '\uFFFE',
  '\uFFFF',
  '\uFFFD',
  '🙂',
  '👨‍👩‍👧‍👦',
  '🇯🇵',
  'e\u0301',
  '𠮷',
  '発熱',
  'ｶﾀｶﾅ',
  '=1+2',
  '@SUM(A1)',
  '<script>alert(1)</script>',
  "'; DROP TABLE events; --",
  '%s%n%x',
  '${jndi:x}',
  '\\u0000',
  '"',
  '\\',
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** Free text as people, devices and attackers write it. */
export function freeText(): fc.Arbitrary<string> {
  const piece = fc.oneof(
    fc.constantFrom(...CONTROL_CHARS),
    fc.constantFrom(...TRICKY_TEXT),
    loneSurrogate,
    fc.string({ unit: 'binary', maxLength: 5 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
  );
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '発熱のため早退',
        '体調不良',
        'お迎え: 祖母',
        'sick: 発熱',
        'family',
        '押し間違い',
        'wrong child',
        'x',
      ),
    },
    { weight: 2, arbitrary: fc.array(piece, { minLength: 1, maxLength: 8 }).map((p) => p.join('')) },
    {
      weight: 1,
      // At and around the length limits, in UTF-16 units; an odd cut of emoji leaves a lone surrogate.
      arbitrary: fc
        .tuple(
          fc.constantFrom(1, 499, 500, 501, 1000, 16_500, 70_000),
          fc.constantFrom('a', 'あ', '🙂', '\u0301'),
        )
        .map(([n, ch]) => ch.repeat(Math.ceil(n / ch.length)).slice(0, n)),
    },
  );
}

/** A value of the wrong type, shape or size for wherever it lands. */
export function garbageValue(): fc.Arbitrary<Json> {
  return fc.oneof(
    fc.constantFrom<Json>(
      null,
      true,
      false,
      0,
      -1,
      1.5,
      2 ** 53,
      2 ** 53 + 2,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      '',
      ' ',
      'null',
      'undefined',
      '__proto__',
      '0',
      '1e3',
      '[]',
      '{}',
      [],
      {},
      [null],
      raw('-0'),
      raw('1e400'),
      raw('-1e400'),
      raw('1E-400'),
      raw('123456789012345678901234567890'),
      raw('0.1e1'),
      raw('1.0'),
    ),
    freeText(),
    fc.integer(),
    fc.double(),
    fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
    fc.constantFrom(10, 1000, 20_000).map((d) => raw(`${'['.repeat(d)}${']'.repeat(d)}`)),
    fc.constantFrom(10, 1000, 20_000).map((d) => raw(`${'{"a":'.repeat(d)}1${'}'.repeat(d)}`)),
    fc.constantFrom('__proto__', 'constructor', 'prototype').map((k): Json => {
      const o: Record<string, Json> = {};
      setOwn(o, k, { polluted: true, prototype: { polluted: true } });
      return o;
    }),
  );
}

/** Garbage at the top level of a body: a JSON value that is not the expected object, or not JSON at all. */
export function garbageBody(): fc.Arbitrary<
  { kind: 'value'; value: Json } | { kind: 'text'; text: string } | { kind: 'bytes'; bytes: Uint8Array }
> {
  return fc.oneof(
    fc.record({ kind: fc.constant('value' as const), value: garbageValue() }),
    fc.record({
      kind: fc.constant('text' as const),
      text: fc.oneof(
        fc.constantFrom(
          '',
          ' ',
          '{',
          '}',
          '{}',
          '[]',
          'null',
          '{"events": [',
          '{"events": []}',
          '{"events": null}',
          '{"__proto__": {"polluted": true}}',
          '{"constructor": {"prototype": {"polluted": true}}}',
          'NaN',
          'Infinity',
          "{'single': 'quotes'}",
          '{"a":1,}',
          '\uFEFF{}',
          '\u0000',
          '{"a":"\\ud800"}',
          '{"a":"\\u0000"}',
          '{"a":"\\x41"}',
        ),
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.constantFrom(10, 5000, 100_000).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`),
        fc.constantFrom(10, 5000, 100_000).map((d) => `${'{"events":'.repeat(d)}[]${'}'.repeat(d)}`),
      ),
    }),
    fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 80 }) }),
  );
}

export type Mutation = { kind: 'delete'; key: string } | { kind: 'set'; key: string; value: Json };

/** Up to three field mutations (delete a field, set a field or an extra key to garbage); none most often. */
export function mutations(keys: readonly string[], weightNone = 7): fc.Arbitrary<Mutation[]> {
  const one: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom(...keys) }),
    fc.record({
      kind: fc.constant('set' as const),
      key: fc.oneof(fc.constantFrom(...keys), fc.constantFrom(...KEY_NAMES), fc.string({ maxLength: 6 })),
      value: garbageValue(),
    }),
  );
  return fc.oneof(
    { weight: weightNone, arbitrary: fc.constant<Mutation[]>([]) },
    { weight: 10 - weightNone, arbitrary: fc.array(one, { minLength: 1, maxLength: 3 }) },
  );
}

export function mutate(draft: Record<string, Draft>, ms: readonly Mutation[]): Record<string, Draft> {
  if (ms.length === 0) return draft;
  const out: Record<string, Draft> = {};
  for (const key of Object.keys(draft)) setOwn(out, key, draft[key] ?? null);
  for (const m of ms) {
    if (m.kind === 'delete') Reflect.deleteProperty(out, m.key);
    else setOwn(out, m.key, m.value);
  }
  return out;
}

// ---- Ids, instants ---------------------------------------------------------------------------------------

const uuid = fc.uuid({ version: [1, 4, 7] });

/** Ids of the protocol's shape (1–64 of A–Z a–z 0–9 _ -), and near misses. */
export function idLike(): fc.Arbitrary<Json> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Json>(
        '',
        '-c001',
        '_c001',
        'c001 ',
        ' c001',
        'ｃ００１',
        'c001\u0000',
        '../c001',
        'c'.repeat(65),
        'C001',
        null,
        1,
      ),
    },
  );
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * RFC 3339 text of `ms` in a UTC offset of `offsetMinutes` (Z when `zulu` and the offset is 0), with
 * `fraction` digits of seconds (more than 3 pads with digits). Undefined when the instant has no Date.
 */
export function formatInstant(
  ms: number,
  offsetMinutes: number,
  fraction: number,
  zulu: boolean,
  extra = '',
): string | undefined {
  const local = new Date(ms + offsetMinutes * MINUTE);
  if (Number.isNaN(local.getTime())) return undefined;
  const iso = local.toISOString();
  const dot = iso.indexOf('.');
  const millis = iso.slice(dot + 1, dot + 4);
  const frac =
    fraction <= 0
      ? ''
      : `.${fraction <= 3 ? millis.slice(0, fraction) : `${millis}${extra.padEnd(fraction - 3, '0')}`}`;
  const abs = Math.abs(offsetMinutes);
  const pad = (n: number) => String(n).padStart(2, '0');
  const offset =
    zulu && offsetMinutes === 0
      ? 'Z'
      : `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return `${iso.slice(0, dot)}${frac}${offset}`;
}

/**
 * Time from the receiver's `now` in ms: mostly earlier today, often exactly at or a hair from the edges of
 * the hub's and the cloud's windows (protocol/plausibility.ts), sometimes anywhere.
 */
export function timeDelta(): fc.Arbitrary<number> {
  const edges = [
    0,
    5 * MINUTE, // hub, ahead
    -400 * DAY, // hub, behind
    62 * DAY, // hub, an absence ahead
    65 * MINUTE, // cloud, ahead
    -435 * DAY, // cloud, behind
    62 * DAY + 60 * MINUTE, // cloud, an absence ahead
  ];
  return fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -12 * HOUR, max: 4 * MINUTE }) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...edges),
          fc.constantFrom(0, 0, 1, -1, 999, -999, 1000, -1000, MINUTE, -MINUTE),
        )
        .map(([e, j]) => e + j),
    },
    { weight: 2, arbitrary: fc.integer({ min: -500 * DAY, max: 100 * DAY }) },
    { weight: 1, arbitrary: fc.constantFrom(-100 * 365 * DAY, 100 * 365 * DAY, -8.64e15, 8.64e15) },
  );
}

/** UTC offsets in minutes: the usual, the ±14:00 bounds, just beyond them, and anything within a day. */
export function utcOffset(): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(540, 540, 540, 0, -300, 60, 345, 330, -210) },
    { weight: 2, arbitrary: fc.constantFrom(840, -840, -720, 841, -841, 900, -900, 1439, -1439) },
    { weight: 1, arbitrary: fc.integer({ min: -1439, max: 1439 }) },
  );
}

/** An occurredAt for a receiver whose clock reads `now`: well-formed most often, garbage sometimes. */
export function instant(now: number): fc.Arbitrary<Json> {
  const wellFormed = fc
    .record({
      delta: timeDelta(),
      offset: utcOffset(),
      fraction: fc.oneof(
        { weight: 6, arbitrary: fc.constant(3) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 12 }) },
      ),
      zulu: fc.boolean(),
      extra: fc.stringMatching(/^[0-9]{0,9}$/),
    })
    .map((t): Json => formatInstant(now + t.delta, t.offset, t.fraction, t.zulu, t.extra) ?? null);
  const day = new Date(now).toISOString().slice(0, 10);
  const odd = fc.constantFrom<Json>(
    `${day}T24:00:00+09:00`,
    `${day}T23:59:60+09:00`,
    `${day.slice(0, 4)}-02-30T08:00:00+09:00`,
    `${day} 08:15:02+09:00`,
    `${day}t08:15:02z`,
    `${day}T08:15:02`,
    `${day}T08:15:02+0900`,
    `${day}T08:15:02+09`,
    `${day}T08:15:02+09:60`,
    `${day}T08:15:02-00:00`,
    `${day}T08:15+09:00`,
    `${day}T08:15:02.+09:00`,
    '+275760-09-13T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '2026-W14-3',
    'now',
    '',
    now,
    null,
  );
  return fc.oneof({ weight: 12, arbitrary: wellFormed }, { weight: 1, arbitrary: odd });
}

// ---- Attendance events -----------------------------------------------------------------------------------

export const EVENT_KEYS = [
  'id',
  'type',
  'childId',
  'occurredAt',
  'deviceId',
  'seq',
  'method',
  'actor',
  'voids',
  'note',
  'clockDoubt',
] as const;

/** What the generators know of the service under test. */
export interface World {
  /** The receiver's clock during the run (the fuzz tests fix it). */
  now: number;
  /** Device ids; the first is the one that publishes. */
  devices: readonly string[];
  /** Children on the roster, each with its guardians. */
  guardians: Readonly<Record<string, readonly string[]>>;
  staff: readonly string[];
}

function seqValue(): fc.Arbitrary<Json> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 1, max: 1_000_000 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Json>(
        0,
        -1,
        1.5,
        Number.MAX_SAFE_INTEGER,
        Number.MAX_SAFE_INTEGER + 1,
        raw('1e308'),
        raw('1.0'),
        raw('1e0'),
        '1',
      ),
    },
  );
}

function weighted<T>(...entries: [number, fc.Arbitrary<T>][]): fc.Arbitrary<T> {
  return fc.oneof(...entries.map(([weight, arbitrary]) => ({ weight, arbitrary })));
}

/** A fresh event of the publishing device, valid more often than not. */
function freshEvent(world: World): fc.Arbitrary<Record<string, Draft>> {
  const children = Object.keys(world.guardians);
  const allGuardians = [...new Set(Object.values(world.guardians).flat())];
  const childAndActor = weighted<{ childId: Json; actor: Json }>(
    [
      8,
      fc.constantFrom(...children).chain((c) =>
        fc.record({
          childId: fc.constant(c),
          actor: weighted<Json>(
            [6, fc.constantFrom(...(world.guardians[c] ?? ['g001']))],
            [1, fc.constantFrom(...allGuardians)],
            [1, fc.constant(null)],
            [1, fc.constantFrom(...world.staff)],
            [1, idLike()],
          ),
        }),
      ),
    ],
    [1, fc.record({ childId: idLike(), actor: fc.oneof(fc.constantFrom(...allGuardians), idLike()) })],
  );
  return fc
    .record({
      id: weighted<Json>(
        [12, uuid],
        [
          1,
          fc.constantFrom<Json>(
            '',
            'not-a-uuid',
            NEVER_STORED_ID.toUpperCase(),
            '{' + NEVER_STORED_ID + '}',
            42,
          ),
        ],
      ),
      type: weighted<Json>(
        [4, fc.constant('check_in')],
        [3, fc.constant('check_out')],
        [1, fc.constant('absent')],
        [1, fc.constant('void')],
        [1, fc.constantFrom<Json>('CHECK_IN', 'checkin', '', null, 1)],
      ),
      who: childAndActor,
      occurredAt: instant(world.now),
      deviceId: weighted<Json>(
        [8, fc.constant(world.devices[0] ?? 'kiosk-1')],
        [1, fc.constantFrom(...world.devices)],
        [1, idLike()],
      ),
      seq: seqValue(),
      method: weighted<Json>(
        [4, fc.constant('card')],
        [2, fc.constant('qr')],
        [2, fc.constant('pin')],
        [1, fc.constant('staff')],
        [1, fc.constantFrom<Json>('CARD', 'face', '', null)],
      ),
      voids: weighted<Json | undefined>([8, uuid], [1, garbageValue()], [1, fc.constant(undefined)]),
      strayVoids: weighted<boolean>([9, fc.constant(false)], [1, fc.constant(true)]),
      note: weighted<Json | undefined>([6, fc.constant(undefined)], [4, freeText()]),
      clockDoubt: weighted<Json | undefined>(
        [8, fc.constant(undefined)],
        [1, fc.constantFrom('unsynced', 'held_back')],
        [1, fc.constantFrom<Json>('', 'skewed', null)],
      ),
    })
    .map((r) => {
      const e: Record<string, Draft> = {
        id: r.id,
        type: r.type,
        childId: r.who.childId,
        occurredAt: r.occurredAt,
        deviceId: r.deviceId,
        seq: r.seq,
        method: r.method,
        actor: r.who.actor,
      };
      // A void names its target; any other type does so only now and then (which the schema refuses).
      if (r.voids !== undefined && (r.type === 'void' || r.strayVoids)) e['voids'] = r.voids;
      if (r.note !== undefined) e['note'] = r.note;
      if (r.clockDoubt !== undefined) e['clockDoubt'] = r.clockDoubt;
      return e;
    });
}

/**
 * A kiosk's undo of a recent event, at or around the edge of the undo window; now and then of another
 * kiosk's event (published as its own: not_own_event).
 */
function undoEvent(world: World): fc.Arbitrary<Record<string, Draft>> {
  return fc
    .record({
      id: uuid,
      target: fc.nat(63),
      delta: fc.constantFrom(0, 1000, MINUTE, 9 * MINUTE, 10 * MINUTE, 10 * MINUTE + 1, HOUR, -1000),
      seq: fc.integer({ min: 1, max: 1_000_000 }),
      note: fc.option(freeText(), { nil: undefined }),
      publisher: weighted<boolean>([3, fc.constant(false)], [1, fc.constant(true)]),
    })
    .map((r) => {
      const e: Record<string, Draft> = {
        id: r.id,
        type: 'void',
        childId: ref('event-child', r.target),
        occurredAt: ref('event-time', r.target, r.delta),
        deviceId: r.publisher ? (world.devices[0] ?? 'kiosk-1') : ref('event-device', r.target),
        seq: r.seq,
        method: ref('event-method', r.target),
        actor: ref('event-actor', r.target),
        voids: ref('event-id', r.target),
      };
      if (r.note !== undefined) e['note'] = r.note;
      return e;
    });
}

/** One event draft: fresh, an undo, or a resend of a recent event; with field mutations now and then. */
export function eventDraft(world: World): fc.Arbitrary<Draft> {
  return weighted<Draft>(
    [7, fc.tuple(freshEvent(world), mutations(EVENT_KEYS)).map(([e, m]) => mutate(e, m))],
    [2, fc.tuple(undoEvent(world), mutations(EVENT_KEYS, 8)).map(([e, m]) => mutate(e, m))],
    [1, fc.nat(63).map((i) => ref('event', i))],
  );
}

/** `count` copies of one event with distinct ids and seqs (a device's backlog), for batches at the size limits. */
export function copies(template: Json, count: number): Json[] {
  const out: Json[] = [];
  // Hundreds of copies of a template with a 70,000-character note would test only the test's memory.
  const n = jsonText(template).length > 4096 ? Math.min(count, 3) : count;
  for (let i = 0; i < n; i++) {
    if (!isRecord(template)) {
      out.push(template);
      continue;
    }
    const e: Record<string, Json> = {};
    for (const key of Object.keys(template)) setOwn(e, key, (template as Record<string, Json>)[key] ?? null);
    // Ids of the template's first 24 characters, so that each case's copies are new events.
    const prefix =
      typeof e['id'] === 'string' && e['id'].length === 36
        ? e['id'].slice(0, 24)
        : '0192f3a4-5b6c-7d8e-9f00-';
    e['id'] = `${prefix}${i.toString(16).padStart(12, '0')}`;
    e['seq'] = i + 1;
    out.push(e);
  }
  return out;
}

// ---- MQTT events payloads --------------------------------------------------------------------------------

export type PayloadSpec =
  | { kind: 'single'; event: Draft; damage: TextDamage[] }
  | { kind: 'batch'; events: Draft[]; extra: Mutation[]; damage: TextDamage[] }
  | { kind: 'many'; template: Draft; count: number }
  | { kind: 'value'; value: Json }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array };

/** What a device may publish on its events topic. */
export function eventsPayload(world: World): fc.Arbitrary<PayloadSpec> {
  const event = eventDraft(world);
  return weighted<PayloadSpec>(
    [8, fc.record({ kind: fc.constant('single' as const), event, damage: textDamage(EVENT_KEYS) })],
    [
      8,
      fc.record({
        kind: fc.constant('batch' as const),
        events: fc.array(event, { minLength: 0, maxLength: 8 }),
        extra: mutations(['events'], 9),
        damage: textDamage(['events']),
      }),
    ],
    [
      1,
      fc.record({
        kind: fc.constant('many' as const),
        template: event,
        count: fc.constantFrom(2, 50, 250, 320, 499, 500, 501, 1000),
      }),
    ],
    [2, garbageBody()],
  );
}

/** The payload's bytes, with its Refs resolved against the hub's current state. */
export function renderPayload(spec: PayloadSpec, ctx: ResolveContext): Buffer {
  switch (spec.kind) {
    case 'single':
      return damage(jsonText(resolve(spec.event, ctx)), spec.damage);
    case 'batch': {
      const body: Record<string, Json> = { events: spec.events.map((e) => resolve(e, ctx)) };
      for (const m of spec.extra) {
        if (m.kind === 'delete') Reflect.deleteProperty(body, m.key);
        else setOwn(body, m.key, m.value);
      }
      return damage(jsonText(body), spec.damage);
    }
    case 'many':
      return Buffer.from(jsonText({ events: copies(resolve(spec.template, ctx), spec.count) }));
    case 'value':
      return Buffer.from(jsonText(spec.value));
    case 'text':
      return Buffer.from(spec.text);
    case 'bytes':
      return Buffer.from(spec.bytes);
  }
}

// ---- Device requests (MQTT …/requests) -------------------------------------------------------------------

/** A few card hashes shared by the cases, so that enrolments collide (credential_in_use) and repeat. */
const CARD_HASHES = [
  'wNDfuaK8LJrKW91zG1nbIvjO2vXG5smzpJSZ9kyG2R0',
  'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  '___________________________________________',
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ',
];

export function deviceRequest(world: World): fc.Arbitrary<PayloadSpec> {
  const guardians = [...new Set(Object.values(world.guardians).flat())];
  const request = fc
    .record({
      id: weighted<Json>([10, uuid], [1, garbageValue()]),
      op: weighted<Json>(
        [10, fc.constant('enroll_card')],
        [1, fc.constantFrom<Json>('ENROLL_CARD', 'delete_card', '', null)],
      ),
      guardianId: weighted<Json>([8, fc.constantFrom(...guardians)], [1, fc.constant('g999')], [1, idLike()]),
      credentialHash: weighted<Json>(
        [4, fc.constantFrom(...CARD_HASHES)],
        [4, fc.stringMatching(/^[A-Za-z0-9_-]{43}$/)],
        [
          1,
          fc.constantFrom<Json>('04A23B4C', 'card:04a23b4c', `${'A'.repeat(42)}=`, 'A'.repeat(44), '', null),
        ],
      ),
      staffId: weighted<Json>([4, fc.constantFrom('s1', 's2')], [3, fc.constant(null)], [1, idLike()]),
      m: mutations(['id', 'op', 'guardianId', 'credentialHash', 'staffId'], 8),
    })
    .map(({ m, ...r }): Draft => mutate(r, m));
  return weighted<PayloadSpec>(
    [
      8,
      fc.record({ kind: fc.constant('single' as const), event: request, damage: textDamage(['id', 'op']) }),
    ],
    [2, garbageBody()],
  );
}

// ---- Staff tablet actions (POST /api/tablet/actions) -----------------------------------------------------

export const ACTION_KEYS = ['op', 'id', 'childId', 'at', 'date', 'reason', 'note', 'eventId'] as const;

function actionId(): fc.Arbitrary<Draft> {
  return weighted<Draft>(
    [10, uuid],
    [1, fc.nat(31).map((i) => ref('action-id', i))],
    [1, fc.nat(31).map((i) => ref('event-id', i))],
    [1, garbageValue()],
  );
}

export function tabletAction(world: World): fc.Arbitrary<Draft> {
  const children = Object.keys(world.guardians);
  const childId = weighted<Draft>(
    [10, fc.constantFrom(...children)],
    [1, fc.constant('c999')],
    [1, idLike()],
  );
  const note = weighted<Draft | undefined>([6, fc.constant(undefined)], [4, freeText()]);
  const hhmm = weighted<Draft | undefined>(
    [4, fc.constant(undefined)],
    [4, fc.integer({ min: -24 * 60, max: 120 }).map((m) => ref('hhmm', 0, m))],
    [1, fc.constantFrom<Draft>('00:00', '23:59', '24:00', '12:60', '9:05', '', 'noon', '07:00:00')],
  );
  const date = weighted<Draft>(
    [6, fc.constantFrom(-1, 0, 0, 1, 7, 61, 62, 63, 400).map((d) => ref('date', 0, d))],
    [2, fc.integer({ min: -3, max: 100 }).map((d) => ref('date', 0, d))],
    [1, fc.constantFrom<Draft>('2026-02-30', '2026-13-01', '0000-00-00', '99999-01-01', '2026-4-1', '')],
  );
  const check = fc
    .record({ op: fc.constantFrom('check_in', 'check_out'), id: actionId(), childId, at: hhmm, note })
    .map((r) => dropUndefined(r));
  const absent = fc
    .record({
      op: fc.constant('absent'),
      id: actionId(),
      childId,
      date,
      reason: weighted<Draft>([8, fc.constantFrom('sick', 'family', 'other')], [1, garbageValue()]),
      note,
    })
    .map((r) => dropUndefined(r));
  const undo = fc
    .record({
      op: fc.constant('void'),
      id: actionId(),
      eventId: weighted<Draft>(
        [8, fc.nat(63).map((i) => ref('event-id', i))],
        [1, uuid],
        [1, garbageValue()],
      ),
      reason: freeText(),
    })
    .map((r) => dropUndefined(r));
  return fc
    .tuple(
      weighted<Record<string, Draft>>(
        [5, check],
        [3, absent],
        [3, undo],
        [1, fc.record({ op: garbageValue(), id: actionId() })],
      ),
      mutations(ACTION_KEYS, 8),
    )
    .map(([a, m]) => mutate(a, m));
}

function dropUndefined(r: Record<string, Draft | undefined>): Record<string, Draft> {
  const out: Record<string, Draft> = {};
  for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = v;
  return out;
}

// ---- HTTP requests ---------------------------------------------------------------------------------------

export type BodySpec =
  | { kind: 'draft'; draft: Draft; damage: TextDamage[] }
  | { kind: 'value'; value: Json }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  /** A body over the route's limit. */
  | { kind: 'huge'; bytes: number };

export interface HttpSpec {
  body: BodySpec;
  /** null: no Content-Type header. */
  contentType: string | null;
  /** How the caller authenticates: as it should, or in one of the ways that must be refused. */
  auth: 'ok' | 'none' | 'garbage' | 'partial';
  origin: 'none' | 'same' | 'other';
}

export function httpSpec(
  draft: fc.Arbitrary<Draft>,
  keys: readonly string[],
  hugeBytes: number,
  jsonType = 'application/json',
): fc.Arbitrary<HttpSpec> {
  return fc.record({
    body: weighted<BodySpec>(
      [24, fc.record({ kind: fc.constant('draft' as const), draft, damage: textDamage(keys) })],
      [2, garbageBody()],
      [1, fc.constant({ kind: 'huge' as const, bytes: hugeBytes })],
    ),
    contentType: weighted<string | null>(
      [20, fc.constant(jsonType)],
      [
        1,
        fc.constantFrom<string | null>(
          null,
          'application/json; charset=utf-8',
          'APPLICATION/JSON',
          'text/plain',
          'text/csv',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json; charset=utf-16',
          'application/jsonx',
          '',
        ),
      ],
    ),
    auth: weighted<HttpSpec['auth']>(
      [30, fc.constant('ok')],
      [1, fc.constantFrom('none', 'garbage', 'partial')],
    ),
    origin: weighted<HttpSpec['origin']>(
      [25, fc.constant('none')],
      [3, fc.constant('same')],
      [1, fc.constant('other')],
    ),
  });
}

export function renderBody(body: BodySpec, ctx: ResolveContext): Buffer {
  switch (body.kind) {
    case 'draft':
      return damage(jsonText(resolve(body.draft, ctx)), body.damage);
    case 'value':
      return Buffer.from(jsonText(body.value));
    case 'text':
      return Buffer.from(body.text);
    case 'bytes':
      return Buffer.from(body.bytes);
    case 'huge':
      return Buffer.from(`{"note":"${'x'.repeat(body.bytes)}"}`);
  }
}

// ---- Admin: settings and roster files --------------------------------------------------------------------

export const SETTINGS_KEYS = [
  'timeZone',
  'closingTime',
  'defaultCutoff',
  'careBands',
  'extendedCare',
  'undoWindowMinutes',
  'classes',
] as const;

function hhmmLike(): fc.Arbitrary<Json> {
  const pad = (n: number) => String(n).padStart(2, '0');
  return weighted<Json>(
    [
      6,
      fc
        .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
        .map(([h, m]) => `${pad(h)}:${pad(m)}`),
    ],
    [
      1,
      fc.constantFrom<Json>(
        '24:00',
        '23:60',
        '7:00',
        '07:00:00',
        '',
        ' 07:00',
        '０７:００',
        '-1:00',
        null,
        700,
      ),
    ],
  );
}

function band(): fc.Arbitrary<Json> {
  const pad = (n: number) => String(n).padStart(2, '0');
  const minute = fc
    .integer({ min: 0, max: 24 * 60 - 1 })
    .map((m) => `${pad(Math.floor(m / 60))}:${pad(m % 60)}`);
  // Mostly a band that ends after it starts (a random pair would be refused half the time).
  const ordered = fc.tuple(minute, minute).map(([a, b]): [Json, Json] => (a <= b ? [a, b] : [b, a]));
  return fc
    .tuple(
      weighted<[Json, Json]>([6, ordered], [1, fc.tuple(hhmmLike(), hhmmLike())]),
      mutations(['start', 'end'], 9),
    )
    .map(([[start, end], m]) => mutate({ start, end }, m) as Json);
}

/** A PATCH /api/settings body: any subset of the settings, mostly in range, often at or beyond its edges. */
export function settingsPatch(classIds: readonly string[]): fc.Arbitrary<Draft> {
  const classKey = weighted<string>(
    [6, fc.constantFrom(...classIds)],
    [1, fc.constantFrom('k9', '__proto__', 'constructor', 'toString', '', 'K1', 'k1 ')],
  );
  const classChange = fc
    .record(
      {
        cutoff: weighted<Json>([4, hhmmLike()], [1, fc.constant(null)]),
        maxChildrenPerStaff: weighted<Json>(
          [4, fc.integer({ min: 1, max: 30 })],
          [1, fc.constant(null)],
          [1, fc.constantFrom<Json>(0, -1, 0.5, 100, 101, 1e308, raw('1e400'), '3')],
        ),
      },
      { requiredKeys: [] },
    )
    .chain((c) => mutations(['cutoff', 'maxChildrenPerStaff'], 9).map((m) => mutate(c, m) as Json));
  const classes = fc.array(fc.tuple(classKey, classChange), { maxLength: 3 }).map((pairs): Json => {
    const out: Record<string, Json> = {};
    for (const [k, v] of pairs) setOwn(out, k, v);
    return out;
  });
  return fc
    .tuple(
      fc.record(
        {
          timeZone: weighted<Json>(
            [3, fc.constant('Asia/Tokyo')],
            [1, fc.constantFrom<Json>('UTC', 'Mars/Olympus', '', 'asia/tokyo', null)],
          ),
          closingTime: hhmmLike(),
          defaultCutoff: hhmmLike(),
          careBands: fc.record({ standard: band(), short: band() }, { requiredKeys: [] }),
          extendedCare: fc.record(
            {
              graceMinutes: weighted<Json>(
                [4, fc.integer({ min: 0, max: 120 })],
                [1, fc.constantFrom<Json>(-1, 121, 1.5, '5')],
              ),
              roundingMinutes: weighted<Json>(
                [4, fc.integer({ min: 1, max: 120 })],
                [1, fc.constantFrom<Json>(0, 121, 2.5, null)],
              ),
              rounding: weighted<Json>(
                [4, fc.constantFrom('up', 'down', 'nearest')],
                [1, fc.constantFrom<Json>('UP', 'ceil', '', null)],
              ),
            },
            { requiredKeys: [] },
          ),
          undoWindowMinutes: weighted<Json>(
            [4, fc.integer({ min: 1, max: 60 })],
            [1, fc.constantFrom<Json>(0, 61, 1.5, -5, '10', 1e9)],
          ),
          classes,
        },
        { requiredKeys: [] },
      ),
      mutations(SETTINGS_KEYS, 8),
    )
    .map(([p, m]) => mutate(p as Record<string, Draft>, m));
}

/** Roster files: the test roster with lines and cells damaged, or anything at all. */
export function rosterCsv(base: string): fc.Arbitrary<string> {
  const lines = base.split('\n');
  const cell = fc.oneof(
    fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/),
    freeText(),
    fc.constantFrom(
      '',
      '"',
      '""',
      '"a,b"',
      '"line\nbreak"',
      '=HYPERLINK("x")',
      '+1',
      '-1',
      '@x',
      'x'.repeat(5000),
      '04A23B4C',
      'zz',
      '0102030405060708090A0B0C0D0E0F10',
      'c001',
      'g001',
      'k1',
    ),
  );
  type LineOp =
    | { kind: 'drop'; line: number }
    | { kind: 'dup'; line: number }
    | { kind: 'cell'; line: number; col: number; value: string }
    | { kind: 'insert'; line: number; text: string };
  const op: fc.Arbitrary<LineOp> = fc.oneof(
    fc.record({ kind: fc.constant('drop' as const), line: fc.nat(lines.length - 1) }),
    fc.record({ kind: fc.constant('dup' as const), line: fc.nat(lines.length - 1) }),
    fc.record({
      kind: fc.constant('cell' as const),
      line: fc.nat(lines.length - 1),
      col: fc.nat(9),
      value: cell,
    }),
    fc.record({
      kind: fc.constant('insert' as const),
      line: fc.nat(lines.length),
      text: fc.array(cell, { maxLength: 10 }).map((c) => c.join(',')),
    }),
  );
  const edited = fc
    .record({
      ops: fc.array(op, { maxLength: 4 }),
      eol: fc.constantFrom('\n', '\n', '\r\n', '\r'),
      bom: fc.boolean(),
      trailing: fc.constantFrom('', '\n', '\n\n', ',,,'),
    })
    .map(({ ops, eol, bom, trailing }) => {
      const out = [...lines];
      for (const o of ops) {
        const i = Math.min(o.line, out.length);
        if (o.kind === 'drop') out.splice(i, 1);
        else if (o.kind === 'dup') out.splice(i, 0, out[i] ?? '');
        else if (o.kind === 'insert') out.splice(i, 0, o.text);
        else {
          const cells = (out[i] ?? '').split(',');
          cells[o.col] = o.value;
          out[i] = cells.join(',');
        }
      }
      return `${bom ? '\uFEFF' : ''}${out.join(eol)}${trailing}`;
    });
  return weighted<string>(
    [8, edited],
    [1, fc.string({ unit: 'binary', maxLength: 200 })],
    [1, fc.constantFrom('', '\n', lines[0] ?? '', `${lines[0] ?? ''}\n${'k1,x,c9,y,z,g9,w,\n'.repeat(300)}`)],
  );
}

// ---- Cloud batches (POST /v1/batches) --------------------------------------------------------------------

export interface BatchSpec {
  hubId: Draft;
  facilityId: Draft;
  events:
    | { kind: 'list'; items: Draft[] }
    | { kind: 'many'; template: Draft; count: number }
    | { kind: 'value'; value: Json };
  extra: Mutation[];
  damage: TextDamage[];
}

/** A hub's batch for the cloud (hub-1 of facility f1), mostly well-formed, with events as a hub relays them. */
export function cloudBatch(world: World): fc.Arbitrary<BatchSpec> {
  const event = eventDraft(world);
  return fc.record({
    hubId: weighted<Draft>([12, fc.constant('hub-1')], [1, fc.constant('hub-2')], [1, idLike()]),
    facilityId: weighted<Draft>([12, fc.constant('f1')], [1, fc.constant('f2')], [1, idLike()]),
    events: weighted<BatchSpec['events']>(
      [
        12,
        fc.record({
          kind: fc.constant('list' as const),
          items: fc.array(event, { minLength: 0, maxLength: 10 }),
        }),
      ],
      [
        1,
        fc.record({
          kind: fc.constant('many' as const),
          template: event,
          count: fc.constantFrom(100, 499, 500, 501, 2000),
        }),
      ],
      [1, fc.record({ kind: fc.constant('value' as const), value: garbageValue() })],
    ),
    extra: mutations(['hubId', 'facilityId', 'events'], 9),
    damage: textDamage(['hubId', 'facilityId', 'events']),
  });
}

export function renderBatch(spec: BatchSpec, ctx: ResolveContext): Buffer {
  const events =
    spec.events.kind === 'list'
      ? spec.events.items.map((e) => resolve(e, ctx))
      : spec.events.kind === 'many'
        ? copies(resolve(spec.events.template, ctx), spec.events.count)
        : spec.events.value;
  const body: Record<string, Json> = {
    hubId: resolve(spec.hubId, ctx),
    facilityId: resolve(spec.facilityId, ctx),
    events,
  };
  for (const m of spec.extra) {
    if (m.kind === 'delete') Reflect.deleteProperty(body, m.key);
    else setOwn(body, m.key, m.value);
  }
  return damage(jsonText(body), spec.damage);
}
