import { CameraReader } from '../../hardware/camera.ts';
import { parseReaderSpec, type CredentialReader } from '../../hardware/reader.ts';
import type { Locale } from '../common/ui-api.ts';
import { startKiosk, type Kiosk, type KioskOptions } from './agent.ts';
import { KioskError } from './errors.ts';
import { bundleRenderer } from './renderer-bundle.ts';
import { KioskUiController } from './ui-controller.ts';
import { startUiServer, type UiServer } from './ui-server.ts';

/** How the kiosk shows its screen: none (headless JSON lines), a browser page, or the Electron shell. */
export const UI_MODES = ['none', 'browser', 'electron'] as const;
export type UiMode = (typeof UI_MODES)[number];

export interface KioskAppOptions extends Omit<KioskOptions, 'readers' | 'readyInfo'> {
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
  showScreen?: (server: UiServer, kiosk: Kiosk) => Promise<{ close(): Promise<void> }>;
}

export interface KioskApp {
  readonly kiosk: Kiosk;
  /** Set when a screen is served. */
  readonly ui: UiServer | undefined;
  close(): Promise<void>;
}

/**
 * The kiosk as the CLI runs it: the agent, and with a screen the loopback UI server and controller.
 * The camera reader exists only with a screen, because the screen owns the camera.
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
  if (mode === 'none') {
    const kiosk = await startKiosk({ ...agent, readers });
    return { kiosk, ui: undefined, close: () => kiosk.close() };
  }

  const server = await startUiServer({ port: uiPort ?? 0, bundle: await bundleRenderer(), logger });
  let kiosk: Kiosk;
  try {
    kiosk = await startKiosk({ ...agent, readers, readyInfo: { ui: server.url } });
  } catch (err) {
    await server.close();
    throw err;
  }
  const controller = new KioskUiController({
    kiosk,
    camera,
    logger,
    ...(defaultLocale !== undefined && { defaultLocale }),
    ...(autoConfirmMs !== undefined && { autoConfirmMs }),
    ...(speak !== undefined && { speak }),
  });
  server.serve(controller);
  let screen: { close(): Promise<void> } | undefined;
  const close = async (): Promise<void> => {
    await screen?.close();
    controller.close();
    await server.close();
    await kiosk.close();
  };
  try {
    screen = await showScreen?.(server, kiosk);
  } catch (err) {
    await close();
    throw err;
  }
  return { kiosk, ui: server, close };
}
