import type { Logger } from '../../../common/logger.ts';
import type { KioskOutputLine } from '../../common/output.ts';

/** Where the kiosk's output lines go: the `output` option first, then every subscriber. */
export class KioskOutput {
  readonly #sink: (line: KioskOutputLine) => void;
  readonly #logger: Logger;
  readonly #listeners = new Set<(line: KioskOutputLine) => void>();

  constructor(sink: (line: KioskOutputLine) => void, logger: Logger) {
    this.#sink = sink;
    this.#logger = logger;
  }

  subscribe(listener: (line: KioskOutputLine) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  emit(line: KioskOutputLine): void {
    // A listener that throws must not keep the line from the others.
    for (const out of [this.#sink, ...this.#listeners]) {
      try {
        out(line);
      } catch (err) {
        this.#logger.error({ err }, 'output failed');
      }
    }
  }
}
