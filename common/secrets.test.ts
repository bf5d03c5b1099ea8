import { describe, expect, it } from 'vitest';
import { hashToken, hashTokenBase64url, sameBytes } from './secrets.ts';

describe('token hashes', () => {
  it('are the SHA-256 of the UTF-8 token, as bytes and as base64url text', () => {
    // Stored by the cloud (bytes) and the hub (text) since before this module: never to change.
    expect(hashToken('token-0123').toString('hex')).toBe(
      '83a7535077c0b9a3c5b7a20d50944ba80aeca11b496c648dc3412afaa65543a4',
    );
    expect(hashTokenBase64url('token-0123')).toBe('g6dTUHfAuaPFt6INUJRLqArsoRtJbGSNw0Eq-qZVQ6Q');
    expect(hashToken('x')).toHaveLength(32);
    expect(hashTokenBase64url('園児')).toBe(hashToken('園児').toString('base64url'));
  });

  it('compare in constant time, unequal lengths being unequal', () => {
    expect(sameBytes(hashToken('a'), hashToken('a'))).toBe(true);
    expect(sameBytes(hashToken('a'), hashToken('b'))).toBe(false);
    expect(sameBytes(Buffer.from('ab'), Buffer.from('abc'))).toBe(false);
    expect(sameBytes(Buffer.alloc(0), Buffer.alloc(0))).toBe(true);
  });
});
