import type { Statement } from 'better-sqlite3';
import type { Db } from '../../common/sqlite.ts';
import type { Clock } from '../../common/time.ts';
import type { CareType } from '../../protocol/settings.ts';
import type { AuditStore } from './audit.ts';

/** The roster as stored: classes in file order, children and guardians by id. */
export interface RosterData {
  classes: { id: string; name: string }[];
  /** `birthDate`: YYYY-MM-DD or null; hub-only (the staffing standard goes by age), never sent to devices. */
  children: {
    id: string;
    name: string;
    kana: string;
    classId: string;
    careType: CareType;
    birthDate: string | null;
  }[];
  guardians: { id: string; name: string; childIds: string[]; credentials: string[] }[];
}

/** A card enrolled at a kiosk (kept apart from the roster file's credentials). */
export interface EnrolledCredential {
  hash: string;
  guardianId: string;
  deviceId: string;
  staffId: string | null;
  enrolledAt: string;
}

export type EnrollOutcome =
  | { ok: true; changed: boolean; rosterVersion: number }
  | { ok: false; code: 'unknown_guardian' | 'credential_in_use'; message: string };

/**
 * Classes, children, guardians and their cards, from the roster file and enrolled at kiosks, with the
 * roster version that every change bumps (kiosks reload on a new version).
 */
export interface RosterStore {
  read(): RosterData;
  /** Cheap enough to poll: another process (roster import) may bump it while the hub runs. */
  rosterVersion(): number;
  /**
   * Replaces the whole roster in one transaction and returns the new roster version. Cards enrolled at a
   * kiosk are kept, except those of guardians the new roster drops and those the new file assigns itself
   * (to anyone: the director's file wins); each removal is audited with the hash, so it can be undone.
   * Cards removed as lost (store.revocations.removeCard) are left out though the file lists them.
   */
  replaceRoster(roster: RosterData): number;
  /**
   * Adds a card (its keyed hash) to a guardian, within the caller's transaction. A card the roster file or
   * an earlier enrolment gives to another guardian is refused; one the guardian has already is a no-op.
   * A change bumps the roster version. Enrolling a removed card takes its removal back.
   */
  enrollCredential(
    guardianId: string,
    hash: string,
    by: { deviceId: string; staffId: string | null },
  ): EnrollOutcome;
  enrolledCredentials(): EnrolledCredential[];
}

export class SqliteRosterStore implements RosterStore {
  private readonly db: Db;
  private readonly clock: Clock;
  /** replaceRoster audits the enrolments it removes, in its own transaction. */
  private readonly audit: AuditStore;
  private readonly versionStmt: Statement<[], { roster_version: number }>;

  constructor(db: Db, clock: Clock, audit: AuditStore) {
    this.db = db;
    this.clock = clock;
    this.audit = audit;
    this.versionStmt = db.prepare('SELECT roster_version FROM meta WHERE id = 1');
  }

  read(): RosterData {
    const db = this.db;
    const classes = db
      .prepare<[], { id: string; name: string }>('SELECT id, name FROM classes ORDER BY position')
      .all();
    const children = db
      .prepare<[], RosterData['children'][number]>(
        `SELECT id, name, kana, class_id AS classId, care_type AS careType, birth_date AS birthDate
           FROM children ORDER BY id`,
      )
      .all();
    const guardians = db
      .prepare<[], { id: string; name: string }>('SELECT id, name FROM guardians ORDER BY id')
      .all()
      .map((g) => ({ ...g, childIds: [] as string[], credentials: [] as string[] }));
    const byId = new Map(guardians.map((g) => [g.id, g]));
    for (const link of db
      .prepare<[], { guardian_id: string; child_id: string }>(
        'SELECT guardian_id, child_id FROM guardian_children ORDER BY guardian_id, child_id',
      )
      .all()) {
      byId.get(link.guardian_id)?.childIds.push(link.child_id);
    }
    // Cards enrolled at a kiosk join the file's; the file wins a card both name (replaceRoster removes such
    // enrolments, the NOT EXISTS keeps the rule even so), and enrolments of guardians not on the roster
    // are left out by the lookup below.
    for (const c of db
      .prepare<[], { guardian_id: string; hash: string }>(
        `SELECT guardian_id, hash FROM credentials
         UNION ALL
         SELECT e.guardian_id, e.hash FROM enrolled_credentials e
          WHERE NOT EXISTS (SELECT 1 FROM credentials c WHERE c.hash = e.hash)
         ORDER BY hash`,
      )
      .all()) {
      byId.get(c.guardian_id)?.credentials.push(c.hash);
    }
    return { classes, children, guardians };
  }

  rosterVersion(): number {
    return this.versionStmt.get()?.roster_version ?? 0;
  }

  replaceRoster(roster: RosterData): number {
    const db = this.db;
    const run = db.transaction(() => {
      db.exec(
        'DELETE FROM credentials; DELETE FROM guardian_children; DELETE FROM guardians; DELETE FROM children; DELETE FROM classes;',
      );
      const insClass = db.prepare('INSERT INTO classes (id, name, position) VALUES (?, ?, ?)');
      roster.classes.forEach((c, i) => insClass.run(c.id, c.name, i));
      const insChild = db.prepare(
        'INSERT INTO children (id, name, kana, class_id, care_type, birth_date) VALUES (?, ?, ?, ?, ?, ?)',
      );
      for (const c of roster.children) insChild.run(c.id, c.name, c.kana, c.classId, c.careType, c.birthDate);
      const insGuardian = db.prepare('INSERT INTO guardians (id, name) VALUES (?, ?)');
      const insLink = db.prepare('INSERT INTO guardian_children (guardian_id, child_id) VALUES (?, ?)');
      // A removed card (edge-hub/store/revocations.ts) stays removed though the file still lists it.
      const insCredential = db.prepare(
        `INSERT INTO credentials (hash, guardian_id) SELECT @hash, @guardianId
          WHERE NOT EXISTS (SELECT 1 FROM removed_cards WHERE hash = @hash)`,
      );
      for (const g of roster.guardians) {
        insGuardian.run(g.id, g.name);
        for (const childId of g.childIds) insLink.run(g.id, childId);
        for (const hash of g.credentials) insCredential.run({ hash, guardianId: g.id });
      }
      const dropped = db
        .prepare<[], { hash: string; guardian_id: string; in_file: number }>(
          `SELECT hash, guardian_id, hash IN (SELECT hash FROM credentials) AS in_file
             FROM enrolled_credentials
            WHERE guardian_id NOT IN (SELECT id FROM guardians) OR hash IN (SELECT hash FROM credentials)
            ORDER BY hash`,
        )
        .all();
      const delEnrolled = db.prepare('DELETE FROM enrolled_credentials WHERE hash = ?');
      for (const d of dropped) {
        delEnrolled.run(d.hash);
        this.audit.append({
          actorKind: 'cli',
          actorId: null,
          action: 'credential.enrollment_removed',
          subject: `guardian:${d.guardian_id}`,
          outcome: 'ok',
          before: { credentialHash: d.hash },
          after: { reason: d.in_file === 1 ? 'card_in_roster_file' : 'guardian_not_on_roster' },
        });
      }
      db.prepare('UPDATE meta SET roster_version = roster_version + 1 WHERE id = 1').run();
      return this.rosterVersion();
    });
    return run.immediate();
  }

  enrollCredential(
    guardianId: string,
    hash: string,
    by: { deviceId: string; staffId: string | null },
  ): EnrollOutcome {
    const db = this.db;
    const guardian = db
      .prepare<[string], { id: string }>('SELECT id FROM guardians WHERE id = ?')
      .get(guardianId);
    if (!guardian) {
      return { ok: false, code: 'unknown_guardian', message: `guardian ${guardianId} is not on the roster` };
    }
    // The file's assignment first: it is what the published roster shows for this card.
    const owner =
      db
        .prepare<[string], { guardian_id: string }>('SELECT guardian_id FROM credentials WHERE hash = ?')
        .get(hash) ??
      db
        .prepare<[string], { guardian_id: string }>(
          `SELECT guardian_id FROM enrolled_credentials
            WHERE hash = ? AND guardian_id IN (SELECT id FROM guardians)`,
        )
        .get(hash);
    if (owner && owner.guardian_id !== guardianId) {
      // The other guardian is not named: the kiosk shows this to whoever holds the card.
      return { ok: false, code: 'credential_in_use', message: 'this card is registered to another guardian' };
    }
    if (owner) return { ok: true, changed: false, rosterVersion: this.rosterVersion() };
    db.prepare(
      `INSERT INTO enrolled_credentials (hash, guardian_id, device_id, staff_id, enrolled_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (hash) DO UPDATE SET guardian_id = excluded.guardian_id, device_id = excluded.device_id,
         staff_id = excluded.staff_id, enrolled_at = excluded.enrolled_at`,
    ).run(hash, guardianId, by.deviceId, by.staffId, this.clock.now().toISOString());
    // Staff enrolling a removed card again (found after all) is what takes the removal back.
    db.prepare('DELETE FROM removed_cards WHERE hash = ?').run(hash);
    db.prepare('UPDATE meta SET roster_version = roster_version + 1 WHERE id = 1').run();
    return { ok: true, changed: true, rosterVersion: this.rosterVersion() };
  }

  enrolledCredentials(): EnrolledCredential[] {
    return this.db
      .prepare<[], EnrolledCredential>(
        `SELECT hash, guardian_id AS guardianId, device_id AS deviceId, staff_id AS staffId,
           enrolled_at AS enrolledAt FROM enrolled_credentials ORDER BY hash`,
      )
      .all();
  }
}
