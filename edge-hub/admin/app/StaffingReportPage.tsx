import { useCallback, useState } from 'react';
import { STAFFING_AGES } from '../../../protocol/settings.ts';
import type { StaffingRow } from '../../../protocol/staffing.ts';
import type { PageProps } from './App.tsx';
import { DateField } from './DateField.tsx';
import { todayIso } from './logic.ts';
import { useLoaded } from './use-loaded.ts';
import { getStaffingReport, staffingReportUrl } from './staffing-api.ts';
import { staffingMessages, type StaffingMessages } from './staffing-messages.ts';

const GROUPS = [...STAFFING_AGES, 'unknown'] as const;
const SHORT_ROW = { background: '#fde2e2', fontWeight: 700 } as const;

/** One table of times: the children present by age, the staff required and on duty; short rows marked. */
function RowsTable(props: { rows: readonly StaffingRow[]; t: StaffingMessages['report'] }) {
  const { rows, t } = props;
  if (rows.length === 0) return <p className="help">{t.noRows}</p>;
  return (
    <table className="staffing-rows">
      <thead>
        <tr>
          <th>{t.time}</th>
          {GROUPS.map((g) => (
            <th key={g}>{t.age[g]}</th>
          ))}
          <th>{t.present}</th>
          <th>{t.required}</th>
          <th>{t.onDuty}</th>
          <th>{t.shortfall}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr
            key={`${r.time}-${r.kind}`}
            // Inline: the marking belongs to this table alone.
            style={r.understaffed ? SHORT_ROW : undefined}
            data-time={r.time}
            data-kind={r.kind}
            data-understaffed={r.understaffed}
          >
            <td>
              {r.time}
              {r.kind === 'staff_change' && <small> {t.kind.staff_change}</small>}
            </td>
            {GROUPS.map((g) => (
              <td key={g}>{r.present[g]}</td>
            ))}
            <td>{r.presentTotal}</td>
            <td>{r.required}</td>
            <td>{r.staffOnDuty ?? (r.required > 0 ? t.notEntered : '')}</td>
            <td>{r.understaffed ? `${t.short} ${String(r.shortfall ?? '')}` : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The daily staffing report (GET /api/staffing/daily): per class, then the facility; CSV downloads. */
export function StaffingReportPage({ m, onFailure }: PageProps) {
  const [date, setDate] = useState(() => todayIso());
  const t = staffingMessages(m).report;
  const [report] = useLoaded(
    useCallback(() => getStaffingReport(date), [date]),
    onFailure,
  );

  return (
    <section className="card staffing" data-testid="staffing-report">
      <h2>{t.title}</h2>
      <p className="help">{t.help}</p>
      <div className="row">
        <DateField label={t.date} value={date} onChange={setDate} testId="staffing-date" />
        <a href={staffingReportUrl(date, 'csv', 'ja')} download data-testid="staffing-csv-ja">
          {t.csvJa}
        </a>
        <a href={staffingReportUrl(date, 'csv', 'en')} download data-testid="staffing-csv-en">
          {t.csvEn}
        </a>
      </div>
      {report !== null && (
        <>
          <p className="help">{t.standard(report.standard)}</p>
          {report.ageUnknown.length > 0 && (
            <div className="warning" data-testid="staffing-age-unknown">
              <p>{t.ageUnknown(report.ageUnknown.length)}</p>
              <ul>
                {report.ageUnknown.map((c) => (
                  <li key={c.childId}>{c.name}</li>
                ))}
              </ul>
            </div>
          )}
          {report.classes.map((c) => (
            <section key={c.classId} data-class-id={c.classId}>
              <h3>{c.className}</h3>
              {c.maxChildrenPerStaff !== null && <p className="help">{t.ownRatio(c.maxChildrenPerStaff)}</p>}
              <RowsTable rows={c.rows} t={t} />
            </section>
          ))}
          <section data-class-id="facility">
            <h3>{t.facility}</h3>
            <RowsTable rows={report.facility.rows} t={t} />
          </section>
        </>
      )}
    </section>
  );
}
