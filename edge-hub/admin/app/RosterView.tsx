import type { AdminRoster } from '../../../protocol/admin.ts';
import type { PageProps } from './App.tsx';
import { GuardiansTable } from './GuardiansTable.tsx';
import { PickupPeopleCell } from './PickupPeopleDialog.tsx';

/** The roster in force: its classes, children and guardians. */
export function RosterView({ roster, m, onFailure }: { roster: AdminRoster } & PageProps) {
  const r = m.roster;
  const className = new Map(roster.classes.map((c) => [c.id, c.name]));
  return (
    <section className="card" data-testid="roster-view" data-version={roster.version}>
      <h2>{r.currentTitle}</h2>
      <h3>{r.classes}</h3>
      <table>
        <thead>
          <tr>
            <th>{r.className}</th>
            <th>{r.childCount}</th>
          </tr>
        </thead>
        <tbody>
          {roster.classes.map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td>{c.children}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>
        {r.children} ({roster.children.length})
      </h3>
      <table>
        <thead>
          <tr>
            <th>{r.name}</th>
            <th>{r.kana}</th>
            <th>{r.className}</th>
            <th>{r.careTypeLabel}</th>
            <th>{m.pickupPeople.column}</th>
          </tr>
        </thead>
        <tbody>
          {roster.children.map((c) => (
            <tr key={c.id} data-child-id={c.id}>
              <td>{c.name}</td>
              <td>{c.kana}</td>
              <td>{className.get(c.classId) ?? c.classId}</td>
              <td>{r.careType[c.careType]}</td>
              <td>
                <PickupPeopleCell childId={c.id} childName={c.name} m={m} onFailure={onFailure} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <GuardiansTable roster={roster} m={m} onFailure={onFailure} />
    </section>
  );
}
