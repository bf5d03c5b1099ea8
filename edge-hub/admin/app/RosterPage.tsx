import { useEffect, useRef, useState } from 'react';
import { ADMIN_TEST_IDS, type AdminRoster, type ImportJob } from '../../../protocol/admin.ts';
import { getImport, getRoster, startImport } from './api.ts';
import type { PageProps } from './App.tsx';
import { ImportPreview } from './ImportPreview.tsx';
import { todayIso } from './logic.ts';
import { RosterView } from './RosterView.tsx';

/** How often a running import's progress is asked for. */
const POLL_MS = 200;

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The file's bytes with a type the hub takes: browsers label a .csv as text/csv, or (with Excel installed
 * on Windows) application/vnd.ms-excel; the hub tells the encoding and the format from the bytes.
 */
function rosterUpload(file: File): Blob {
  const type = file.type === 'text/csv' || file.type === XLSX_TYPE ? file.type : 'application/octet-stream';
  return file.slice(0, file.size, type);
}

export function RosterPage({ m, onFailure }: PageProps) {
  const [csv, setCsv] = useState<Blob | null>(null);
  /** The day the roster takes effect from; the check and the import use the same. */
  const [effective, setEffective] = useState(() => todayIso());
  const [check, setCheck] = useState<ImportJob | null>(null);
  const [run, setRun] = useState<ImportJob | null>(null);
  const [roster, setRoster] = useState<AdminRoster | null>(null);
  const alive = useRef(true);

  /** Bumped to read the roster again (after an import). */
  const [rosterTick, setRosterTick] = useState(0);

  useEffect(() => {
    alive.current = true;
    void getRoster().then((r) => {
      if (!alive.current) return;
      if (r.ok) setRoster(r.value);
      else onFailure(r.failure);
    });
    return () => {
      alive.current = false;
    };
  }, [onFailure, rosterTick]);

  /** Starts a job and follows it until it ends, showing each step. */
  const follow = async (text: Blob, dryRun: boolean, show: (job: ImportJob) => void): Promise<void> => {
    const started = await startImport(text, dryRun, effective);
    if (!started.ok) {
      onFailure(started.failure);
      return;
    }
    for (;;) {
      const r = await getImport(started.value.jobId);
      if (!alive.current) return;
      if (!r.ok) {
        onFailure(r.failure);
        return;
      }
      show(r.value);
      if (r.value.state === 'done' || r.value.state === 'failed') return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };

  const onFile = (file: File | undefined): void => {
    setCheck(null);
    setRun(null);
    setCsv(null);
    if (!file) return;
    setCsv(rosterUpload(file));
  };

  const r = m.roster;
  const job = run ?? check;
  const problems = job?.problems ?? [];
  const canImport = csv !== null && check?.state === 'done' && run === null;
  const busy = job !== null && (job.state === 'validating' || job.state === 'importing');

  return (
    <>
      <section className="card">
        <h2>{r.importTitle}</h2>
        <p className="help">{r.importHelp}</p>
        <p className="help">{r.effectiveHelp}</p>
        <div className="row">
          <label>
            {r.file}{' '}
            <input
              type="file"
              accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              data-testid={ADMIN_TEST_IDS.rosterFile}
              onChange={(e) => {
                onFile(e.target.files?.[0]);
              }}
            />
          </label>
          <label>
            {r.effective}{' '}
            <input
              type="date"
              required
              value={effective}
              data-testid={ADMIN_TEST_IDS.rosterEffective}
              onChange={(e) => {
                // Another day is another comparison: check again before importing.
                setCheck(null);
                setRun(null);
                setEffective(e.currentTarget.value);
              }}
            />
          </label>
          <button
            type="button"
            data-testid={ADMIN_TEST_IDS.rosterDryRun}
            disabled={csv === null || effective === '' || busy}
            onClick={() => {
              if (csv === null) return;
              setRun(null);
              void follow(csv, true, setCheck);
            }}
          >
            {r.dryRun}
          </button>
          <button
            type="button"
            className="primary"
            data-testid={ADMIN_TEST_IDS.rosterImport}
            disabled={!canImport || busy}
            onClick={() => {
              if (csv === null) return;
              void follow(csv, false, (j) => {
                setRun(j);
                if (j.state === 'done') setRosterTick((t) => t + 1);
              });
            }}
          >
            {r.import}
          </button>
        </div>

        {job !== null && (
          <div className="progress" data-state={job.state} data-dry-run={String(job.dryRun)}>
            <progress
              data-testid={ADMIN_TEST_IDS.importProgress}
              max={Math.max(1, job.total)}
              value={job.processed}
              aria-valuemin={0}
              aria-valuemax={job.total}
              aria-valuenow={job.processed}
            />
            <span>
              {r.state[job.state]} — {r.progress(job.processed, job.total)}
            </span>
          </div>
        )}

        {job?.state === 'failed' && (
          <div className="problems">
            <h3 className="error">{r.problemsTitle(problems.length)}</h3>
            <p>{r.nothingImported}</p>
            <table data-testid={ADMIN_TEST_IDS.rosterProblems}>
              <thead>
                <tr>
                  <th>{r.line}</th>
                  <th>{r.reason}</th>
                </tr>
              </thead>
              <tbody>
                {problems.map((p, i) => (
                  <tr key={`${String(p.line)}-${String(i)}`} data-line={p.line}>
                    <td>{p.line}</td>
                    <td data-code={p.code}>{r.problem(p)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}

        {check?.state === 'done' && check.preview && (
          <div data-testid={ADMIN_TEST_IDS.rosterPreview}>
            <ImportPreview preview={check.preview} m={m} />
            {run === null && <p>{r.readyToImport}</p>}
          </div>
        )}

        {run?.state === 'done' && run.summary && (
          <p
            className="ok"
            data-testid={ADMIN_TEST_IDS.importDone}
            data-children={run.summary.imported.children}
          >
            {r.done(run.summary.imported.children, run.summary.version)}
            {run.summary.effectiveFrom > todayIso() && <> {r.scheduled(run.summary.effectiveFrom)}</>}
          </p>
        )}
      </section>

      {roster !== null && <RosterView roster={roster} m={m} onFailure={onFailure} />}
    </>
  );
}
