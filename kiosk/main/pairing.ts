import { randomBytes } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  decodeJson,
  decodePairingPayload,
  isPairingText,
  PairResponseSchema,
  type PairResponse,
} from '../../protocol/index.ts';
import { ensurePrivateDir } from '../../common/private-files.ts';
import { errorMessage } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { CameraReader } from '../../hardware/camera.ts';
import type { CredentialReader } from '../../hardware/reader.ts';
import type { KioskView, PairingView, UiEvent, UiReply } from '../common/ui-api.ts';
import { KioskError } from './errors.ts';
import { fetchPinnedCa, postPinned } from './pairing-tls.ts';
import type { UiEndpoint } from './ui-server.ts';

/** Where a paired kiosk keeps its hub address and device credentials (mode 0600, beside kiosk.sqlite). */
export const PAIRING_FILE = 'pairing.json';

const PairingFileSchema = z.strictObject({
  hubUrl: z.string().min(1),
  deviceId: z.string().min(1),
  password: z.string().min(1),
  facilityId: z.string().min(1),
  pairedAt: z.string(),
  /** PEM of the hub CA the pairing code's fingerprint named: the only CA the kiosk trusts for its hub. */
  hubCa: z.string().min(1).max(16_384).optional(),
});
export type HubCredentials = z.infer<typeof PairingFileSchema>;

/** The credentials saved by an earlier pairing; undefined when the kiosk was never paired. */
export async function loadPairing(dataDir: string): Promise<HubCredentials | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, PAIRING_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const r = decodeJson(PairingFileSchema, text);
  if (!r.ok) throw new KioskError('bad_pairing_file', `${PAIRING_FILE} is damaged; delete it and pair again`);
  return r.value;
}

/** Writes the credentials atomically and durably: a crash leaves the old file or the new one, whole. */
export async function savePairing(dataDir: string, creds: HubCredentials): Promise<void> {
  ensurePrivateDir(dataDir);
  const file = join(dataDir, PAIRING_FILE);
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(creds, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  const dir = await open(dataDir, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export interface PairingOptions {
  dataDir: string;
  /** Readers already created; the pairing code may come from any of them (camera, scanner, stdin). */
  readers: readonly CredentialReader[];
  camera: CameraReader | undefined;
  logger: Logger;
  settings: Pick<KioskView, 'defaultLocale' | 'autoConfirmMs' | 'speak'>;
  /** Time allowed for the hub's answer. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * An unpaired kiosk: the screen asks staff to show the hub's pairing QR code (protocol/pairing.ts) to
 * the camera or a scanner; the code is exchanged at the hub for this device's MQTT address and password,
 * which are saved, and `paired` resolves with them. Nothing else works until then.
 */
export class KioskPairing implements UiEndpoint {
  /** Resolves once paired and the credentials are saved. */
  readonly paired: Promise<HubCredentials>;
  readonly #options: PairingOptions;
  readonly #logger: Logger;
  readonly #listeners = new Set<(event: UiEvent) => void>();
  readonly #unsubscribe: (() => void)[] = [];
  #view: PairingView = { status: 'waiting' };
  #busy = false;
  #resolve: (creds: HubCredentials) => void = () => undefined;

  constructor(options: PairingOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ ns: 'kiosk.pairing' });
    this.paired = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    for (const reader of options.readers) {
      this.#unsubscribe.push(
        reader.on('credential', ({ credential }) => {
          if (credential.kind === 'qr') void this.#tryPair(credential.value);
        }),
      );
    }
  }

  subscribe(listener: (event: UiEvent) => void): () => void {
    this.#listeners.add(listener);
    listener({ type: 'state', state: this.#state() });
    listener({ type: 'pairing', view: this.#view });
    return () => {
      this.#listeners.delete(listener);
    };
  }

  handle(raw: unknown): UiReply {
    // Only the camera commands mean anything before pairing; the screen sends nothing else here.
    const command = z
      .union([
        z.strictObject({ op: z.literal('qr'), value: z.string().min(1).max(2048) }),
        z.strictObject({ op: z.literal('camera'), status: z.enum(['on', 'off', 'failed']) }),
      ])
      .safeParse(raw);
    if (!command.success)
      return { ok: false, code: 'not_paired', message: 'this kiosk is not paired with a hub yet' };
    const camera = this.#options.camera;
    if (!camera)
      return { ok: false, code: 'no_camera', message: 'this kiosk does not read QR codes by camera' };
    if (command.data.op === 'qr') camera.deliver(command.data.value);
    else camera.setStatus(command.data.status);
    return { ok: true };
  }

  /** Stops listening to the readers (they stay open: the kiosk agent takes them over). */
  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#listeners.clear();
  }

  #state(): KioskView {
    return {
      mode: 'pairing',
      deviceId: 'unpaired',
      facilityId: null,
      facilityName: null,
      timeZone: 'Asia/Tokyo',
      online: false,
      outbox: 0,
      ready: false,
      readers: this.#options.readers.map((r) => ({ name: r.name, attached: true })),
      camera: this.#options.camera !== undefined,
      ...this.#options.settings,
    };
  }

  #show(view: PairingView): void {
    this.#view = view;
    for (const l of this.#listeners) l({ type: 'pairing', view });
  }

  async #tryPair(text: string): Promise<void> {
    if (this.#busy) return;
    if (!isPairingText(text)) {
      this.#show({ status: 'failed', code: 'not_a_pairing_code' });
      return;
    }
    const payload = decodePairingPayload(text);
    if (!payload) {
      this.#show({ status: 'failed', code: 'pairing_code_malformed' });
      return;
    }
    this.#busy = true;
    this.#show({ status: 'working', hub: payload.hub });
    try {
      const timeoutMs = this.#options.timeoutMs ?? 10_000;
      // The hub's CA first, by its fingerprint: the code is sent only to a hub that CA vouches for.
      const hubCa =
        payload.tls === undefined ? undefined : await fetchPinnedCa(payload.hub, payload.tls, timeoutMs);
      const answer = await this.#exchange(payload.hub, payload.device, payload.code, hubCa);
      const creds: HubCredentials = {
        hubUrl: answer.mqttUrl,
        deviceId: answer.deviceId,
        password: answer.password,
        facilityId: answer.facilityId,
        pairedAt: new Date().toISOString(),
        ...(hubCa !== undefined && { hubCa }),
      };
      await savePairing(this.#options.dataDir, creds);
      this.#logger.info({ deviceId: creds.deviceId, facilityId: creds.facilityId }, 'paired with the hub');
      this.#resolve(creds);
    } catch (err) {
      const code = err instanceof KioskError ? err.code : 'pairing_failed';
      this.#logger.warn({ code, reason: errorMessage(err) }, 'pairing failed');
      this.#show({ status: 'failed', code, hub: payload.hub });
    } finally {
      this.#busy = false;
    }
  }

  /** Posts the code: over TLS trusting `hubCa` alone when pinned, else as any URL is fetched. */
  async #post(
    hub: string,
    body: unknown,
    hubCa: string | undefined,
  ): Promise<{ status: number; text: string }> {
    const url = new URL('/api/pair', hub);
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    if (hubCa !== undefined) return postPinned(url, body, hubCa, timeoutMs);
    const doFetch = this.#options.fetch ?? fetch;
    const res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    // A body that cannot be read counts as one that is not a pairing.
    return { status: res.status, text: await res.text().catch(() => '') };
  }

  async #exchange(
    hub: string,
    deviceId: string,
    code: string,
    hubCa: string | undefined,
  ): Promise<PairResponse> {
    let res: { status: number; text: string };
    try {
      res = await this.#post(hub, { deviceId, code }, hubCa);
    } catch (err) {
      throw new KioskError('hub_unreachable', `the hub did not answer: ${errorMessage(err)}`);
    }
    if (res.status === 401)
      throw new KioskError('pairing_code_invalid', 'the pairing code is invalid or used');
    if (res.status === 429) throw new KioskError('too_many_requests', 'too many attempts; wait a minute');
    if (res.status < 200 || res.status > 299) {
      throw new KioskError('pairing_failed', `the hub answered ${res.status}`);
    }
    const body = decodeJson(PairResponseSchema, res.text);
    if (!body.ok || body.value.deviceId !== deviceId) {
      throw new KioskError('pairing_failed', 'the hub answered something that is not a pairing');
    }
    return body.value;
  }
}
