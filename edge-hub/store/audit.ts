import type { Db } from '../../common/sqlite.ts';
import type { Clock } from '../../common/time.ts';

/** Who acted: a device, a staff member, the CLI on the hub's machine, or the admin API's token. */
export type AuditActorKind = 'device' | 'staff' | 'cli' | 'api';

/** One row of the audit log. Never card ids or names; a credential hash only where it is needed. */
export interface AuditEntry {
  actorKind: AuditActorKind;
  /** Device id, staff id, or null (the CLI, or staff known only by the kiosk PIN). */
  actorId: string | null;
  /** What happened, e.g. `credential.enroll`, `device.pair`. */
  action: string;
  /** What it happened to, e.g. `guardian:g001`, `device:kiosk-1`. */
  subject: string | null;
  /** The device through which it happened, when there was one. */
  deviceId?: string | null;
  /** `ok`, or the error code of a refusal. */
  outcome: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditRecord extends Required<AuditEntry> {
  id: number;
  at: string;
}

/** The audit log (table audit_log): appended to, never changed; only the retention job deletes. */
export interface AuditStore {
  /** Appends to the audit log (within the caller's transaction when there is one). */
  append(entry: AuditEntry): void;
  /** The whole audit log, oldest first (tests, export). */
  all(): AuditRecord[];
  /** Up to `limit` audit entries with an id below `before` (all when undefined), newest first. */
  page(before: number | undefined, limit: number): AuditRecord[];
  /** The entries about `subject` (e.g. `child:c001`), oldest first: a disclosure request. */
  about(subject: string): AuditRecord[];
  /** Deletes the entries made before `instant` (retention), within the caller's transaction. */
  deleteBefore(instant: Date): number;
}

interface AuditRow {
  id: number;
  at: string;
  actor_kind: AuditActorKind;
  actor_id: string | null;
  action: string;
  subject: string | null;
  device_id: string | null;
  outcome: string;
  before_json: string | null;
  after_json: string | null;
}

function auditRecord(r: AuditRow): AuditRecord {
  const parse = (v: string | null): unknown => (v === null ? null : JSON.parse(v));
  return {
    id: r.id,
    at: r.at,
    actorKind: r.actor_kind,
    actorId: r.actor_id,
    action: r.action,
    subject: r.subject,
    deviceId: r.device_id,
    outcome: r.outcome,
    before: parse(r.before_json),
    after: parse(r.after_json),
  };
}

export class SqliteAuditStore implements AuditStore {
  private readonly db: Db;
  private readonly clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.db = db;
    this.clock = clock;
  }

  append(entry: AuditEntry): void {
    const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
    this.db
      .prepare(
        `INSERT INTO audit_log (at, actor_kind, actor_id, action, subject, device_id, outcome, before_json,
           after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        this.clock.now().toISOString(),
        entry.actorKind,
        entry.actorId,
        entry.action,
        entry.subject,
        entry.deviceId ?? null,
        entry.outcome,
        json(entry.before),
        json(entry.after),
      );
  }

  all(): AuditRecord[] {
    return this.db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY id').all().map(auditRecord);
  }

  page(before: number | undefined, limit: number): AuditRecord[] {
    return this.db
      .prepare<[number, number], AuditRow>('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?')
      .all(before ?? Number.MAX_SAFE_INTEGER, limit)
      .map(auditRecord);
  }

  about(subject: string): AuditRecord[] {
    return this.db
      .prepare<[string], AuditRow>('SELECT * FROM audit_log WHERE subject = ? ORDER BY id')
      .all(subject)
      .map(auditRecord);
  }

  deleteBefore(instant: Date): number {
    // `at` is always toISOString() (UTC, fixed width), so text order is time order.
    return this.db.prepare('DELETE FROM audit_log WHERE at < ?').run(instant.toISOString()).changes;
  }
}
