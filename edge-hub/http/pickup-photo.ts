import type { FastifyReply } from 'fastify';
import { NotFoundError } from '../../common/errors.ts';
import type { PickupPhoto } from '../store/pickups.ts';

/**
 * Answers the stored photo of pickup person `id` (the admin's and the tablet's photo routes): never cached,
 * never sniffed as another type; pickup_photo_not_found (404) when the person has none.
 */
export function sendPickupPhoto(
  photos: { photo(id: string): PickupPhoto | undefined },
  id: string,
  reply: FastifyReply,
): FastifyReply {
  const photo = photos.photo(id);
  if (photo === undefined) throw new NotFoundError('pickup_photo_not_found', 'no photo of this person');
  return reply
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .type(photo.type)
    .send(photo.data);
}
