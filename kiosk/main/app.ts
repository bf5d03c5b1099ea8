import { CameraReader } from '../../hardware/camera.ts';
import { loadWebApp } from '../../common/web-bundle.ts';
import { createReaders, parseReaderSpec, type CredentialReader } from '../../hardware/reader.ts';
import type { Locale } from '../common/ui-api.ts';
import { startKiosk, type Kiosk, type KioskOptions } from './agent.ts';
import { KioskError } from './errors.ts';
import { OutOfOrderScreen } from './out-of-order.ts';
import { KioskStoreUnusableError } from './store/kiosk-store.ts';
import { KioskPairing, loadPairing, type HubCredentials } from './pairing.ts';
import { UI_DEFAULTS, type UiMode } from './defaults.ts';
import { KioskUiController } from './ui-controller.ts';
import { startUiServer, type UiServer } from './ui-server.ts';

/** The hub to connect to and this device's credentials. */
export interface HubLogin {
  hubUrl: string;
  deviceId: string;
  password: string;
  /** PEM of the hub's CA (pinned at pairing, or --hub-ca). */
  hubCa?: string;
}

export interface KioskAppOptions extends Omit<
  KioskOptions,
  'readers' | 'readyInfo' | 'hubUrl' | 'deviceId' | 'password' | 'hubCa'
> {
  /**
   * The hub login given on the command line. Without it the kiosk uses the one saved by an earlier
   * pairing, or, never paired, shows the pairing screen until staff scan the hub's pairing code.
   */
  login?: HubLogin;
  /** Reader specs (`stdin`, `pcsc`, `serial:…`, `camera`, …) or reader objects. */
  readers: readonly (CredentialReader | string)[];
  ui: UiMode;
  /** Port of the screen's loopback server (0: any free port). */
  uiPort?: number;
  defaultLocale?: Locale;
  autoConfirmMs?: number;
  speak?: boolean;
  /**
   * Shows the screen once it is served (browser mode: nothing by default, the ready line carries the
   * address; Electron mode: the CLI launches the shell here). Its close() runs first on shutdown.
   */
  showScreen?: (server: UiServer) => Promise<{ close(): Promise<void> }>;
  /** Called with the screen's address when the kiosk waits to be paired (the CLI prints it). */
  onPairing?: (ui: string) => void;
  /**
   * Called when the kiosk's database cannot be opened and the screen says out of order (the CLI prints a
   * coded line; never a ready line). Headless, startKioskApp throws instead (the process exits 1).
   */
  onOutOfOrder?: (ui: string, err: KioskStoreUnusableError) => void;
}

export interface KioskApp {
  /** Undefined when the kiosk is out of order (its screen says so; nothing is recorded). */
  readonly kiosk: Kiosk | undefined;
  /** Set when a screen is served. */
  readonly ui: UiServer | undefined;
  close(): Promise<void>;
}

/** The hub login a pairing saved. */
function loginOf(creds: HubCredentials): HubLogin {
  const { hubUrl, deviceId, password, hubCa } = creds;
  return { hubUrl, deviceId, password, ...(hubCa !== undefined && { hubCa }) };
}

/**
 * The kiosk as the CLI runs it: the agent, and with a screen the loopback UI server and controller.
 * The camera reader exists only with a screen, because the screen owns the camera. A kiosk never paired
 * shows the pairing screen first and resolves once paired and started.
 */
export async function startKioskApp(options: KioskAppOptions): Promise<KioskApp> {
  const {
    ui: mode,
    readers: given,
    uiPort,
    defaultLocale,
    autoConfirmMs,
    speak,
    showScreen,
    onPairing,
    onOutOfOrder,
    login: givenLogin,
    ...agent
  } = options;
  const logger = agent.logger;
  let camera: CameraReader | undefined;
  const readers = given.map((r) => {
    if (typeof r !== 'string' || parseReaderSpec(r).kind !== 'camera') return r;
    if (mode === 'none') {
      throw new KioskError(
        'camera_needs_screen',
        'the camera reader needs a screen: --ui browser or electron',
      );
    }
    camera ??= new CameraReader({
      logger: logger.child({ ns: 'kiosk.reader' }),
      ...(agent.clock && { clock: agent.clock }),
    });
    return camera;
  });
  const saved = givenLogin ? undefined : await loadPairing(agent.dataDir);
  let login: HubLogin | undefined = givenLogin ?? (saved && loginOf(saved));
  const facilityId = agent.facilityId ?? saved?.facilityId;

  if (mode === 'none') {
    if (!login) {
      throw new KioskError(
        'not_paired',
        'this kiosk is not paired with a hub: give --hub, --device and --password, or start it with a screen (--ui browser) and scan the hub pairing code',
      );
    }
    const kiosk = await startKiosk({
      ...agent,
      ...login,
      ...(facilityId !== undefined && { facilityId }),
      readers,
    });
    return { kiosk, ui: undefined, close: () => kiosk.close() };
  }

  const server = await startUiServer({ port: uiPort ?? 0, bundle: await loadWebApp('kiosk'), logger });
  let screen: { close(): Promise<void> } | undefined;
  let kiosk: Kiosk | undefined;
  let controller: KioskUiController | undefined;
  const close = async (): Promise<void> => {
    await screen?.close();
    controller?.close();
    await server.close();
    await kiosk?.close();
  };
  const settings = {
    defaultLocale: defaultLocale ?? UI_DEFAULTS.defaultLocale,
    autoConfirmMs: autoConfirmMs ?? UI_DEFAULTS.autoConfirmMs,
    speak: speak ?? UI_DEFAULTS.speak,
  };
  try {
    screen = await showScreen?.(server);
    let pairedFacility = facilityId;
    let objects = readers;
    if (!login) {
      // Readers are created now so the pairing code can come from any of them; the agent takes them over.
      const specs = readers.filter((r): r is string => typeof r === 'string');
      const created = createReaders(specs, {
        logger: logger.child({ ns: 'kiosk.reader' }),
        ...(agent.clock && { clock: agent.clock }),
        ...(agent.readerInput && { input: agent.readerInput }),
        ...(agent.readerOutput && { output: agent.readerOutput }),
      });
      let i = 0;
      objects = readers.map((r) => (typeof r === 'string' ? (created[i++] ?? r) : r));
      const live = objects.filter((r): r is CredentialReader => typeof r !== 'string');
      const pairing = new KioskPairing({ dataDir: agent.dataDir, readers: live, camera, logger, settings });
      server.serve(pairing);
      await Promise.all(live.map((r) => r.open()));
      onPairing?.(server.url);
      const creds = await pairing.paired;
      pairing.close();
      login = loginOf(creds);
      pairedFacility = creds.facilityId;
    }
    kiosk = await startKiosk({
      ...agent,
      ...login,
      ...(pairedFacility !== undefined && { facilityId: pairedFacility }),
      readers: objects,
      readyInfo: { ui: server.url },
    });
    controller = new KioskUiController({ kiosk, camera, logger, ...settings });
    server.serve(controller);
  } catch (err) {
    if (!(err instanceof KioskStoreUnusableError)) {
      await close();
      throw err;
    }
    // The screen stays up and says so, until staff come: a dark or frozen screen would be tapped at.
    logger.error({ code: err.code, err: err.message }, 'kiosk out of order: its database cannot be used');
    server.serve(new OutOfOrderScreen({ deviceId: login?.deviceId ?? 'unpaired', code: err.code, settings }));
    onOutOfOrder?.(server.url, err);
  }
  return { kiosk, ui: server, close };
}
