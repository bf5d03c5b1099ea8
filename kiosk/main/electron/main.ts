import * as electron from 'electron';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../common/logger.ts';
import { errorMessage } from '../../../common/errors.ts';
import { configFromEnv, SHELL_ENV } from './config.ts';
import { SHELL_EXIT } from './exit-codes.ts';
import { startKioskShell } from './shell.ts';

// Entry of the Electron main process (bundled to main.cjs by launch.ts); all logic is in shell.ts.
const logger = createLogger().child({ ns: 'kiosk-shell' });
let config;
try {
  // __dirname: this file runs as the CommonJS bundle main.cjs, next to preload.cjs and renderer/.
  config = configFromEnv(process.env, __dirname);
} catch (err) {
  logger.fatal({ err: errorMessage(err) }, 'cannot start the kiosk shell');
  electron.app.exit(SHELL_EXIT.badConfig);
  throw err;
}
// The URL holds the UI token; Chromium's child processes need not inherit it.
Reflect.deleteProperty(process.env, SHELL_ENV.agentUrl);

const shell = startKioskShell(electron, config, {
  logger,
  xdgConfigHome: process.env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'),
  executable: process.env['APPIMAGE'] ?? process.execPath,
});
process.on('SIGTERM', () => {
  shell.quit();
});
process.on('SIGINT', () => {
  shell.quit();
});
