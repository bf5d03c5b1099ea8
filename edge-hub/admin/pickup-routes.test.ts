import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminAuditPage } from '../../protocol/admin.ts';
import { PickupPersonSchema, type PickupPerson } from '../../protocol/parent-pickups.ts';
import {
  adminAudit,
  errorCode,
  startAdminRoutesHub,
  type AdminRoutesHub,
} from '../../test/support/admin-routes.ts';
import { PICKUP_PHOTO_MAX_BYTES } from '../parents/pickup-photo.ts';
import type { AdminPickupPeople } from './pickup-routes.ts';

/** A small JPEG-looking payload (the hub checks the first bytes against the type). */
const jpeg = (size = 64) => {
  const b = Buffer.alloc(size, 7);
  b.set([0xff, 0xd8, 0xff, 0xe0]);
  return b;
};
const dataUrl = (type: string, bytes: Buffer) => `data:${type};base64,${bytes.toString('base64')}`;

/**
 * The admin app's pickup people routes against an in-process hub: the list (guardians from the roster
 * first), adding with a photo, changing, removing, the photo route, the refusals (type, size, fields,
 * unknown ids), the audit without names and no name in the log.
 */
describe('admin pickup people routes', () => {
  let t: AdminRoutesHub;
  let base: string;
  let cookie: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    t = await startAdminRoutesHub(logLines);
    ({ base, cookie } = t);
  });
  afterAll(async () => {
    await t.close();
  });

  const send = (method: string, path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        cookie,
        origin: base,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const list = async (childId: string): Promise<PickupPerson[]> => {
    const res = await send('GET', `/api/admin/children/${childId}/pickup-people`);
    expect(res.status).toBe(200);
    return ((await res.json()) as AdminPickupPeople).people;
  };
  const audit = async (): Promise<AdminAuditPage['entries']> =>
    (await adminAudit(base, cookie)).filter((e) => e.action.startsWith('pickup.'));

  it('lists the guardians first, adds a person with a photo, serves the photo, changes and removes', async () => {
    expect(await list('c001')).toEqual([
      { id: 'g001', kind: 'guardian', name: '山田 花子', relation: '', hasPhoto: false },
    ]);
    const photo = jpeg();
    const added = await send('POST', '/api/admin/children/c001/pickup-people', {
      name: '山田 梅子',
      relation: '祖母',
      photo: dataUrl('image/jpeg', photo),
    });
    expect(added.status).toBe(200);
    const person = PickupPersonSchema.parse(await added.json());
    expect(person).toMatchObject({ kind: 'person', name: '山田 梅子', relation: '祖母', hasPhoto: true });
    expect(person.id).toMatch(/^p-/);
    expect((await list('c001')).map((p) => p.id)).toEqual(['g001', person.id]);
    // Another child's list does not have them.
    expect((await list('c002')).map((p) => p.id)).toEqual(['g001']);

    const image = await send('GET', `/api/admin/pickup-people/${person.id}/photo`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    expect(image.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await image.arrayBuffer())).toEqual(photo);

    const changed = await send('PUT', `/api/admin/pickup-people/${person.id}`, {
      name: '山田 梅',
      relation: '祖母',
      photo: null,
    });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ name: '山田 梅', hasPhoto: false });
    expect((await send('GET', `/api/admin/pickup-people/${person.id}/photo`)).status).toBe(404);

    expect((await send('DELETE', `/api/admin/pickup-people/${person.id}`)).status).toBe(204);
    expect((await list('c001')).map((p) => p.id)).toEqual(['g001']);
    const removedAgain = await send('DELETE', `/api/admin/pickup-people/${person.id}`);
    expect(removedAgain.status).toBe(404);
    expect(await errorCode(removedAgain)).toBe('pickup_person_not_found');

    const entries = await audit();
    expect(entries.map((e) => e.action).sort()).toEqual([
      'pickup.person_add',
      'pickup.person_remove',
      'pickup.person_update',
    ]);
    for (const e of entries) {
      expect(e.subject).toBe('child:c001');
      expect(JSON.stringify(e)).not.toContain('山田 梅');
    }
    expect(logLines.join('\n')).not.toContain('山田 梅');
  });

  it('refuses a photo of another type, bytes that are not the type, or over 300 KB; bad fields; unknown ids', async () => {
    const add = (body: unknown) => send('POST', '/api/admin/children/c001/pickup-people', body);
    const gif = await add({ name: 'a', relation: '', photo: dataUrl('image/gif', jpeg()) });
    expect(gif.status).toBe(400);
    expect(await errorCode(gif)).toBe('pickup_photo_type');
    const lying = await add({ name: 'a', relation: '', photo: dataUrl('image/png', jpeg()) });
    expect(await errorCode(lying)).toBe('pickup_photo_type');
    const big = await add({
      name: 'a',
      relation: '',
      photo: dataUrl('image/jpeg', jpeg(PICKUP_PHOTO_MAX_BYTES + 1)),
    });
    expect(big.status).toBe(400);
    expect(await errorCode(big)).toBe('pickup_photo_too_large');
    const justFits = await add({
      name: 'a',
      relation: '',
      photo: dataUrl('image/jpeg', jpeg(PICKUP_PHOTO_MAX_BYTES)),
    });
    expect(justFits.status).toBe(200);
    const noName = await add({ name: '  ', relation: '' });
    expect(noName.status).toBe(400);
    expect(await errorCode(noName)).toBe('invalid_pickup_person');
    const longRelation = await add({ name: 'a', relation: 'x'.repeat(41) });
    expect(await errorCode(longRelation)).toBe('invalid_pickup_person');
    const unknownChild = await send('POST', '/api/admin/children/c999/pickup-people', {
      name: 'a',
      relation: '',
    });
    expect(unknownChild.status).toBe(404);
    expect(await errorCode(unknownChild)).toBe('unknown_child');
    expect((await send('PUT', '/api/admin/pickup-people/p-none', { name: 'a', relation: '' })).status).toBe(
      404,
    );
    expect((await send('GET', '/api/admin/pickup-people/p-none/photo')).status).toBe(404);
  });

  it('needs a signed-in admin', async () => {
    const res = await fetch(`${base}/api/admin/children/c001/pickup-people`);
    expect(res.status).toBe(401);
  });
});
