import type { CredentialKind } from '../../protocol/credentials.ts';

/**
 * The kiosk agent's output: one JSON object per line on stdout in headless mode, and what a screen
 * shows. Shared here so that any environment (agent, renderer) reads the same shapes.
 */

/** Emitted exactly once: a roster is held (cached or from the hub) and the readers are open. */
export interface ReadyLine {
  ready: true;
  device: string;
  facility: string;
  rosterVersion: number;
  /** Events not yet acknowledged by the hub. */
  outbox: number;
}

export interface TapEventLine {
  id: string;
  childId: string;
  childName: string;
  type: 'check_in' | 'check_out';
  seq: number;
}

export interface GuardianRef {
  id: string;
  name: string;
}

export type TapLine =
  /** Recorded: every event is committed to the outbox before this line is written. */
  | { type: 'tap'; result: 'ok'; guardian: GuardianRef; events: TapEventLine[] }
  /** No roster yet (first start with the hub unreachable): nothing can be looked up. */
  | { type: 'tap'; result: 'no_roster' }
  /** The same credential again within the debounce window: ignored. */
  | { type: 'tap'; result: 'debounced'; kind: CredentialKind }
  | { type: 'tap'; result: 'unknown_credential'; kind: CredentialKind }
  /** A known guardian none of whose children is on the roster: nothing recorded. */
  | { type: 'tap'; result: 'no_children'; kind: CredentialKind; guardian: GuardianRef }
  /** The tap could not be recorded (e.g. the disk failed): nothing was stored; the person may retry. */
  | { type: 'tap'; result: 'error'; kind: CredentialKind; code: string; message: string };

export type TapResult = TapLine['result'];

/** The hub acknowledged these events (durably committed there). */
export interface AckedLine {
  type: 'acked';
  ids: string[];
}

/** The hub refused an event; it is kept, marked rejected, and never sent again. */
export interface RejectedLine {
  type: 'rejected';
  id: string;
  code: string;
  message: string;
}

export interface ConnectionLine {
  type: 'connection';
  online: boolean;
}

/** A roster was adopted from the hub. */
export interface RosterLine {
  type: 'roster';
  version: number;
  children: number;
}

/** The hub's roll-call snapshot was received (and stored for offline restarts). */
export interface RollcallLine {
  type: 'rollcall';
  date: string;
  generatedAt: string;
}

/** A reader saw input it could not read as a credential; the message never repeats the input. */
export interface ReaderErrorLine {
  type: 'reader_error';
  reader: string;
  code: string;
  message: string;
}

export type KioskOutputLine =
  | ReadyLine
  | TapLine
  | AckedLine
  | RejectedLine
  | ConnectionLine
  | RosterLine
  | RollcallLine
  | ReaderErrorLine;
