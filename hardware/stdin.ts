import { LineStreamReader } from './line-reader.ts';

/**
 * Reads credentials as text lines, `card:<hex uid>` or `qr:<payload>`, from a stream (process.stdin by
 * default): for pipes, scripts and keyboard-wedge scanners. Blank lines are ignored; anything else is
 * reported as an `error` event and reading goes on.
 */
export class StdinReader extends LineStreamReader {
  readonly name = 'stdin';

  protected handleLine(line: string, at: Date): void {
    this.emitCredentialLine(line, at);
  }
}
