import { describe, expect, it } from 'vitest';
import { BEGINNING_OF_TIME, credentialHash, credentialLookupHashSync } from '../../protocol/index.ts';
import {
  importRoster,
  parseRosterCsv,
  RosterImportError,
  rosterMessage,
  type RosterProblem,
} from './roster.ts';
import type { HubStore } from '../store/hub-store.ts';
import { ROSTER_HEADER, TEST_ROSTER, useTempHubStore } from '../../test/support/hub.ts';

function problemsOf(csv: string): RosterProblem[] {
  try {
    parseRosterCsv(csv);
  } catch (err) {
    if (err instanceof RosterImportError) return [...err.problems];
    throw err;
  }
  throw new Error('expected the roster to be refused');
}

const file = (...rows: string[]) => [ROSTER_HEADER, ...rows].join('\n');

describe('parseRosterCsv', () => {
  it('reads classes in file order, children, guardians with several children and cards', () => {
    const r = parseRosterCsv(TEST_ROSTER);
    expect(r.classes).toEqual([
      { id: 'k1', name: 'ひよこ組' },
      { id: 'k2', name: 'りす組' },
    ]);
    expect(r.children.map((c) => c.id)).toEqual(['c001', 'c002', 'c003', 'c004']);
    expect(r.children[0]).toEqual({
      id: 'c001',
      name: '山田 太郎',
      kana: 'やまだ たろう',
      classId: 'k1',
      careType: 'standard',
      enrolledOn: null,
      leftOn: null,
      birthDate: null,
    });
    expect(r.guardians[0]).toEqual({
      id: 'g001',
      name: '山田 花子',
      childIds: ['c001', 'c002'],
      cardUids: ['04a23b4c'],
    });
    expect(r.guardians[2]).toEqual({ id: 'g003', name: '鈴木 三', childIds: ['c004'], cardUids: [] });
  });

  it('strips a BOM, reads CRLF, quoted fields with commas and quotes, several cards, blank lines', () => {
    const csv =
      '\uFEFF' +
      [
        ROSTER_HEADER,
        'k1,"Class, one",c1,"Taro ""T"" Yamada",たろう,g1,Hanako,"04:A2:3B:4C; 0102-0304 ;"',
        '',
        'k1,"Class, one",c2,Jiro,じろう,,,',
      ].join('\r\n') +
      '\r\n';
    const r = parseRosterCsv(csv);
    expect(r.classes).toEqual([{ id: 'k1', name: 'Class, one' }]);
    expect(r.children.map((c) => c.name)).toEqual(['Taro "T" Yamada', 'Jiro']);
    expect(r.guardians).toEqual([
      { id: 'g1', name: 'Hanako', childIds: ['c1'], cardUids: ['04a23b4c', '01020304'] },
    ]);
  });

  it('lets a child have several guardians and a guardian list a card on each row', () => {
    const r = parseRosterCsv(file('k1,A,c1,X,x,g1,G1,0a0b', 'k1,A,c1,X,x,g2,G2,', 'k1,A,c2,Y,y,g1,G1,0A0B'));
    expect(r.guardians).toEqual([
      { id: 'g1', name: 'G1', childIds: ['c1', 'c2'], cardUids: ['0a0b'] },
      { id: 'g2', name: 'G2', childIds: ['c1'], cardUids: [] },
    ]);
  });

  it('reads the optional care_type column (empty means standard)', () => {
    const csv = [
      `${ROSTER_HEADER},care_type`,
      'k1,ひよこ組,c001,山田 太郎,やまだ たろう,g001,山田 花子,,short',
      'k1,ひよこ組,c002,山田 次郎,やまだ じろう,g001,山田 花子,,',
      'k1,ひよこ組,c003,佐藤 一,さとう はじめ,g002,佐藤 二,,standard',
    ].join('\n');
    expect(parseRosterCsv(csv).children.map((c) => [c.id, c.careType])).toEqual([
      ['c001', 'short'],
      ['c002', 'standard'],
      ['c003', 'standard'],
    ]);
    expect(
      problemsOf(
        [
          `${ROSTER_HEADER},care_type`,
          'k1,ひよこ組,c001,山田 太郎,やまだ たろう,g001,山田 花子,,long',
          'k1,ひよこ組,c002,山田 次郎,やまだ じろう,g001,山田 花子,,short',
          'k1,ひよこ組,c002,山田 次郎,やまだ じろう,g002,佐藤 二,,standard',
          'k1,ひよこ組,c003,佐藤 一,さとう はじめ,g002,佐藤 二,',
        ].join('\n'),
      ),
    ).toEqual([
      {
        line: 2,
        code: 'bad_care_type',
        params: { column: 'care_type', value: 'long' },
        reason: 'care_type must be standard or short (or empty for standard)',
      },
      {
        line: 4,
        code: 'care_type_differs',
        params: { childId: 'c002', careType: 'standard', otherCareType: 'short', otherLine: 3 },
        reason: 'child c002 has care_type standard here but short on line 3',
      },
      {
        line: 5,
        code: 'columns_count',
        params: { expected: 9, found: 8 },
        reason: 'expected 9 columns, found 8',
      },
    ]);
  });

  it('refuses a wrong header', () => {
    expect(problemsOf('class,child\nk1,c1\n')).toEqual([
      {
        line: 1,
        code: 'bad_header',
        params: { expected: ROSTER_HEADER, optional: 'care_type, enrolled_on, left_on, birth_date' },
        reason: expect.stringMatching(/header/) as string,
      },
    ]);
    expect(problemsOf(`${ROSTER_HEADER},extra\n`)[0]).toMatchObject({
      line: 1,
      code: 'unknown_column',
      params: { column: 'extra' },
    });
  });

  it('refuses an empty file and a file with no rows', () => {
    expect(problemsOf('')[0]).toMatchObject({ line: 1, code: 'empty_file', reason: 'the file is empty' });
    expect(problemsOf(`${ROSTER_HEADER}\n`)[0]).toMatchObject({
      code: 'no_children',
      reason: expect.stringMatching(/no children/) as string,
    });
  });

  it('reports every bad row with its line number and reason', () => {
    const problems = problemsOf(
      file(
        'k1,A,c1,X,x,g1,G,zz', // 2: bad hex
        'k 1,A,c2,X,x,g1,G,', // 3: bad class id
        'k1,,c3,X,x,g1,G,', // 4: empty class name
        'k1,A,c4,,x,g1,G,', // 5: empty child name
        'k1,A,c5,X,x,g/1,G,', // 6: bad guardian id
        'k1,A,c6,X,x,g9,,', // 7: guardian without name
        'k1,A,c7,X,x', // 8: missing columns
        'k1,A,c8,X,,g1,G,', // 9: empty kana
      ),
    );
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(problems.map((p) => [p.code, p.params])).toEqual([
      ['bad_card', { column: 'card_uid', entry: 1 }],
      ['bad_id', { column: 'class_id', value: 'k 1' }],
      ['empty_field', { column: 'class_name' }],
      ['empty_field', { column: 'child_name' }],
      ['bad_id', { column: 'guardian_id', value: 'g/1' }],
      ['empty_field', { column: 'guardian_name' }],
      ['columns_count', { expected: 8, found: 5 }],
      ['empty_field', { column: 'child_kana' }],
    ]);
    expect(problems[0]?.reason).toMatch(/card_uid entry 1/);
    expect(problems[1]?.reason).toMatch(/class_id/);
    expect(problems[2]?.reason).toMatch(/class_name is empty/);
    expect(problems[3]?.reason).toMatch(/child_name is empty/);
    expect(problems[4]?.reason).toMatch(/guardian_id/);
    expect(problems[5]?.reason).toMatch(/guardian_name is empty/);
    expect(problems[6]?.reason).toMatch(/expected 8 columns, found 5/);
    expect(problems[7]?.reason).toMatch(/child_kana is empty/);
  });

  it('does not echo card numbers in its messages', () => {
    const problems = problemsOf(
      file('k1,A,c1,X,x,g1,G,12345', 'k1,A,c2,X,x,g2,H,0a0b', 'k1,A,c3,X,x,g3,I,0a0b'),
    );
    expect(JSON.stringify(problems)).not.toMatch(/12345|0a0b/);
  });

  it('refuses inconsistent rows, naming the earlier line', () => {
    const problems = problemsOf(
      file(
        'k1,A,c1,X,x,g1,G,0a0b', // 2
        'k1,B,c2,Y,y,g1,G,', // 3: class renamed
        'k2,C,c1,X,x,g1,G,', // 4: child in two classes
        'k1,A,c1,Z,x,g1,G,', // 5: child with two names
        'k1,A,c3,W,w,g1,Other,', // 6: guardian with two names
        'k1,A,c4,V,v,g2,H,0A:0B', // 7: card of another guardian
      ),
    );
    expect(problems).toEqual([
      {
        line: 3,
        code: 'class_renamed',
        params: { classId: 'k1', name: 'B', otherName: 'A', otherLine: 2 },
        reason: 'class k1 is named "B" here but "A" on line 2',
      },
      {
        line: 4,
        code: 'child_moved',
        params: { childId: 'c1', classId: 'k2', otherClassId: 'k1', otherLine: 2 },
        reason: 'child c1 is in class k2 here but in class k1 on line 2',
      },
      {
        line: 5,
        code: 'child_renamed',
        params: { childId: 'c1', otherLine: 2 },
        reason: 'child c1 has a different name or kana than on line 2',
      },
      {
        line: 6,
        code: 'guardian_renamed',
        params: { guardianId: 'g1', otherLine: 2 },
        reason: 'guardian g1 has a different name than on line 2',
      },
      {
        line: 7,
        code: 'card_in_use',
        params: { column: 'card_uid', guardianId: 'g1', otherLine: 2 },
        reason: 'a card in card_uid is already used by guardian g1 (line 2)',
      },
    ]);
  });

  it('still checks the valid fields of a row that has a bad one', () => {
    expect(
      problemsOf(file('k1,A,c1,X,x,g1,G,zz', 'k1,B,c2,Y,y,g1,H,')).map(({ line, code, reason }) => ({
        line,
        code,
        reason,
      })),
    ).toEqual([
      {
        line: 2,
        code: 'bad_card',
        reason: 'card_uid entry 1 is not a card UID (even number of 4–64 hex digits)',
      },
      { line: 3, code: 'class_renamed', reason: 'class k1 is named "B" here but "A" on line 2' },
      { line: 3, code: 'guardian_renamed', reason: 'guardian g1 has a different name than on line 2' },
    ]);
  });

  it('counts lines across quoted line breaks and blank lines', () => {
    const csv = [ROSTER_HEADER, 'k1,"A\r\nB",c1,X,x,,,', '', 'k1,"A\r\nB",c2,X,x,g1,G,nothex'].join('\r\n');
    const lineBreak = 'class_name contains a control character or line break (U+000A at position 2)';
    expect(problemsOf(csv)).toEqual([
      { line: 2, code: 'bad_text', params: { column: 'class_name', position: 2 }, reason: lineBreak },
      { line: 5, code: 'bad_text', params: { column: 'class_name', position: 2 }, reason: lineBreak },
      {
        line: 5,
        code: 'bad_card',
        params: { column: 'card_uid', entry: 1 },
        reason: 'card_uid entry 1 is not a card UID (even number of 4–64 hex digits)',
      },
    ]);
  });

  it('reports a file that is not CSV', () => {
    const problems = problemsOf(file('k1,"A,c1,X,x,,,'));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.code).toBe('not_csv');
    expect(problems[0]?.reason).toMatch(/not readable as CSV/);
  });
});

describe('importRoster', () => {
  let store: HubStore;
  useTempHubStore((opened) => {
    store = opened;
  });

  it('stores the roster with keyed card hashes and bumps the version', () => {
    const summary = importRoster(store, TEST_ROSTER);
    // A hub's first roster holds for all of its past.
    expect(summary).toEqual({
      imported: { classes: 2, children: 4, guardians: 3, credentials: 2 },
      version: 1,
      effectiveFrom: BEGINNING_OF_TIME,
      snapshotVersions: [2],
    });
    const roster = store.roster.read();
    const meta = store.facility.meta();
    // The slow hash (scrypt over the HMAC), as kiosks compute it from the roster's scheme.
    const hash = credentialLookupHashSync(meta, { kind: 'card', value: '04a23b4c' });
    expect(hash).not.toBe(credentialHash(meta.credentialKey, { kind: 'card', value: '04a23b4c' }));
    expect(roster.guardians.find((g) => g.id === 'g001')?.credentials).toEqual([hash]);
    expect(rosterMessage('f1', meta, roster).cardHash).toEqual(meta.cardHash);
    // no clear card number anywhere in the database
    const dump = JSON.stringify(store.db.prepare('SELECT * FROM credentials').all());
    expect(dump).not.toMatch(/04a23b4c/i);
    expect(store.roster.rosterVersion()).toBe(1);
  });

  it('replaces the roster as a whole; events of removed children stay', () => {
    importRoster(store, TEST_ROSTER);
    store.events.insertEvents([
      {
        id: '0190a0b0-0000-7000-8000-000000000001',
        type: 'check_in',
        childId: 'c004',
        occurredAt: '2026-04-01T08:00:00+09:00',
        deviceId: 'kiosk-1',
        seq: 1,
        method: 'staff',
        actor: null,
      },
    ]);
    const summary = importRoster(store, file('k9,New,c001,山田 太郎,やまだ たろう,g001,山田 花子,'));
    expect(summary).toEqual({
      imported: { classes: 1, children: 1, guardians: 1, credentials: 0 },
      version: 2,
      effectiveFrom: store.history.today(),
      snapshotVersions: [3],
    });
    const roster = store.roster.read();
    expect(roster.classes).toEqual([{ id: 'k9', name: 'New' }]);
    expect(roster.children.map((c) => c.id)).toEqual(['c001']);
    expect(store.events.countEvents()).toBe(1);
  });

  it('imports nothing when any row is bad', () => {
    importRoster(store, TEST_ROSTER);
    const before = store.roster.read();
    expect(() => importRoster(store, file('k1,A,c1,X,x,g1,G,', 'k1,A,c2,X,x,g1,G,xyz'))).toThrow(
      RosterImportError,
    );
    expect(store.roster.read()).toEqual(before);
    expect(store.roster.rosterVersion()).toBe(1);
  });
});
