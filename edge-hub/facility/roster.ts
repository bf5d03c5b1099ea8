import { parse } from 'csv-parse/sync';
import { ValidationError } from '../../common/errors.ts';
import {
  CARE_TYPES,
  credentialHash,
  ID_RE,
  normalizeCardUid,
  type CareType,
  type Roster,
  textProblem,
} from '../../protocol/index.ts';
import type { HubMeta } from '../store/facility.ts';
import type { StoreOf } from '../store/hub-store.ts';
import type { RosterData } from '../store/roster.ts';

export const ROSTER_COLUMNS = [
  'class_id',
  'class_name',
  'child_id',
  'child_name',
  'child_kana',
  'guardian_id',
  'guardian_name',
  'card_uid',
] as const;

/** The header line a roster CSV must start with (the public format of `genkan roster import`). */
export const ROSTER_HEADER = ROSTER_COLUMNS.join(',');

/** The optional last column: `standard` (保育標準時間, the default when empty) or `short` (保育短時間). */
export const CARE_TYPE_COLUMN = 'care_type';

export interface RosterProblem {
  /** 1-based line in the file where the offending record starts. */
  line: number;
  reason: string;
}

/** A roster file with problems; nothing was imported. `problems` lists every bad line. */
export class RosterImportError extends ValidationError {
  readonly problems: readonly RosterProblem[];
  constructor(problems: readonly RosterProblem[]) {
    super(
      'roster_invalid',
      `roster file has ${problems.length} problem(s); nothing imported: ` +
        problems.map((p) => `line ${p.line}: ${p.reason}`).join('; '),
    );
    this.problems = problems;
  }
}

/** Longest name on the roster: what the facility snapshot carries to the cloud (protocol/ledger.ts). */
const NAME_MAX = 200;

/** The roster as read from a file, card UIDs already normalised (not yet hashed). */
export interface ParsedRoster {
  classes: { id: string; name: string }[];
  children: { id: string; name: string; kana: string; classId: string; careType: CareType }[];
  guardians: { id: string; name: string; childIds: string[]; cardUids: string[] }[];
}

export interface ImportSummary {
  imported: { classes: number; children: number; guardians: number; credentials: number };
  version: number;
}

interface Seen<T> {
  value: T;
  line: number;
}

/**
 * Reads and checks a roster CSV (UTF-8, optional BOM, LF or CRLF). Every problem is collected with its
 * line number, and any problem throws RosterImportError: a half-imported roster would be worse than none.
 */
export function parseRosterCsv(text: string): ParsedRoster {
  const problems: RosterProblem[] = [];
  const fail = (line: number, reason: string) => {
    problems.push({ line, reason });
  };

  // csv-parse counts the CR and the LF of a quoted CRLF as two lines; with LF only its line numbers are
  // exact. A CR inside a quoted name is never wanted anyway.
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  // Line on which each record ends, in record order; a record starts on the line after the previous one's
  // end (blank lines are records too, as skip_empty_lines is off).
  const endLines: number[] = [];
  let records: string[][];
  try {
    records = parse(normalized, {
      relax_column_count: true,
      trim: true,
      skip_empty_lines: false,
      on_record: (record, context) => {
        endLines.push(context.lines);
        return record;
      },
    });
  } catch (err) {
    const line =
      typeof err === 'object' && err !== null && 'lines' in err && typeof err.lines === 'number'
        ? err.lines
        : 1;
    const message = err instanceof Error ? err.message.replace(/^[^:]*:\s*/, '') : String(err);
    throw new RosterImportError([{ line, reason: `not readable as CSV: ${message}` }]);
  }

  const classes = new Map<string, Seen<string>>();
  const children = new Map<
    string,
    Seen<{ name: string; kana: string; classId: string; careType: CareType }>
  >();
  const guardians = new Map<string, Seen<string> & { childIds: Set<string>; cardUids: Set<string> }>();
  const cardOwner = new Map<string, Seen<string>>();

  let line = 1;
  let sawHeader = false;
  let columns = ROSTER_COLUMNS.length;
  let rows = 0;
  for (const [index, record] of records.entries()) {
    const start = line;
    line = (endLines[index] ?? start) + 1;
    if (record.every((f) => f === '')) continue; // blank line
    if (!sawHeader) {
      sawHeader = true;
      const header = record.join(',');
      if (header === `${ROSTER_HEADER},${CARE_TYPE_COLUMN}`) columns++;
      else if (header !== ROSTER_HEADER) {
        fail(
          start,
          `the header must be exactly ${ROSTER_HEADER} (optionally followed by ,${CARE_TYPE_COLUMN})`,
        );
        break;
      }
      continue;
    }
    rows++;
    if (record.length !== columns) {
      fail(start, `expected ${columns} columns, found ${record.length}`);
      continue;
    }
    const [classId, className, childId, childName, childKana, guardianId, guardianName, cardCell, careCell] =
      record as [string, string, string, string, string, string, string, string, string | undefined];
    const careType: CareType | undefined =
      careCell === undefined || careCell === '' ? 'standard' : CARE_TYPES.find((t) => t === careCell);
    if (careType === undefined)
      fail(start, `care_type must be ${CARE_TYPES.join(' or ')} (or empty for standard)`);
    // Each check returns whether its field is usable, so that the consistency checks below still run
    // for the valid parts of a row with a bad field: every problem of the file is reported at once.
    const checkId = (value: string, column: string): boolean => {
      if (ID_RE.test(value)) return true;
      fail(start, `${column} "${value}" is not a valid id (1–64 letters, digits, _ or -; no spaces)`);
      return false;
    };
    const checkName = (value: string, column: string): boolean => {
      // The record's text rule (protocol/plausibility.ts): no control character or line break.
      const problem = value === '' ? 'is empty' : textProblem(value, NAME_MAX);
      if (problem === undefined) return true;
      fail(start, `${column} ${problem}`);
      return false;
    };
    const classOk = [checkId(classId, 'class_id'), checkName(className, 'class_name')].every(Boolean);
    const childOk = [
      checkId(childId, 'child_id'),
      checkName(childName, 'child_name'),
      checkName(childKana, 'child_kana'),
    ].every(Boolean);
    const hasGuardian = guardianId !== '' || guardianName !== '' || cardCell !== '';
    const guardianOk =
      hasGuardian &&
      [checkId(guardianId, 'guardian_id'), checkName(guardianName, 'guardian_name')].every(Boolean);
    const cardUids: string[] = [];
    cardCell
      .split(';')
      .map((c) => c.trim())
      .forEach((raw, i) => {
        if (raw === '') return;
        const hex = normalizeCardUid(raw);
        // The value is not echoed: card numbers are personal data and this message may end up in a log.
        if (hex === undefined)
          fail(start, `card_uid entry ${i + 1} is not a card UID (even number of 4–64 hex digits)`);
        else cardUids.push(hex);
      });

    if (classOk) {
      const cls = classes.get(classId);
      if (!cls) classes.set(classId, { value: className, line: start });
      else if (cls.value !== className) {
        fail(start, `class ${classId} is named "${className}" here but "${cls.value}" on line ${cls.line}`);
      }
    }

    if (childOk && classOk && careType !== undefined) {
      const child = children.get(childId);
      if (!child)
        children.set(childId, {
          value: { name: childName, kana: childKana, classId, careType },
          line: start,
        });
      else if (child.value.classId !== classId) {
        fail(
          start,
          `child ${childId} is in class ${classId} here but in class ${child.value.classId} on line ${child.line}`,
        );
      } else if (child.value.name !== childName || child.value.kana !== childKana) {
        fail(start, `child ${childId} has a different name or kana than on line ${child.line}`);
      } else if (child.value.careType !== careType) {
        fail(
          start,
          `child ${childId} has care_type ${careType} here but ${child.value.careType} on line ${child.line}`,
        );
      }
    }

    if (!guardianOk) continue;
    const known = guardians.get(guardianId);
    const guardian = known ?? {
      value: guardianName,
      line: start,
      childIds: new Set<string>(),
      cardUids: new Set<string>(),
    };
    if (!known) guardians.set(guardianId, guardian);
    else if (known.value !== guardianName) {
      fail(start, `guardian ${guardianId} has a different name than on line ${guardian.line}`);
    }
    if (childOk) guardian.childIds.add(childId);
    cardUids.forEach((hex) => {
      const owner = cardOwner.get(hex);
      if (!owner) {
        cardOwner.set(hex, { value: guardianId, line: start });
        guardian.cardUids.add(hex);
      } else if (owner.value !== guardianId) {
        fail(start, `a card in card_uid is already used by guardian ${owner.value} (line ${owner.line})`);
      }
    });
  }
  if (!sawHeader) fail(1, 'the file is empty');
  else if (rows === 0 && problems.length === 0) fail(1, 'the file has a header but no children');
  if (problems.length > 0) throw new RosterImportError(problems);

  return {
    classes: [...classes].map(([id, c]) => ({ id, name: c.value })),
    children: [...children].map(([id, c]) => ({ id, ...c.value })),
    guardians: [...guardians].map(([id, g]) => ({
      id,
      name: g.value,
      childIds: [...g.childIds],
      cardUids: [...g.cardUids],
    })),
  };
}

/** Replaces the stored roster with the file's, as a whole, in one transaction (or not at all). */
export function importRoster(store: StoreOf<'facility' | 'roster'>, csvText: string): ImportSummary {
  const parsed = parseRosterCsv(csvText);
  const { credentialKey } = store.facility.meta();
  const data: RosterData = {
    classes: parsed.classes,
    children: parsed.children,
    guardians: parsed.guardians.map((g) => ({
      id: g.id,
      name: g.name,
      childIds: g.childIds,
      credentials: g.cardUids.map((value) => credentialHash(credentialKey, { kind: 'card', value })),
    })),
  };
  const version = store.roster.replaceRoster(data);
  return {
    imported: {
      classes: data.classes.length,
      children: data.children.length,
      guardians: data.guardians.length,
      credentials: data.guardians.reduce((n, g) => n + g.credentials.length, 0),
    },
    version,
  };
}

/** The retained roster message (RosterSchema). */
export function rosterMessage(facilityId: string, meta: HubMeta, roster: RosterData): Roster {
  return {
    facilityId,
    facilityName: meta.facilityName ?? facilityId,
    timeZone: meta.timeZone,
    version: meta.rosterVersion,
    credentialKey: meta.credentialKey,
    qrPublicKey: meta.qrPublicKey,
    classes: roster.classes,
    // The kiosks' roster has no care types: they are for the ledgers only.
    children: roster.children.map(({ id, name, kana, classId }) => ({ id, name, kana, classId })),
    guardians: roster.guardians,
  };
}
