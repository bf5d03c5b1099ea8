import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { ConflictError, GenkanError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { ImportJob } from '../../protocol/admin.ts';
import { checkMonthsOpen, effectiveDateOf, importRosterAsync, type RosterImportStore } from './roster.ts';
import {
  parseRosterCsv,
  readRosterHeader,
  rosterProblem,
  RosterImportError,
  type ParsedRoster,
  type RosterProblem,
} from './roster-csv.ts';
import { decodeRosterFile } from './roster-file.ts';
import { previewRoster } from './roster-preview.ts';
import type { StoreOf } from '../store/hub-store.ts';

/** Data rows checked per step of the validation; the event loop runs between steps. */
export const VALIDATION_CHUNK_ROWS = 250;
/** Jobs kept for their status page; the oldest finished ones go first. */
const MAX_JOBS = 20;

/** Another real import is running: one at a time, so that the last one wins predictably. */
export class ImportBusyError extends ConflictError {
  constructor() {
    super('import_busy', 'another roster import is running; wait for it to finish');
  }
}

export interface RosterJobsOptions {
  store: RosterImportStore & StoreOf<'audit'>;
  logger: Logger;
  /** Told after a real import wrote a new roster (the hub reloads and republishes it). */
  onImported: () => void;
  chunkRows?: number;
}

const yieldToEventLoop = () =>
  new Promise<void>((resolve) => {
    setImmediate(resolve);
  });

/** The file split into CSV records with their lines, the way parseRosterCsv numbers them. */
interface Split {
  lines: string[];
  /** Per record: first and last line (1-based), whether it is blank, and its fields. */
  records: { start: number; end: number; blank: boolean; fields: string[] }[];
}

function split(text: string): Split | undefined {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const ends: number[] = [];
  let fields: string[][];
  try {
    fields = parse(normalized, {
      relax_column_count: true,
      trim: true,
      skip_empty_lines: false,
      on_record: (record, context) => {
        ends.push(context.lines);
        return record;
      },
    });
  } catch {
    return undefined; // unreadable: the full check reports where
  }
  let start = 1;
  const records = fields.map((f, i) => {
    const end = ends[i] ?? start;
    const r = { start, end, blank: f.every((v) => v === ''), fields: f };
    start = end + 1;
    return r;
  });
  return { lines: normalized.split('\n'), records };
}

/**
 * Roster imports from the admin app, as background jobs with progress. The file is checked in chunks of
 * rows (each with parseRosterCsv, padded so that its line numbers are the file's) with the event loop
 * running in between, then once as a whole for what spans chunks (a child or card on two distant lines).
 * A real import then writes with importRosterAsync (cards hashed off the event loop): one transaction, all
 * or nothing.
 */
export class RosterJobs {
  private readonly jobs = new Map<string, ImportJob>();
  private readonly options: RosterJobsOptions;
  private importing = false;

  constructor(options: RosterJobsOptions) {
    this.options = options;
  }

  get(jobId: string): ImportJob | undefined {
    const job = this.jobs.get(jobId);
    return job && structuredClone(job);
  }

  /**
   * Starts a job and returns its id at once; `done` settles when it has finished (for tests). The roster
   * takes effect from `effective` (YYYY-MM-DD; default as `genkan roster import`): a bad date or one in a
   * closed month is refused here, before any job starts. `file`: CSV text, or the file's bytes (UTF-8,
   * Shift_JIS or XLSX; see decodeRosterFile), whose encoding refusal fails the job like a bad file.
   */
  start(
    file: string | Uint8Array,
    dryRun: boolean,
    staffId: string,
    effective?: string,
  ): { jobId: string; done: Promise<void> } {
    if (!dryRun && this.importing) throw new ImportBusyError();
    const effectiveFrom = effectiveDateOf(this.options.store, effective);
    checkMonthsOpen(this.options.store, effectiveFrom);
    const jobId = randomUUID();
    const job: ImportJob = { jobId, dryRun, state: 'validating', processed: 0, total: 0, problems: [] };
    this.jobs.set(jobId, job);
    this.evict();
    if (!dryRun) this.importing = true;
    const done = this.run(job, file, staffId, effectiveFrom)
      .catch((err: unknown) => {
        this.options.logger.error({ err, jobId }, 'roster import job failed');
        job.state = 'failed';
        if (job.problems.length === 0) job.problems = [rosterProblem(1, 'internal', {}, 'internal error')];
      })
      .finally(() => {
        if (!dryRun) this.importing = false;
      });
    return { jobId, done };
  }

  private async run(
    job: ImportJob,
    file: string | Uint8Array,
    staffId: string,
    effectiveFrom: string,
  ): Promise<void> {
    const { store, logger } = this.options;
    let csv: string;
    if (typeof file === 'string') csv = file;
    else {
      const decoded = await decodeRosterFile(file);
      if (!decoded.ok) {
        const { reason, assumed } = decoded.refusal;
        job.problems = [rosterProblem(1, 'roster_encoding', { reason, assumed }, decoded.refusal.message)];
        job.state = 'failed';
        if (!job.dryRun) {
          this.audit(staffId, decoded.refusal.code, { problems: 1, effectiveFrom });
        }
        return;
      }
      csv = decoded.text;
    }
    const chunkRows = this.options.chunkRows ?? VALIDATION_CHUNK_ROWS;
    const problems: RosterProblem[] = [];
    const s = split(csv);
    const headerIndex = s?.records.findIndex((r) => !r.blank) ?? -1;
    const header = s && headerIndex >= 0 ? s.records[headerIndex] : undefined;
    const headerOk = header !== undefined && readRosterHeader(header.fields).ok;
    if (s && header && headerOk) {
      const rows = s.records.slice(headerIndex + 1).filter((r) => !r.blank);
      job.total = rows.length;
      const prefix = s.lines.slice(0, header.end).join('\n');
      for (let i = 0; i < rows.length; i += chunkRows) {
        const chunk = rows.slice(i, i + chunkRows);
        const first = chunk[0];
        const last = chunk[chunk.length - 1];
        if (!first || !last) break;
        // Blank lines keep the chunk's line numbers those of the file (parseRosterCsv skips them).
        const text = `${prefix}\n${'\n'.repeat(first.start - header.end - 1)}${s.lines
          .slice(first.start - 1, last.end)
          .join('\n')}`;
        try {
          parseRosterCsv(text);
        } catch (err) {
          if (!(err instanceof RosterImportError)) throw err;
          problems.push(...err.problems);
          job.problems = [...problems];
        }
        job.processed = i + chunk.length;
        await yieldToEventLoop();
      }
    }
    // The whole file once more: problems across chunks, and a file the chunks could not read.
    let parsed: ParsedRoster | undefined;
    try {
      parsed = parseRosterCsv(csv);
    } catch (err) {
      if (!(err instanceof RosterImportError)) throw err;
      job.problems = [...err.problems];
    }
    if (!parsed) {
      job.state = 'failed';
      if (!job.dryRun) {
        this.audit(staffId, 'roster_invalid', { problems: job.problems.length, effectiveFrom });
      }
      return;
    }
    job.processed = job.total;
    job.preview = previewRoster(store, parsed, effectiveFrom);
    if (job.dryRun) {
      job.state = 'done';
      return;
    }
    job.state = 'importing';
    await yieldToEventLoop();
    try {
      const summary = await importRosterAsync(store, csv, effectiveFrom);
      job.summary = summary;
      job.state = 'done';
      this.audit(staffId, 'ok', {
        ...summary.imported,
        version: summary.version,
        effectiveFrom: summary.effectiveFrom,
        snapshotVersions: summary.snapshotVersions,
        childrenAdded: job.preview.childrenAdded,
        childrenRemoved: job.preview.childrenRemoved,
      });
      logger.info(
        { version: summary.version, children: summary.imported.children, effectiveFrom },
        'roster imported',
      );
    } catch (err) {
      if (!(err instanceof GenkanError)) throw err;
      // A month closed since the job started (month_closed) fails the job like a bad file.
      job.problems =
        err instanceof RosterImportError
          ? [...err.problems]
          : [{ line: 1, code: err.code, params: err.params ?? {}, reason: err.message }];
      job.state = 'failed';
      this.audit(staffId, err.code, { problems: job.problems.length, effectiveFrom });
      return;
    }
    this.options.onImported();
  }

  private audit(staffId: string, outcome: string, after: Record<string, unknown>): void {
    this.options.store.audit.append({
      actorKind: 'staff',
      actorId: staffId,
      action: 'roster.import',
      subject: 'roster',
      outcome,
      after,
    });
  }

  private evict(): void {
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= MAX_JOBS) return;
      if (job.state === 'done' || job.state === 'failed') this.jobs.delete(id);
    }
  }
}
