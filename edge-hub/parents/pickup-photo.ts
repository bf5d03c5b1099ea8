import { ValidationError } from '../../common/errors.ts';
import type { PickupPhoto } from '../store/pickups.ts';

/** Largest photo of a pickup person, decoded (the admin app scales photos to 640 px JPEG first). */
export const PICKUP_PHOTO_MAX_BYTES = 300 * 1024;

/** The image types a photo may have, each with the first bytes its files start with. */
const SIGNATURES: Readonly<Record<string, (b: Buffer) => boolean>> = {
  'image/jpeg': (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/webp': (b) =>
    b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
};

/**
 * A photo sent as a data URL (`data:image/jpeg;base64,…`): JPEG, PNG or WebP whose bytes are what the type
 * says, at most PICKUP_PHOTO_MAX_BYTES decoded. Throws pickup_photo_type or pickup_photo_too_large (400).
 */
export function parsePhotoDataUrl(url: string): PickupPhoto {
  const m = /^data:(image\/[a-z+.-]+);base64,([A-Za-z0-9+/]*={0,2})$/.exec(url);
  const type = m?.[1];
  const base64 = m?.[2];
  const matches = type === undefined ? undefined : SIGNATURES[type];
  if (base64 === undefined || type === undefined || matches === undefined) {
    throw new ValidationError('pickup_photo_type', 'the photo must be a JPEG, PNG or WebP data URL', 'photo');
  }
  // Decoded size from the text, before decoding: a huge body is refused without allocating it twice.
  if (
    Math.floor((base64.length * 3) / 4) - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0) >
    PICKUP_PHOTO_MAX_BYTES
  ) {
    throw new ValidationError('pickup_photo_too_large', 'the photo is larger than 300 KB', 'photo');
  }
  const data = Buffer.from(base64, 'base64');
  if (!matches(data)) {
    throw new ValidationError('pickup_photo_type', 'the photo is not the image its type says', 'photo');
  }
  return { data, type };
}
