import { describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.ts';
import { fixedClock } from '../common/time.ts';
import { CameraReader } from './camera.ts';
import { createReader, parseReaderSpec } from './reader.ts';

function recorded(reader: CameraReader) {
  const log: string[] = [];
  reader.on('credential', (r) => log.push(`${r.credential.kind}:${r.credential.value}`));
  reader.on('attached', () => log.push('attached'));
  reader.on('detached', (d) => log.push(`detached:${d.reason}`));
  reader.on('error', (e) => log.push(`error:${e.code}`));
  return log;
}

describe('camera reader (fed by the kiosk screen)', () => {
  it('turns each decoded payload into a qr credential, never a card, while open', async () => {
    const reader = new CameraReader({ logger: silentLogger(), clock: fixedClock('2026-04-01T00:00:00Z') });
    const log = recorded(reader);
    reader.deliver('GK1.early');
    await reader.open();
    reader.deliver('  GK1.f1.g1.1.sig  ');
    reader.deliver('card:0a0b0c0d');
    reader.deliver('   ');
    reader.deliver('x'.repeat(2049));
    await reader.close();
    reader.deliver('GK1.late');
    expect(log).toEqual([
      'qr:GK1.f1.g1.1.sig',
      'qr:card:0a0b0c0d',
      'error:unrecognised_input',
      'error:unrecognised_input',
    ]);
  });

  it('reports the camera streaming, stopping and failing as attached / detached, once each', async () => {
    const reader = new CameraReader({ logger: silentLogger() });
    const log = recorded(reader);
    await reader.open();
    reader.setStatus('on');
    reader.setStatus('on');
    reader.setStatus('off');
    reader.setStatus('failed');
    reader.setStatus('on');
    await reader.close();
    expect(log).toEqual([
      'attached',
      'detached:camera off',
      'detached:camera failed',
      'attached',
      'detached:closed',
    ]);
    expect(reader.status).toBe('off');
  });

  it('is what createReader returns for the camera spec', () => {
    expect(parseReaderSpec('camera')).toEqual({ kind: 'camera' });
    expect(createReader('camera', { logger: silentLogger() })).toBeInstanceOf(CameraReader);
  });
});
