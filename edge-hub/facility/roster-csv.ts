import { parse } from 'csv-parse/sync';
import { ValidationError } from '../../common/errors.ts';
import { isValidDate } from '../../common/time.ts';
import { CARE_TYPES, ID_RE, normalizeCardUid, type CareType, textProblem } from '../../protocol/index.ts';

/**
 * The roster CSV, the public format of `genkan roster import` and the admin app's import: its columns and
 * the parser that checks a whole file, line by line.
 */

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

/** Optional column: `standard` (保育標準時間, the default when empty) or `short` (保育短時間). */
export const CARE_TYPE_COLUMN = 'care_type';

/**
 * Columns that may follow the fixed ones, in any order, each at most once: care_type, the child's first
 * and last day (YYYY-MM-DD, empty for none) within the roster, and the child's birth date (YYYY-MM-DD,
 * empty for unknown; the staffing standard goes by age).
 */
export const OPTIONAL_COLUMNS = [CARE_TYPE_COLUMN, 'enrolled_on', 'left_on', 'birth_date'] as const;
export type OptionalColumn = (typeof OPTIONAL_COLUMNS)[number];

/** Where a header puts each optional column (its index in a record). */
export type RosterHeader = Partial<Record<OptionalColumn, number>>;

/** Reads a header record: its optional columns, or why it is refused (a problem of line 1). */
export function readRosterHeader(fields: readonly string[]): RosterHeader | string {
  const fixed = fields.slice(0, ROSTER_COLUMNS.length);
  if (fixed.length < ROSTER_COLUMNS.length || fixed.some((f, i) => f !== ROSTER_COLUMNS[i])) {
    return `the header must start with ${ROSTER_HEADER} (optionally followed by ${OPTIONAL_COLUMNS.join(', ')} in any order)`;
  }
  const header: RosterHeader = {};
  for (let i = ROSTER_COLUMNS.length; i < fields.length; i++) {
    const name = fields[i] ?? '';
    const column = OPTIONAL_COLUMNS.find((c) => c === name);
    if (column === undefined) {
      return `unknown column "${name}": after card_uid the header may have ${OPTIONAL_COLUMNS.join(', ')} (in any order, each once)`;
    }
    if (header[column] !== undefined) return `column ${column} appears twice in the header`;
    header[column] = i;
  }
  return header;
}

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
  children: ParsedChild[];
  guardians: { id: string; name: string; childIds: string[]; cardUids: string[] }[];
}

export interface ParsedChild {
  id: string;
  name: string;
  kana: string;
  classId: string;
  careType: CareType;
  /** First and last day on the roster (YYYY-MM-DD); null: no bound. */
  enrolledOn: string | null;
  leftOn: string | null;
  birthDate: string | null;
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
  const children = new Map<string, Seen<Omit<ParsedChild, 'id'>>>();
  const guardians = new Map<string, Seen<string> & { childIds: Set<string>; cardUids: Set<string> }>();
  const cardOwner = new Map<string, Seen<string>>();

  let line = 1;
  let sawHeader = false;
  let header: RosterHeader = {};
  let columns: number = ROSTER_COLUMNS.length;
  let rows = 0;
  for (const [index, record] of records.entries()) {
    const start = line;
    line = (endLines[index] ?? start) + 1;
    if (record.every((f) => f === '')) continue; // blank line
    if (!sawHeader) {
      sawHeader = true;
      const read = readRosterHeader(record);
      if (typeof read === 'string') {
        fail(start, read);
        break;
      }
      header = read;
      columns = record.length;
      continue;
    }
    rows++;
    if (record.length !== columns) {
      fail(start, `expected ${columns} columns, found ${record.length}`);
      continue;
    }
    const [classId, className, childId, childName, childKana, guardianId, guardianName, cardCell] =
      record as [string, string, string, string, string, string, string, string];
    const cell = (column: OptionalColumn): string => {
      const at = header[column];
      return at === undefined ? '' : (record[at] ?? '');
    };
    const careCell = cell(CARE_TYPE_COLUMN);
    const careType: CareType | undefined =
      careCell === '' ? 'standard' : CARE_TYPES.find((t) => t === careCell);
    if (careType === undefined)
      fail(start, `care_type must be ${CARE_TYPES.join(' or ')} (or empty for standard)`);
    const dateCell = (column: 'enrolled_on' | 'left_on' | 'birth_date'): string | null | undefined => {
      const value = cell(column);
      if (value === '') return null;
      if (isValidDate(value)) return value;
      fail(start, `${column} "${value}" is not a date YYYY-MM-DD (or empty)`);
      return undefined;
    };
    const birthDate = dateCell('birth_date');
    const enrolledOn = dateCell('enrolled_on');
    let leftOn = dateCell('left_on');
    if (typeof enrolledOn === 'string' && typeof leftOn === 'string' && leftOn < enrolledOn) {
      fail(start, `left_on ${leftOn} is before enrolled_on ${enrolledOn}`);
      leftOn = undefined;
    }
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

    if (
      childOk &&
      classOk &&
      careType !== undefined &&
      enrolledOn !== undefined &&
      leftOn !== undefined &&
      birthDate !== undefined
    ) {
      const child = children.get(childId);
      if (!child)
        children.set(childId, {
          value: { name: childName, kana: childKana, classId, careType, enrolledOn, leftOn, birthDate },
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
      } else if (child.value.enrolledOn !== enrolledOn || child.value.leftOn !== leftOn) {
        fail(start, `child ${childId} has different enrolled_on or left_on than on line ${child.line}`);
      } else if (child.value.birthDate !== birthDate) {
        fail(start, `child ${childId} has a different birth_date than on line ${child.line}`);
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
