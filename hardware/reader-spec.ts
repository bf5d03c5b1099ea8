import { ReaderSpecError } from './errors.ts';

/*
 * Reader specs as users write them (`--reader pcsc:Sony`): parsed without loading any driver, so that the
 * CLI can check them and list them in its help.
 */

export type ReaderSpec =
  | { kind: 'stdin' }
  | { kind: 'sim'; file?: string }
  /** PC/SC readers (all, or those whose name contains `reader`). */
  | { kind: 'pcsc'; reader?: string }
  /** A serial (USB CDC) 2D barcode scanner. */
  | { kind: 'serial'; path: string; baudRate: number }
  /** QR codes from the kiosk screen's camera (decoded in the renderer, see camera.ts). */
  | { kind: 'camera' };

/** The spec forms `createReader` accepts, as shown to users. */
export const SUPPORTED_READER_SPECS = [
  'stdin',
  'sim',
  'sim:FILE',
  'pcsc',
  'pcsc:NAME',
  'serial:PATH[,BAUD]',
  'camera',
] as const;

export const DEFAULT_SERIAL_BAUD = 9600;

export function parseReaderSpec(spec: string): ReaderSpec {
  if (spec === 'stdin') return { kind: 'stdin' };
  if (spec === 'sim') return { kind: 'sim' };
  if (spec.startsWith('sim:') && spec.length > 'sim:'.length) return { kind: 'sim', file: spec.slice(4) };
  if (spec === 'pcsc') return { kind: 'pcsc' };
  if (spec === 'camera') return { kind: 'camera' };
  if (spec.startsWith('pcsc:') && spec.length > 'pcsc:'.length)
    return { kind: 'pcsc', reader: spec.slice(5) };
  const serial = /^serial:([^,]+)(?:,(\d+))?$/.exec(spec);
  if (serial?.[1] !== undefined) {
    const baudRate = serial[2] === undefined ? DEFAULT_SERIAL_BAUD : Number(serial[2]);
    if (baudRate >= 50 && baudRate <= 4_000_000) return { kind: 'serial', path: serial[1], baudRate };
  }
  throw new ReaderSpecError(
    'unknown_reader',
    `unknown reader "${spec}"; supported: ${SUPPORTED_READER_SPECS.join(', ')}`,
  );
}
