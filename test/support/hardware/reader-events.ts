import type { CredentialRead, CredentialReader, ReaderEventMap } from '../../../hardware/reader.ts';

/** Records every event of a reader in order. */
export function record(reader: CredentialReader) {
  const events: {
    [K in keyof ReaderEventMap]: { type: K; payload: ReaderEventMap[K] };
  }[keyof ReaderEventMap][] = [];
  reader.on('credential', (payload) => events.push({ type: 'credential', payload }));
  reader.on('attached', (payload) => events.push({ type: 'attached', payload }));
  reader.on('detached', (payload) => events.push({ type: 'detached', payload }));
  reader.on('error', (payload) => events.push({ type: 'error', payload }));
  const credentials = (uid?: string): CredentialRead[] =>
    events.flatMap((e) =>
      e.type === 'credential' && (uid === undefined || e.payload.credential.value === uid) ? [e.payload] : [],
    );
  const count = (type: keyof ReaderEventMap) => events.filter((e) => e.type === type).length;
  return { events, credentials, count };
}
