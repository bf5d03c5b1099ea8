import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildKioskApp } from './launch.ts';

// npm run build:kiosk: writes dist/kiosk/, the app folder electron-builder packages (electron-builder.yml).
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const files = await buildKioskApp(join(root, 'dist', 'kiosk'));
process.stdout.write(`${JSON.stringify({ built: files.dir })}\n`);
