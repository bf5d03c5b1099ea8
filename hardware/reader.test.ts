import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.ts';
import { createReader, createReaders, parseReaderSpec } from './reader.ts';
import { ReaderSpecError } from './errors.ts';
import { StdinReader } from './stdin.ts';
import { SimReader } from './sim.ts';

const deps = () => ({ logger: silentLogger(), input: new PassThrough(), output: new PassThrough() });

describe('reader specs', () => {
  it('parses the supported specs', () => {
    expect(parseReaderSpec('stdin')).toEqual({ kind: 'stdin' });
    expect(parseReaderSpec('sim')).toEqual({ kind: 'sim' });
    expect(parseReaderSpec('sim:/tmp/a b.json')).toEqual({ kind: 'sim', file: '/tmp/a b.json' });
    expect(parseReaderSpec('pcsc')).toEqual({ kind: 'pcsc' });
    expect(parseReaderSpec('pcsc:PaSoRi')).toEqual({ kind: 'pcsc', reader: 'PaSoRi' });
    expect(parseReaderSpec('serial:/dev/ttyACM0')).toEqual({
      kind: 'serial',
      path: '/dev/ttyACM0',
      baudRate: 9600,
    });
    expect(parseReaderSpec('serial:/dev/ttyUSB1,115200')).toEqual({
      kind: 'serial',
      path: '/dev/ttyUSB1',
      baudRate: 115200,
    });
  });

  it('rejects unknown specs with a typed error listing the supported ones', () => {
    for (const spec of ['pcsc:', 'serial:', 'serial:/dev/x,9', 'camera:0', 'sim:', 'STDIN', '']) {
      let caught: unknown;
      try {
        createReader(spec, deps());
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ReaderSpecError);
      expect(caught).toMatchObject({ code: 'unknown_reader' });
      expect((caught as Error).message).toContain(
        'stdin, sim, sim:FILE, pcsc, pcsc:NAME, serial:PATH[,BAUD], camera',
      );
    }
  });

  it('creates the reader a spec names', () => {
    expect(createReader('stdin', deps())).toBeInstanceOf(StdinReader);
    expect(createReader('sim:x.json', deps())).toBeInstanceOf(SimReader);
    expect(createReaders(['stdin'], deps()).map((r) => r.name)).toEqual(['stdin']);
  });

  it('refuses two readers sharing standard input', () => {
    expect(() => createReaders(['stdin', 'sim'], deps())).toThrow(
      expect.objectContaining({ code: 'reader_conflict' }) as Error,
    );
  });
});
