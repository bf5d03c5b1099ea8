import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  hashPasswordSync,
  needsRehash,
  verifyPassword,
  verifyPasswordSync,
} from './passwords.ts';

// Made by the hub's and the kiosk's own code before they shared this module (salt 00 01 … 0f): stored
// hashes like these must keep verifying.
const OLD_HUB_HASH = 'scrypt$16384$8$1$AAECAwQFBgcICQoLDA0ODw$JbN2hANm9NOw4h5BRHZnbjzQ6Jr0QwNWojTOC2WgIbU';
const OLD_KIOSK_PIN_HASH =
  'scrypt$16384$8$1$AAECAwQFBgcICQoLDA0ODw$B4ia22Z76YkFd8P1mMUZKw-7fRCXC7e9aNTom1dHt00';
const FORMAT = /^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/;

describe('password hashes', () => {
  it('are scrypt$N$r$p$salt$hash with a fresh salt, async or not', async () => {
    const a = await hashPassword('secret', 'chosen');
    const b = hashPasswordSync('secret', 'chosen');
    expect(a).toMatch(FORMAT);
    expect(b).toMatch(FORMAT);
    expect(a).not.toBe(await hashPassword('secret', 'chosen'));
    expect(a).not.toContain('secret');
    // Either form verifies the other's hashes.
    expect(verifyPasswordSync('secret', a)).toBe(true);
    expect(await verifyPassword('secret', b)).toBe(true);
    expect(await verifyPassword('Secret', a)).toBe(false);
    expect(verifyPasswordSync('Secret', b)).toBe(false);
  });

  it('cost less for random secrets than for chosen ones, and tell which hashes to redo', async () => {
    const random = await hashPassword('k7Qx-random-device-password', 'random');
    expect(random).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('k7Qx-random-device-password', random)).toBe(true);
    expect(await verifyPassword('k7Qx-random-device-passworD', random)).toBe(false);
    expect(needsRehash(random, 'random')).toBe(false);
    expect(needsRehash(random, 'chosen')).toBe(true);
    expect(needsRehash(OLD_HUB_HASH, 'random')).toBe(true);
    expect(needsRehash(OLD_HUB_HASH, 'chosen')).toBe(false);
    expect(needsRehash('garbage', 'chosen')).toBe(true);
  });

  it('verify hashes stored before', async () => {
    expect(await verifyPassword('correct horse', OLD_HUB_HASH)).toBe(true);
    expect(await verifyPassword('correct horse!', OLD_HUB_HASH)).toBe(false);
    expect(verifyPasswordSync('4321', OLD_KIOSK_PIN_HASH)).toBe(true);
    expect(verifyPasswordSync('4322', OLD_KIOSK_PIN_HASH)).toBe(false);
  });

  it('refuse a malformed hash', async () => {
    const [, , , , salt = '', hash = ''] = OLD_HUB_HASH.split('$');
    for (const bad of [
      '',
      'garbage',
      `bcrypt$16384$8$1$${salt}$${hash}`,
      `scrypt$16384$8$1$${salt}`,
      `scrypt$16384$8$1$${salt}$${hash}$extra`,
      `scrypt$x$8$1$${salt}$${hash}`,
      `scrypt$16384$0$1$${salt}$${hash}`,
      `scrypt$16384$8$1.5$${salt}$${hash}`,
      `scrypt$16384$8$1$${salt}$`,
      `scrypt$16384$8$1$${salt}$${hash.slice(0, 20)}`,
    ]) {
      expect(await verifyPassword('correct horse', bad), bad).toBe(false);
      expect(verifyPasswordSync('correct horse', bad), bad).toBe(false);
    }
  });
});
