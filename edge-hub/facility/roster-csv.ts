import { parse } from 'csv-parse/sync';
import { isValidDate } from '../../common/time.ts';
import { CARE_TYPES, ID_RE, normalizeCardUid, type CareType, textProblem } from '../../protocol/index.ts';
import type { RosterProblemCode, RosterProblemParams } from '../../protocol/roster-problems.ts';
import {
  CARE_TYPE_COLUMN,
  readRosterHeader,
  ROSTER_COLUMNS,
  rosterProblem,
  RosterImportError,
  type OptionalColumn,
  type RosterHeader,
  type RosterProblem,
} from './roster-header.ts';

/**
 * The roster CSV parser: it checks a whole file, line by line. The format's columns and problems are in
 * roster-header.ts; this module stays their public door.
 */
export {
  CARE_TYPE_COLUMN,
  OPTIONAL_COLUMNS,
  readRosterHeader,
  ROSTER_COLUMNS,
  ROSTER_HEADER,
  rosterProblem,
  RosterImportError,
  type OptionalColumn,
  type RosterHeader,
  type RosterProblem,
} from './roster-header.ts';

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
  const fail = <C extends RosterProblemCode>(
    line: number,
    code: C,
    params: RosterProblemParams[C],
    reason: string,
  ) => {
    problems.push(rosterProblem(line, code, params, reason));
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
    throw new RosterImportError([rosterProblem(line, 'not_csv', {}, `not readable as CSV: ${message}`)]);
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
      if (!read.ok) {
        problems.push({ ...read.problem, line: start });
        break;
      }
      header = read.header;
      columns = record.length;
      continue;
    }
    rows++;
    if (record.length !== columns) {
      fail(
        start,
        'columns_count',
        { expected: columns, found: record.length },
        `expected ${columns} columns, found ${record.length}`,
      );
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
      fail(
        start,
        'bad_care_type',
        { column: CARE_TYPE_COLUMN, value: careCell },
        `care_type must be ${CARE_TYPES.join(' or ')} (or empty for standard)`,
      );
    const dateCell = (column: 'enrolled_on' | 'left_on' | 'birth_date'): string | null | undefined => {
      const value = cell(column);
      if (value === '') return null;
      if (isValidDate(value)) return value;
      fail(start, 'bad_date', { column, value }, `${column} "${value}" is not a date YYYY-MM-DD (or empty)`);
      return undefined;
    };
    const birthDate = dateCell('birth_date');
    const enrolledOn = dateCell('enrolled_on');
    let leftOn = dateCell('left_on');
    if (typeof enrolledOn === 'string' && typeof leftOn === 'string' && leftOn < enrolledOn) {
      fail(
        start,
        'date_order',
        { enrolledOn, leftOn },
        `left_on ${leftOn} is before enrolled_on ${enrolledOn}`,
      );
      leftOn = undefined;
    }
    // Each check returns whether its field is usable, so that the consistency checks below still run
    // for the valid parts of a row with a bad field: every problem of the file is reported at once.
    const checkId = (value: string, column: string): boolean => {
      if (ID_RE.test(value)) return true;
      fail(
        start,
        'bad_id',
        { column, value },
        `${column} "${value}" is not a valid id (1–64 letters, digits, _ or -; no spaces)`,
      );
      return false;
    };
    const checkName = (value: string, column: string): boolean => {
      // The record's text rule (protocol/plausibility.ts): no control character or line break.
      if (value === '') fail(start, 'empty_field', { column }, `${column} is empty`);
      else if (value.length > NAME_MAX) {
        fail(start, 'too_long', { column, max: NAME_MAX }, `${column} longer than ${NAME_MAX} characters`);
      } else {
        const problem = textProblem(value, NAME_MAX);
        if (problem === undefined) return true;
        const position = Number(/at position (\d+)/.exec(problem)?.[1] ?? 0);
        fail(start, 'bad_text', { column, position }, `${column} ${problem}`);
      }
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
          fail(
            start,
            'bad_card',
            { column: 'card_uid', entry: i + 1 },
            `card_uid entry ${i + 1} is not a card UID (even number of 4–64 hex digits)`,
          );
        else cardUids.push(hex);
      });

    if (classOk) {
      const cls = classes.get(classId);
      if (!cls) classes.set(classId, { value: className, line: start });
      else if (cls.value !== className) {
        fail(
          start,
          'class_renamed',
          { classId, name: className, otherName: cls.value, otherLine: cls.line },
          `class ${classId} is named "${className}" here but "${cls.value}" on line ${cls.line}`,
        );
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
          'child_moved',
          { childId, classId, otherClassId: child.value.classId, otherLine: child.line },
          `child ${childId} is in class ${classId} here but in class ${child.value.classId} on line ${child.line}`,
        );
      } else if (child.value.name !== childName || child.value.kana !== childKana) {
        fail(
          start,
          'child_renamed',
          { childId, otherLine: child.line },
          `child ${childId} has a different name or kana than on line ${child.line}`,
        );
      } else if (child.value.careType !== careType) {
        fail(
          start,
          'care_type_differs',
          { childId, careType, otherCareType: child.value.careType, otherLine: child.line },
          `child ${childId} has care_type ${careType} here but ${child.value.careType} on line ${child.line}`,
        );
      } else if (child.value.enrolledOn !== enrolledOn || child.value.leftOn !== leftOn) {
        fail(
          start,
          'dates_differ',
          { childId, otherLine: child.line },
          `child ${childId} has different enrolled_on or left_on than on line ${child.line}`,
        );
      } else if (child.value.birthDate !== birthDate) {
        fail(
          start,
          'birth_date_differs',
          { childId, otherLine: child.line },
          `child ${childId} has a different birth_date than on line ${child.line}`,
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
      fail(
        start,
        'guardian_renamed',
        { guardianId, otherLine: guardian.line },
        `guardian ${guardianId} has a different name than on line ${guardian.line}`,
      );
    }
    if (childOk) guardian.childIds.add(childId);
    cardUids.forEach((hex) => {
      const owner = cardOwner.get(hex);
      if (!owner) {
        cardOwner.set(hex, { value: guardianId, line: start });
        guardian.cardUids.add(hex);
      } else if (owner.value !== guardianId) {
        fail(
          start,
          'card_in_use',
          { column: 'card_uid', guardianId: owner.value, otherLine: owner.line },
          `a card in card_uid is already used by guardian ${owner.value} (line ${owner.line})`,
        );
      }
    });
  }
  if (!sawHeader) fail(1, 'empty_file', {}, 'the file is empty');
  else if (rows === 0 && problems.length === 0)
    fail(1, 'no_children', {}, 'the file has a header but no children');
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
