import type { Command } from 'commander';
import { GenkanError } from '../common/errors.ts';
import type { HubOptions, HubPorts } from '../edge-hub/hub.ts';
import { fail, parsePort } from './util.ts';

/** `genkan hub`'s listener options (issue 15): TLS by default, plain listeners only with --plain. */
export interface HubListenerCliOptions {
  mqttsPort: number;
  wssPort: number;
  httpsPort: number;
  plain?: true;
  mqttPort: number;
  wsPort: number;
  httpPort: number;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  trustProxy?: true | string;
}

const PLAIN_PORTS = ['mqttPort', 'wsPort', 'httpPort'] as const;

/** Adds the listener options to `genkan hub` (the plain ports keep their flags and defaults). */
export function addListenerOptions(hub: Command): Command {
  return hub
    .option('--mqtts-port <n>', 'MQTT over TLS port (0: any free port)', parsePort, 8883)
    .option('--wss-port <n>', 'MQTT over secure WebSocket port (0: any free port)', parsePort, 9443)
    .option(
      '--https-port <n>',
      'HTTPS port: admin API, tablet and admin apps (0: any free port)',
      parsePort,
      8443,
    )
    .option(
      '--plain',
      'also serve plain MQTT, MQTT over WebSocket and HTTP, for legacy devices on a trusted network only: everything on them is readable on the LAN',
    )
    .option('--mqtt-port <n>', 'plain MQTT port, with --plain (0: any free port)', parsePort, 1883)
    .option(
      '--ws-port <n>',
      'plain MQTT over WebSocket port, with --plain (0: any free port)',
      parsePort,
      9001,
    )
    .option('--http-port <n>', 'plain HTTP port, with --plain (0: any free port)', parsePort, 8080)
    .option(
      '--tls-cert <file>',
      "the operator's server certificate (PEM, chain after it) instead of the hub's own",
    )
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
    .option(
      '--tls-ca <file>',
      'the CA certificate clients trust for --tls-cert (default: the --tls-cert file)',
    )
    .option(
      '--trust-proxy [addresses]',
      'behind a reverse proxy: believe X-Forwarded-For/-Proto from these comma-separated addresses (alone: from any peer)',
    );
}

/** The HubOptions the listener flags make; fails the command on flags that do not go together. */
export function listenerHubOptions(
  opts: HubListenerCliOptions,
  command: Command,
): Pick<
  HubOptions,
  'mqttsPort' | 'wssPort' | 'httpsPort' | 'mqttPort' | 'wsPort' | 'httpPort' | 'tlsFiles' | 'trustProxy'
> {
  const given = PLAIN_PORTS.filter((k) => command.getOptionValueSource(k) === 'cli');
  if (opts.plain !== true && given.length > 0) {
    fail(
      new GenkanError(
        'bad_usage',
        '--mqtt-port, --ws-port and --http-port are the plain listeners: they need --plain (the TLS ones are --mqtts-port, --wss-port, --https-port)',
      ),
    );
  }
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
    fail(new GenkanError('bad_usage', '--tls-cert and --tls-key go together'));
  }
  if (opts.tlsCa !== undefined && opts.tlsCert === undefined) {
    fail(new GenkanError('bad_usage', '--tls-ca goes with --tls-cert and --tls-key'));
  }
  return {
    mqttsPort: opts.mqttsPort,
    wssPort: opts.wssPort,
    httpsPort: opts.httpsPort,
    ...(opts.plain === true && { mqttPort: opts.mqttPort, wsPort: opts.wsPort, httpPort: opts.httpPort }),
    ...(opts.tlsCert !== undefined &&
      opts.tlsKey !== undefined && {
        tlsFiles: {
          certFile: opts.tlsCert,
          keyFile: opts.tlsKey,
          ...(opts.tlsCa !== undefined && { caFile: opts.tlsCa }),
        },
      }),
    ...(opts.trustProxy !== undefined && { trustProxy: opts.trustProxy }),
  };
}

/** The ready line's listener fields: what integrators need (the plain ports only when they listen). */
export function readyListeners(hub: {
  ports: HubPorts;
  tls: { caFile: string; fingerprint: string };
}): Record<string, string | number> {
  const { mqtts, wss, https, mqtt, ws, http } = hub.ports;
  return {
    mqtts,
    wss,
    https,
    caFile: hub.tls.caFile,
    caFingerprint: hub.tls.fingerprint,
    ...(mqtt !== undefined && { mqtt }),
    ...(ws !== undefined && { ws }),
    ...(http !== undefined && { http }),
  };
}

/**
 * The CA fingerprint a pairing code for `hubUrl` carries: for an https address, of --hub-ca or else the
 * hub's own CA in its data dir; none for plain http.
 */
export async function pairingFingerprint(
  hubUrl: string,
  dataDir: string,
  hubCa: string | undefined,
): Promise<string | undefined> {
  if (!hubUrl.startsWith('https:')) return undefined;
  const { caFileFingerprint, hubCaFile } = await import('../edge-hub/tls/ca-file.ts');
  const file = hubCa ?? hubCaFile(dataDir);
  try {
    return caFileFingerprint(file);
  } catch (err) {
    if (err instanceof GenkanError && err.code === 'tls_ca_missing' && hubCa === undefined) {
      fail(
        new GenkanError(
          'tls_ca_missing',
          `${file} does not exist: start the hub once (it makes its CA), or give --hub-ca with the CA devices should trust`,
        ),
      );
    }
    fail(err);
  }
}
