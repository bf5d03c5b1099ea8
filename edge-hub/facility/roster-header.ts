import { ValidationError } from '../../common/errors.ts';
import type { RosterProblemCode, RosterProblemParams } from '../../protocol/roster-problems.ts';

/**
 * The roster CSV's columns and header (the public format of `genkan roster import` and the admin app's
 * import), and its problems: coded, with parameters, so that the apps word them in their language.
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

/**
 * A problem of a roster file: its line, its code and parameters (the apps word them in their language:
 * protocol/roster-problems.ts), and the English reason (the CLI, messages of errors).
 */
export interface RosterProblem {
  /** 1-based line in the file where the offending record starts. */
  line: number;
  code: string;
  params: Readonly<Record<string, string | number>>;
  reason: string;
}

/** A problem of a given code, its params checked against the code's (protocol/roster-problems.ts). */
export function rosterProblem<C extends RosterProblemCode>(
  line: number,
  code: C,
  params: RosterProblemParams[C],
  reason: string,
): RosterProblem {
  return { line, code, params, reason };
}

const OPTIONAL_LIST = OPTIONAL_COLUMNS.join(', ');

/** Reads a header record: its optional columns, or why it is refused (a problem of line 1). */
export function readRosterHeader(
  fields: readonly string[],
): { ok: true; header: RosterHeader } | { ok: false; problem: RosterProblem } {
  const refuse = (problem: RosterProblem) => ({ ok: false as const, problem });
  const fixed = fields.slice(0, ROSTER_COLUMNS.length);
  if (fixed.length < ROSTER_COLUMNS.length || fixed.some((f, i) => f !== ROSTER_COLUMNS[i])) {
    return refuse(
      rosterProblem(
        1,
        'bad_header',
        { expected: ROSTER_HEADER, optional: OPTIONAL_LIST },
        `the header must start with ${ROSTER_HEADER} (optionally followed by ${OPTIONAL_LIST} in any order)`,
      ),
    );
  }
  const header: RosterHeader = {};
  for (let i = ROSTER_COLUMNS.length; i < fields.length; i++) {
    const name = fields[i] ?? '';
    const column = OPTIONAL_COLUMNS.find((c) => c === name);
    if (column === undefined) {
      return refuse(
        rosterProblem(
          1,
          'unknown_column',
          { column: name, optional: OPTIONAL_LIST },
          `unknown column "${name}": after card_uid the header may have ${OPTIONAL_LIST} (in any order, each once)`,
        ),
      );
    }
    if (header[column] !== undefined) {
      return refuse(
        rosterProblem(1, 'duplicate_column', { column }, `column ${column} appears twice in the header`),
      );
    }
    header[column] = i;
  }
  return { ok: true, header };
}

/** A roster file with problems; nothing was imported. `problems` lists every bad line. */
export class RosterImportError extends ValidationError {
  readonly problems: readonly RosterProblem[];
  constructor(problems: readonly RosterProblem[]) {
    super(
      'roster_invalid',
      `roster file has ${problems.length} problem(s); nothing imported: ` +
        problems.map((p) => `line ${p.line}: ${p.reason}`).join('; '),
      undefined,
      { problems: problems.length },
    );
    this.problems = problems;
  }
}
