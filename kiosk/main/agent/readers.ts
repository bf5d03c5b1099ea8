import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../../../common/logger.ts';
import type { Clock } from '../../../common/time.ts';
import { createReaders, type CredentialReader } from '../../../hardware/reader.ts';
import type { ReaderView } from '../../common/ui-api.ts';
import type { KioskLifecycle } from './lifecycle.ts';
import type { KioskOutput } from './output.ts';
import type { StatusPublisher } from './status.ts';
import type { Taps } from './taps.ts';

/** The kiosk's readers and whether each is attached, as the status and the screen show them. */
export class ReaderSet {
  readonly #readers: CredentialReader[] = [];
  /** Readers without attach events (stdin, sim) count as attached. */
  readonly #attached = new Map<CredentialReader, boolean>();

  get all(): readonly CredentialReader[] {
    return this.#readers;
  }

  add(reader: CredentialReader): void {
    this.#readers.push(reader);
  }

  setAttached(reader: CredentialReader, attached: boolean): void {
    this.#attached.set(reader, attached);
  }

  views(): ReaderView[] {
    return this.#readers.map((r) => ({ name: r.name, attached: this.#attached.get(r) ?? true }));
  }
}

/** Reader objects as given, with those given as specs (`stdin`, `sim`, `sim:FILE`) created in place. */
export function resolveReaders(
  readers: readonly (CredentialReader | string)[],
  options: { logger: Logger; clock: Clock; input: Readable | undefined; output: Writable | undefined },
): CredentialReader[] {
  const specs = readers.filter((r): r is string => typeof r === 'string');
  const created = createReaders(specs, {
    logger: options.logger,
    clock: options.clock,
    ...(options.input && { input: options.input }),
    ...(options.output && { output: options.output }),
  });
  let i = 0;
  return readers.flatMap((r) => {
    const reader = typeof r === 'string' ? created[i++] : r;
    return reader ? [reader] : [];
  });
}

export interface ReaderEventsOptions {
  readers: ReaderSet;
  taps: Pick<Taps, 'fromReader'>;
  output: Pick<KioskOutput, 'emit'>;
  status: Pick<StatusPublisher, 'publishNow'>;
  lifecycle: Pick<KioskLifecycle, 'closed'>;
  logger: Logger;
}

/** Listens to the readers: credentials go to the taps, errors and (de)attachment to the output and status. */
export class ReaderEvents {
  readonly #options: ReaderEventsOptions;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(options: ReaderEventsOptions) {
    this.#options = options;
  }

  attach(reader: CredentialReader): void {
    const { readers, taps, output, status, lifecycle } = this.#options;
    readers.add(reader);
    const log = this.#options.logger.child({ reader: reader.name });
    this.#unsubscribe.push(
      reader.on('credential', ({ credential }) => {
        taps.fromReader(reader, credential, log);
      }),
      reader.on('error', (e) => {
        log.info({ code: e.code }, 'reader input not understood');
        output.emit({ type: 'reader_error', reader: reader.name, code: e.code, message: e.message });
      }),
      reader.on('attached', () => {
        log.info('reader attached');
        readers.setAttached(reader, true);
        output.emit({ type: 'reader', reader: reader.name, attached: true });
        status.publishNow();
      }),
      reader.on('detached', ({ reason }) => {
        log.info({ reason }, 'reader detached');
        readers.setAttached(reader, false);
        if (!lifecycle.closed) output.emit({ type: 'reader', reader: reader.name, attached: false, reason });
        status.publishNow();
      }),
    );
  }

  async open(): Promise<void> {
    await Promise.all(this.#options.readers.all.map((r) => r.open()));
  }

  /** Stops listening, then closes every reader; a reader that fails to close is logged. */
  async close(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    await Promise.all(
      this.#options.readers.all.map((r) =>
        r.close().catch((err: unknown) => {
          this.#options.logger.warn({ err, reader: r.name }, 'closing a reader failed');
        }),
      ),
    );
  }
}
