import { readFileSync } from 'node:fs';
import { rawLogin } from '../test/support/mqtt-raw.ts';

/**
 * The flood of bench/login-flood.ts, in a process of its own so that its handshakes do not share the
 * measuring process's event loop: RATE wrong-password logins per second from 127.0.0.2 to PORT (TLS with
 * CA_FILE, or plain without), each on a new connection, without waiting for earlier ones. Prints a ready
 * line, then on SIGTERM a line with what the hub answered ({ codes: { "4": n, "3": n, "closed": n } }).
 *   node bin/run-ts.mjs bench/login-flood-client.ts PORT RATE [CA_FILE]
 */
const [portArg, rateArg, caFile] = process.argv.slice(2);
const port = Number(portArg);
const rate = Number(rateArg);
const ca = caFile === undefined ? undefined : readFileSync(caFile, 'utf8');
const codes = new Map<string, number>();
let sent = 0;
let answered = 0;
const started = performance.now();

const fire = () => {
  sent++;
  void rawLogin(
    { port, localAddress: '127.0.0.2', ...(ca !== undefined && { ca }) },
    { clientId: 'kiosk-1', username: 'kiosk-1', password: 'not-the-password' },
  ).then((code) => {
    answered++;
    codes.set(String(code), (codes.get(String(code)) ?? 0) + 1);
  });
};

// Every 10 ms, as many as keep the rate since the start (timers drift; the count does not).
const timer = setInterval(() => {
  const due = Math.floor(((performance.now() - started) / 1000) * rate);
  while (sent < due) fire();
}, 10);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

process.on('SIGTERM', () => {
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${JSON.stringify({ done: true, sent, answered, seconds, codes: Object.fromEntries(codes) })}\n`,
  );
  process.exit(0);
});
