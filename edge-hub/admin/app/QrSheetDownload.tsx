import { useState } from 'react';
import { ADMIN_PEOPLE_TEST_IDS as T } from '../../../protocol/admin-dashboard.ts';
import type { AdminRoster } from '../../../protocol/admin.ts';
import { qrSheetUrl } from './api.ts';
import type { Messages } from './messages.ts';

/**
 * Every guardian's QR card (or a class's) as the A4 sheet of `genkan qr sheet`: a plain link, so that the
 * browser saves the PDF under the name the hub gives it (QRカード_<施設名>.pdf).
 */
export function QrSheetDownload({ roster, m }: { roster: AdminRoster; m: Messages }) {
  const [classId, setClassId] = useState<string | null>(null);
  const q = m.qr;
  return (
    <div className="qr-sheet">
      <h3>{q.sheetTitle}</h3>
      <p className="help">{q.sheetHelp}</p>
      <div className="row">
        <label>
          {q.cls}{' '}
          <select
            data-testid={T.qrSheetClass}
            value={classId ?? ''}
            onChange={(e) => {
              setClassId(e.target.value === '' ? null : e.target.value);
            }}
          >
            <option value="">{q.allClasses}</option>
            {roster.classes.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <a className="button primary" href={qrSheetUrl(classId)} download data-testid={T.qrSheetDownload}>
          {q.download}
        </a>
      </div>
    </div>
  );
}
