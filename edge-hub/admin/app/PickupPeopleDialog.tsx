import { useCallback, useEffect, useState } from 'react';
import { PICKUP_TEST_IDS, type PickupPerson } from '../../../protocol/parent-pickups.ts';
import type { PageProps } from './App.tsx';
import { Modal, useEscape } from './Modal.tsx';
import { addPickupPerson, getPickupPeople, pickupPhotoUrl, removePickupPerson } from './pickup-api.ts';
import { scaledJpeg } from './pickup-photo.ts';

/**
 * A child's authorised pickup people over the roster page: the guardians (from the roster, not editable
 * here) and the people the director added, each with a photo thumbnail; a form to add one (name, relation,
 * an optional photo scaled to 640 px JPEG in the browser before it goes up) and a remove button per person.
 */
function PickupPeopleDialog({
  childId,
  childName,
  m,
  onFailure,
  onClose,
}: { childId: string; childName: string; onClose: () => void } & PageProps) {
  const t = m.pickupPeople;
  const [people, setPeople] = useState<PickupPerson[] | null>(null);
  const [name, setName] = useState('');
  const [relation, setRelation] = useState('');
  const [photo, setPhoto] = useState<string | undefined>(undefined);
  const [photoError, setPhotoError] = useState(false);
  /** While the chosen photo is being scaled, nothing is added (it would go without the photo). */
  const [scaling, setScaling] = useState(false);
  const [busy, setBusy] = useState(false);
  useEscape(onClose);

  /** Bumped to read the list again (after a change). */
  const [tick, setTick] = useState(0);
  const reload = (): void => {
    setTick((n) => n + 1);
  };

  useEffect(() => {
    let alive = true;
    void getPickupPeople(childId).then((result) => {
      if (!alive) return;
      if (result.ok) setPeople(result.value);
      else onFailure(result.failure);
    });
    return () => {
      alive = false;
    };
  }, [childId, onFailure, tick]);

  const choosePhoto = async (file: File | undefined): Promise<void> => {
    setPhotoError(false);
    setPhoto(undefined);
    if (file === undefined) return;
    setScaling(true);
    const scaled = await scaledJpeg(file);
    setScaling(false);
    if (scaled === undefined) setPhotoError(true);
    else setPhoto(scaled);
  };

  const add = async (): Promise<void> => {
    setBusy(true);
    const result = await addPickupPerson(childId, {
      name: name.trim(),
      relation: relation.trim(),
      ...(photo !== undefined && { photo }),
    });
    setBusy(false);
    if (!result.ok) {
      onFailure(result.failure);
      return;
    }
    setName('');
    setRelation('');
    setPhoto(undefined);
    reload();
  };

  const remove = async (person: PickupPerson): Promise<void> => {
    if (!window.confirm(t.confirmRemove(person.name))) return;
    setBusy(true);
    const result = await removePickupPerson(person.id);
    setBusy(false);
    if (!result.ok) onFailure(result.failure);
    reload();
  };

  return (
    <Modal
      titleId="pickup-people-dialog-title"
      title={t.dialogTitle(childName)}
      testId={PICKUP_TEST_IDS.adminDialog}
      childId={childId}
    >
      <p className="help">{t.help}</p>
      <table>
        <tbody>
          {(people ?? []).map((p) => (
            <tr key={p.id} data-testid={PICKUP_TEST_IDS.adminRow} data-person-id={p.id} data-kind={p.kind}>
              <td>
                {p.hasPhoto ? (
                  <img
                    src={pickupPhotoUrl(p.id)}
                    alt={t.photoAlt(p.name)}
                    width={64}
                    height={64}
                    style={{ objectFit: 'cover' }}
                  />
                ) : (
                  <span className="help">{t.noPhoto}</span>
                )}
              </td>
              <td>{p.name}</td>
              <td>{p.kind === 'guardian' ? t.guardian : p.relation}</td>
              <td>
                {p.kind === 'person' && (
                  <button
                    type="button"
                    data-testid={PICKUP_TEST_IDS.adminRemove}
                    data-person-id={p.id}
                    disabled={busy}
                    onClick={() => {
                      void remove(p);
                    }}
                  >
                    {t.remove}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="row"
        data-photo={scaling ? 'busy' : photo === undefined ? 'none' : 'ready'}
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <label>
          {t.name}{' '}
          <input
            data-testid={PICKUP_TEST_IDS.adminName}
            required
            maxLength={100}
            value={name}
            onInput={(e) => {
              setName(e.currentTarget.value);
            }}
          />
        </label>
        <label>
          {t.relation}{' '}
          <input
            data-testid={PICKUP_TEST_IDS.adminRelation}
            maxLength={40}
            value={relation}
            onInput={(e) => {
              setRelation(e.currentTarget.value);
            }}
          />
        </label>
        <label>
          {t.photo}{' '}
          <input
            type="file"
            accept="image/jpeg,image/png,image/webp"
            data-testid={PICKUP_TEST_IDS.adminPhoto}
            onChange={(e) => {
              void choosePhoto(e.currentTarget.files?.[0]);
            }}
          />
        </label>
        <button
          type="submit"
          className="primary"
          data-testid={PICKUP_TEST_IDS.adminAdd}
          disabled={busy || scaling || name.trim() === ''}
        >
          {t.add}
        </button>
      </form>
      {photoError && <p className="error">{t.photoUnreadable}</p>}
      <div className="row">
        <button type="button" onClick={onClose}>
          {t.close}
        </button>
      </div>
    </Modal>
  );
}

/** The children table's cell: `pickup-people-open` (data-child-id) opening the dialog. */
export function PickupPeopleCell({
  childId,
  childName,
  m,
  onFailure,
}: { childId: string; childName: string } & PageProps) {
  const [open, setOpen] = useState(false);
  const close = useCallback(() => {
    setOpen(false);
  }, []);
  return (
    <>
      <button
        type="button"
        data-testid={PICKUP_TEST_IDS.adminOpen}
        data-child-id={childId}
        onClick={() => {
          setOpen(true);
        }}
      >
        {m.pickupPeople.open}
      </button>
      {open && (
        <PickupPeopleDialog
          childId={childId}
          childName={childName}
          m={m}
          onFailure={onFailure}
          onClose={close}
        />
      )}
    </>
  );
}
