#!/usr/bin/env node
// The CLI runs as JavaScript built once by `npm run build` (npm install runs it through `prepare`).
import { existsSync } from 'node:fs';
import module from 'node:module';

const cli = new URL('../dist/node/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('genkan is not built yet: run `npm run build` (npm install does it through `prepare`)');
  process.exit(1);
}
// V8's code cache on disk (Node ≥ 22.1): later starts skip compiling what they load. A kiosk restarts
// after every power cut.
module.enableCompileCache?.();
await import(cli.href);
