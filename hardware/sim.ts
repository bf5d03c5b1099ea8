import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { z } from 'zod';
import { parseCredential, type Credential } from '../protocol/credentials.ts';
import { decodeJson } from '../protocol/decode.ts';
import { describeIssues } from '../protocol/validate.ts';
import { errorMessage } from '../common/errors.ts';
import { ReaderConfigError } from './errors.ts';
import { LineStreamReader, type LineReaderDeps } from './line-reader.ts';

/** One line of the simulator file: `{"label":"Sato (mother)","credential":"card:0123abcd"}`. */
export interface SimEntry {
  label: string;
  credential: Credential;
}

const SimFileSchema = z.array(z.strictObject({ label: z.string().min(1).max(200), credential: z.string() }));

/** Parses the simulator file's JSON text; throws ReaderConfigError naming the bad entry. */
export function parseSimEntries(text: string): SimEntry[] {
  const r = decodeJson(SimFileSchema, text);
  if (!r.ok) {
    throw new ReaderConfigError(
      'sim_file_invalid',
      r.problem === 'not_json'
        ? `simulator file is not JSON: ${r.message}`
        : `simulator file must be [{"label","credential"}]: ${describeIssues(r.error)}`,
    );
  }
  return r.value.map((e, i) => {
    const credential = parseCredential(e.credential);
    if (!credential) {
      throw new ReaderConfigError(
        'sim_file_invalid',
        `simulator entry ${i + 1}: credential must be card:<hex uid> or qr:<payload>`,
      );
    }
    return { label: e.label, credential };
  });
}

export interface SimReaderDeps extends LineReaderDeps {
  /** Where the menu goes; stderr in the CLI, as stdout carries JSON lines. */
  output: Writable;
  /** JSON file of entries; none means only typed credentials work. */
  file: string | undefined;
}

const HELP = 'type an entry number to tap it, "list" to show the entries, or card:<hex uid> / qr:<payload>';

/**
 * A reader for people at a terminal (demos, development): typing N taps the Nth entry of the file,
 * `list` shows the entries, and `card:…` / `qr:…` lines work as with the stdin reader.
 */
export class SimReader extends LineStreamReader {
  readonly name = 'sim';
  readonly #output: Writable;
  readonly #file: string | undefined;
  #entries: SimEntry[] = [];

  constructor(deps: SimReaderDeps) {
    super(deps);
    this.#output = deps.output;
    this.#file = deps.file;
  }

  get entries(): readonly SimEntry[] {
    return this.#entries;
  }

  override async open(): Promise<void> {
    if (this.#file !== undefined) {
      let text: string;
      try {
        text = await readFile(this.#file, 'utf8');
      } catch (err) {
        throw new ReaderConfigError(
          'sim_file_unreadable',
          `cannot read simulator file ${this.#file}: ${errorMessage(err)}`,
        );
      }
      this.#entries = parseSimEntries(text);
    }
    await super.open();
    this.#print(`sim reader: ${this.#entries.length} entries; ${HELP}`);
    if (this.#entries.length > 0) this.#list();
  }

  /**
   * Taps programmatically, as if the line had been typed: an entry number (1-based) or a credential
   * line. Problems are reported as `error` events, like typed input.
   */
  tap(which: number | string): void {
    this.handleLine(String(which).trim(), this.clock.now());
  }

  protected handleLine(line: string, at: Date): void {
    if (/^\d+$/.test(line)) {
      const entry = this.#entries[Number(line) - 1];
      if (entry) this.emit('credential', { credential: entry.credential, at });
      else
        this.emit('error', {
          code: 'no_such_entry',
          message: `no entry ${line}; entries are 1–${this.#entries.length} (type "list")`,
        });
      return;
    }
    if (line === 'list' || line === 'help' || line === '?') {
      this.#print(HELP);
      this.#list();
      return;
    }
    this.emitCredentialLine(line, at);
  }

  #list(): void {
    const width = String(this.#entries.length).length;
    const lines = this.#entries.map(
      (e, i) => `  ${String(i + 1).padStart(width)}  ${e.label} (${e.credential.kind})`,
    );
    this.#print(lines.length > 0 ? lines.join('\n') : '  (no entries)');
  }

  #print(text: string): void {
    this.#output.write(`${text}\n`);
  }
}
