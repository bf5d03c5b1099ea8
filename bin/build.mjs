#!/usr/bin/env node
// npm run build (also npm install's `prepare` and npm start): writes dist/, the JavaScript genkan runs.
// The build tool itself is TypeScript, run through tsx.
import { register } from 'tsx/esm/api';

register();
const started = performance.now();
const { buildAll } = await import('../tools/build.ts');
await buildAll({ clean: true });
console.error(`genkan built into dist/ in ${Math.round(performance.now() - started)} ms`);
