import { describe, expect, it } from 'vitest';
import { hashToken } from '../../common/secrets.ts';
import { hubIdOfToken, newHubToken, secretMatches } from './tokens.ts';

describe('hub tokens', () => {
  it('are HUBID.SECRET with 32 random bytes of base64url', () => {
    const a = newHubToken('hub-1');
    const b = newHubToken('hub-1');
    expect(a).toMatch(/^hub-1\.[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(Buffer.from(a.slice(6), 'base64url')).toHaveLength(32);
    expect(hubIdOfToken(a)).toBe('hub-1');
  });

  it('name no hub when malformed', () => {
    for (const bad of [
      '',
      'hub-1',
      'hub-1.',
      '.abc',
      'hub/1.' + 'A'.repeat(43),
      'hub-1.' + 'A'.repeat(42),
      'hub-1.' + 'A'.repeat(44),
    ]) {
      expect(hubIdOfToken(bad), bad).toBeUndefined();
    }
  });

  it('hash to 32 bytes and compare secrets by digest', () => {
    expect(hashToken('x')).toHaveLength(32);
    expect(secretMatches('admin-token-0123456789', 'admin-token-0123456789')).toBe(true);
    expect(secretMatches('admin-token-0123456789', 'admin-token-012345678')).toBe(false);
    expect(secretMatches('', 'admin-token-0123456789')).toBe(false);
  });
});
