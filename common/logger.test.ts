import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

describe('logger', () => {
  it('censors names, card ids and secrets at the top level and one level down', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination: sink }).child({ ns: 'test' });
    logger.info(
      {
        childId: 'c001',
        name: '山田 花子',
        cardUid: '0123456789abcdef',
        password: 'pw',
        guardian: { id: 'g001', name: '山田 太郎', credential: 'card:0123456789abcdef' },
      },
      'tap',
    );
    const out = lines.join('');
    expect(out).toContain('"childId":"c001"');
    expect(out).toContain('"id":"g001"');
    for (const secret of ['山田', '0123456789abcdef', '"pw"']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });
});
