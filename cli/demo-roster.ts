import { prng } from '../common/random.ts';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';

/**
 * Deterministic demo data: about 100 children in six classes (0–5 years) with Japanese names and kana,
 * guardians with one to three children (siblings in different classes), each guardian with a FeliCa-like
 * card. Seeded, so every `genkan demo` on any machine produces the same roster.
 */
const SURNAMES: readonly (readonly [string, string])[] = [
  ['佐藤', 'さとう'],
  ['鈴木', 'すずき'],
  ['高橋', 'たかはし'],
  ['田中', 'たなか'],
  ['伊藤', 'いとう'],
  ['渡辺', 'わたなべ'],
  ['山本', 'やまもと'],
  ['中村', 'なかむら'],
  ['小林', 'こばやし'],
  ['加藤', 'かとう'],
  ['吉田', 'よしだ'],
  ['山田', 'やまだ'],
  ['佐々木', 'ささき'],
  ['山口', 'やまぐち'],
  ['松本', 'まつもと'],
  ['井上', 'いのうえ'],
  ['木村', 'きむら'],
  ['林', 'はやし'],
  ['斎藤', 'さいとう'],
  ['清水', 'しみず'],
  ['山崎', 'やまざき'],
  ['森', 'もり'],
  ['池田', 'いけだ'],
  ['橋本', 'はしもと'],
  ['阿部', 'あべ'],
  ['石川', 'いしかわ'],
  ['山下', 'やました'],
  ['中島', 'なかじま'],
  ['石井', 'いしい'],
  ['小川', 'おがわ'],
  ['前田', 'まえだ'],
  ['岡田', 'おかだ'],
  ['長谷川', 'はせがわ'],
  ['藤田', 'ふじた'],
  ['後藤', 'ごとう'],
  ['近藤', 'こんどう'],
  ['村上', 'むらかみ'],
  ['遠藤', 'えんどう'],
  ['青木', 'あおき'],
  ['坂本', 'さかもと'],
];
const CHILD_NAMES: readonly (readonly [string, string])[] = [
  ['陽翔', 'はると'],
  ['蓮', 'れん'],
  ['湊', 'みなと'],
  ['蒼', 'あおい'],
  ['樹', 'いつき'],
  ['悠真', 'ゆうま'],
  ['大和', 'やまと'],
  ['陽向', 'ひなた'],
  ['律', 'りつ'],
  ['朝陽', 'あさひ'],
  ['颯', 'はやて'],
  ['悠人', 'ゆうと'],
  ['結翔', 'ゆいと'],
  ['新', 'あらた'],
  ['碧', 'あお'],
  ['陽葵', 'ひまり'],
  ['凛', 'りん'],
  ['結菜', 'ゆいな'],
  ['葵', 'あおい'],
  ['紬', 'つむぎ'],
  ['芽依', 'めい'],
  ['澪', 'みお'],
  ['結愛', 'ゆあ'],
  ['さくら', 'さくら'],
  ['心春', 'こはる'],
  ['莉子', 'りこ'],
  ['美桜', 'みお'],
  ['杏', 'あん'],
  ['花', 'はな'],
  ['湊斗', 'みなと'],
];
const GUARDIAN_NAMES: readonly string[] = [
  '健太',
  '大輔',
  '翔太',
  '拓也',
  '直樹',
  '美穂',
  '愛',
  '恵',
  '陽子',
  '麻衣',
  '由美',
  '裕子',
  '誠',
  '智子',
];
/** Class per age 0–5, with the sizes a typical 100-child nursery has. */
/** `age`: the class age (age on April 1 of the fiscal year) its children are born for. */
export const DEMO_CLASSES: readonly { id: string; name: string; size: number; age: number }[] = [
  { id: 'hiyoko', name: 'ひよこ組（0歳）', size: 9, age: 0 },
  { id: 'risu', name: 'りす組（1歳）', size: 13, age: 1 },
  { id: 'usagi', name: 'うさぎ組（2歳）', size: 16, age: 2 },
  { id: 'panda', name: 'ぱんだ組（3歳）', size: 20, age: 3 },
  { id: 'kirin', name: 'きりん組（4歳）', size: 21, age: 4 },
  { id: 'zou', name: 'ぞう組（5歳）', size: 21, age: 5 },
];

export interface DemoGuardian {
  id: string;
  name: string;
  cards: string[];
  children: { id: string; name: string; classId: string }[];
}

function pick<T>(rand: () => number, list: readonly T[]): T {
  const item = list[Math.floor(rand() * list.length)];
  if (item === undefined) throw new Error('empty list');
  return item;
}

export function demoGuardians(seed = 20260401): DemoGuardian[] {
  const rand = prng(seed);
  const hex = (bytes: number) =>
    Array.from({ length: bytes }, () =>
      Math.floor(rand() * 256)
        .toString(16)
        .padStart(2, '0'),
    ).join('');
  const guardians: DemoGuardian[] = [];
  let childNo = 0;
  // Slots per class; siblings take one slot in each of two (or three) classes.
  const open = DEMO_CLASSES.map((c) => ({ ...c, left: c.size }));
  const takeSlot = (classIndex: number) => {
    const c = open[classIndex];
    if (!c || c.left === 0) return undefined;
    c.left--;
    return c;
  };
  let surnameIndex = 0;
  while (open.some((c) => c.left > 0)) {
    const surname = SURNAMES[surnameIndex % SURNAMES.length] ?? ['山田', 'やまだ'];
    surnameIndex++;
    const gid = `g${String(guardians.length + 1).padStart(3, '0')}`;
    // About one family in seven has two children, one in twenty has three.
    const r = rand();
    const siblings = r < 0.05 ? 3 : r < 0.2 ? 2 : 1;
    const candidates = open.map((c, i) => ({ c, i })).filter(({ c }) => c.left > 0);
    const chosen: number[] = [];
    for (let k = 0; k < siblings && candidates.length > 0; k++) {
      const idx = Math.floor(rand() * candidates.length);
      const [taken] = candidates.splice(idx, 1);
      if (taken) chosen.push(taken.i);
    }
    const children: DemoGuardian['children'] = [];
    for (const classIndex of chosen.sort((a, b) => a - b)) {
      const cls = takeSlot(classIndex);
      if (!cls) continue;
      // Siblings never share a given name.
      let given = pick(rand, CHILD_NAMES)[0];
      while (children.some((c) => c.name.endsWith(` ${given}`))) given = pick(rand, CHILD_NAMES)[0];
      childNo++;
      children.push({
        id: `c${String(childNo).padStart(3, '0')}`,
        name: `${surname[0]} ${given}`,
        classId: cls.id,
      });
    }
    const cards = [hex(8)];
    if (rand() < 0.1) cards.push(hex(7)); // a second card, e.g. the other parent's MIFARE
    guardians.push({ id: gid, name: `${surname[0]} ${pick(rand, GUARDIAN_NAMES)}`, cards, children });
  }
  return guardians;
}

function kanaOf(name: string): string {
  const [surname, given] = name.split(' ');
  const s = SURNAMES.find(([k]) => k === surname)?.[1] ?? '';
  const g = CHILD_NAMES.find(([k]) => k === given)?.[1] ?? '';
  return `${s} ${g}`;
}

/**
 * A birth date that puts a child in its class's age group in `fiscalYear` (April–March): between April 2
 * of (fiscalYear − age − 1) and April 1 of (fiscalYear − age), spread by the child's number.
 */
function birthDateOf(childId: string, age: number, fiscalYear: number): string {
  const first = Date.UTC(fiscalYear - age - 1, 3, 2);
  const offset = (Number(childId.replace(/\D/g, '')) * 37) % 365;
  return new Date(first + offset * 86_400_000).toISOString().slice(0, 10);
}

/** The roster CSV (the format of `genkan roster import`), with birth dates for the classes' ages in `fiscalYear`. */
export function demoRosterCsv(guardians: readonly DemoGuardian[], fiscalYear: number): string {
  const rows = [`${ROSTER_HEADER},birth_date`];
  const ageOf = new Map(DEMO_CLASSES.map((c) => [c.id, c.age]));
  const byClass = new Map(DEMO_CLASSES.map((c) => [c.id, c.name]));
  const classOrder = (id: string) => DEMO_CLASSES.findIndex((c) => c.id === id);
  // Classes appear in age order (the hub keeps the roster's class order), children by id within a class.
  const entries = guardians
    .flatMap((g) => g.children.map((child) => ({ g, child })))
    .sort(
      (a, b) =>
        classOrder(a.child.classId) - classOrder(b.child.classId) || a.child.id.localeCompare(b.child.id),
    );
  for (const { g, child } of entries) {
    const cells = [child.classId, byClass.get(child.classId) ?? '', child.id, child.name, kanaOf(child.name)];
    const birthDate = birthDateOf(child.id, ageOf.get(child.classId) ?? 0, fiscalYear);
    rows.push([...cells, g.id, g.name, g.cards.join(';'), birthDate].join(','));
  }
  return `${rows.join('\n')}\n`;
}

/** Entries for the simulated reader (`--reader sim:FILE`): one per guardian card. */
export function demoSimCards(guardians: readonly DemoGuardian[]): { label: string; credential: string }[] {
  return guardians.map((g) => ({
    label: `${g.name}（${g.children.map((c) => c.name.split(' ')[1] ?? '').join('・')}）`,
    credential: `card:${g.cards[0] ?? ''}`,
  }));
}
