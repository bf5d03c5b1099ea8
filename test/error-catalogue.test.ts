import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_TEXTS, errorText } from '../protocol/error-catalogue.ts';
import { ErrorCodes } from '../protocol/errors.ts';
import { CloudErrorCodes } from '../cloud-relay/errors.ts';
import {
  ROSTER_PROBLEM_CODES,
  ROSTER_PROBLEM_TEXTS,
  rosterProblemLine,
  rosterProblemText,
} from '../protocol/roster-problems.ts';
import { SETTING_PROBLEMS, settingProblemOf, settingProblemText } from '../protocol/setting-problems.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The server's source files: what the hub (and the code it shares) can throw at the apps. */
function serverSources(): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        // The apps catch, they do not throw to the apps.
        if (entry.name !== 'node_modules' && entry.name !== 'app') walk(path);
      } else if (/\.tsx?$/.test(entry.name) && !/\.test\.ts$|test-support/.test(entry.name)) {
        out.push({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') });
      }
    }
  };
  for (const dir of ['edge-hub', 'cloud-relay', 'common', 'protocol']) walk(join(ROOT, dir));
  return out;
}

/**
 * Every code a coded error of a kind the HTTP layer answers (not an internal one, whose details stay in the
 * log) is thrown with, written as a literal or an ErrorCodes name.
 */
function thrownCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  const re =
    /(?:new (?:Validation|Auth|Forbidden|NotFound|Conflict|TooLarge|UnsupportedFormat|RateLimited|Unavailable)Error|super)\(\s*(?:'([a-z0-9_]+)'|(?:Cloud)?ErrorCodes\.(\w+))/g;
  const named: Readonly<Record<string, string>> = { ...ErrorCodes, ...CloudErrorCodes };
  for (const { path, text } of serverSources()) {
    for (const m of text.matchAll(re)) {
      const code = m[1] ?? (m[2] === undefined ? undefined : named[m[2]]);
      if (code !== undefined) codes.set(code, path);
    }
  }
  for (const code of Object.values(ErrorCodes)) if (!codes.has(code)) codes.set(code, 'protocol/errors.ts');
  for (const code of Object.values(CloudErrorCodes))
    if (!codes.has(code)) codes.set(code, 'cloud-relay/errors.ts');
  return codes;
}

/** A reader that gives every parameter a value, to see that no text prints a missing one. */
const anything = (name: string) => `<${name}>`;

describe('the error catalogue', () => {
  it('has the same codes in Japanese and English', () => {
    expect(Object.keys(ERROR_TEXTS.en).sort()).toEqual(Object.keys(ERROR_TEXTS.ja).sort());
  });

  it('words every code the hub can send, in both languages', () => {
    const codes = thrownCodes();
    // Sanity: the scan finds codes thrown in the usual ways (literal, ErrorCodes, a subclass's super()).
    expect(codes.get('bad_setting')).toBe('edge-hub/facility/settings.ts');
    expect(codes.has('import_busy')).toBe(true);
    expect(codes.has('month_closed')).toBe(true);
    codes.set('roster_encoding', 'edge-hub/facility/roster-file.ts');
    const missing = [...codes].filter(([code]) => !Object.hasOwn(ERROR_TEXTS.ja, code));
    expect(missing, 'codes without a Japanese and English text in protocol/error-texts-*.ts').toEqual([]);
  });

  it('never prints undefined or an empty text', () => {
    for (const lang of ['ja', 'en'] as const) {
      for (const [code, text] of Object.entries(ERROR_TEXTS[lang])) {
        const worded = text(anything);
        expect(worded, `${lang} ${code}`).not.toMatch(/undefined|^$/);
      }
    }
  });

  it('words a code with its params, and knows nothing of an unknown code', () => {
    expect(errorText('ja', 'import_busy')).toBe(
      'ほかの名簿の取り込みが進行中です。終わるまで待ってください。',
    );
    expect(errorText('ja', 'roster_invalid', { problems: 3 })).toBe(
      '名簿ファイルに3件の問題があります。何も取り込んでいません。',
    );
    expect(errorText('ja', 'bad_setting', { field: 'undoWindowMinutes', problem: 'too_big', max: 60 })).toBe(
      '設定「undoWindowMinutes」: 60以下にしてください',
    );
    expect(errorText('en', 'no_such_code')).toBeUndefined();
    expect(errorText('en', 'toString')).toBeUndefined();
  });
});

describe('roster problems', () => {
  it('are worded in both languages, each code', () => {
    for (const lang of ['ja', 'en'] as const) {
      for (const code of ROSTER_PROBLEM_CODES) {
        expect(ROSTER_PROBLEM_TEXTS[lang][code](anything), `${lang} ${code}`).not.toMatch(/undefined|^$/);
      }
    }
  });

  it('cover every code the parser and the import job write', () => {
    const sources = ['roster-csv.ts', 'roster-header.ts', 'roster-job.ts'].map((f) =>
      readFileSync(join(ROOT, 'edge-hub/facility', f), 'utf8'),
    );
    const used = new Set<string>();
    for (const text of sources) {
      for (const m of text.matchAll(/(?:rosterProblem|fail)\(\s*\w+,\s*'([a-z_]+)'/g)) used.add(m[1] ?? '');
    }
    expect(used.size).toBeGreaterThan(20);
    const known: readonly string[] = ROSTER_PROBLEM_CODES;
    expect([...used].filter((c) => !known.includes(c))).toEqual([]);
  });

  it('read as the director knows the file: the column in Japanese and as in the header', () => {
    const empty = {
      line: 3,
      code: 'empty_field',
      params: { column: 'child_name' },
      reason: 'child_name is empty',
    };
    expect(rosterProblemLine('ja', empty)).toBe('3行目: 園児名（child_name）が空です。');
    expect(rosterProblemLine('en', empty)).toBe('line 3: child_name is empty.');
    expect(
      rosterProblemText('ja', {
        line: 4,
        code: 'child_moved',
        params: { childId: 'c1', classId: 'k2', otherClassId: 'k1', otherLine: 2 },
        reason: '',
      }),
    ).toBe('園児 c1 のクラス k2 が、2行目のクラス k1 と違います。');
    // A card's number is never a parameter: its place in the cell is.
    expect(
      rosterProblemText('ja', {
        line: 2,
        code: 'bad_card',
        params: { column: 'card_uid', entry: 2 },
        reason: '',
      }),
    ).toBe('カード番号（card_uid）の2つ目がカード番号の形ではありません（16進数で4〜64桁、偶数桁）。');
  });

  it('fall back to the error catalogue, then to the English reason', () => {
    const closed = { line: 1, code: 'month_closed', params: {}, reason: '2026-03 is closed' };
    expect(rosterProblemText('ja', closed)).toContain('この月はすでに確定しています');
    expect(rosterProblemText('ja', { ...closed, code: 'something_new' })).toBe('2026-03 is closed');
  });
});

describe('setting problems', () => {
  it('are worded in both languages, each problem', () => {
    for (const lang of ['ja', 'en'] as const) {
      for (const problem of SETTING_PROBLEMS) {
        const text = settingProblemText(lang, (n) => (n === 'problem' ? problem : anything(n)));
        expect(text, `${lang} ${problem}`).not.toMatch(/undefined|^$/);
      }
    }
  });

  it('come from zod issues with their limits', () => {
    const base = { message: 'x' };
    expect(
      settingProblemOf({ ...base, code: 'too_small', origin: 'number', minimum: 1, inclusive: true }),
    ).toEqual({ problem: 'too_small', min: 1, inclusive: 1 });
    expect(settingProblemOf({ ...base, code: 'too_big', origin: 'number', maximum: 60 })).toEqual({
      problem: 'too_big',
      max: 60,
    });
    expect(settingProblemOf({ ...base, code: 'too_big', origin: 'array', maximum: 8 })).toEqual({
      problem: 'too_many',
      max: 8,
    });
    expect(settingProblemOf({ code: 'invalid_format', message: 'must be HH:MM (00:00–23:59)' })).toEqual({
      problem: 'bad_time',
    });
    expect(settingProblemOf({ ...base, code: 'custom', params: { problem: 'bands_overlap' } })).toEqual({
      problem: 'bands_overlap',
    });
    expect(settingProblemText('ja', (n) => ({ problem: 'end_before_start' })[n] ?? '')).toBe(
      '終了は開始より後にしてください',
    );
  });
});
