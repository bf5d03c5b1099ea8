import { request } from 'node:https';
import { connect, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import { certFingerprint } from '../../protocol/index.ts';
import { KioskError } from './errors.ts';

/**
 * TLS towards a hub whose CA the kiosk pinned: that CA alone is trusted, and it is the hub's identity,
 * so the name in the certificate is not checked (devices reach a hub by whatever address it has).
 */
export function pinnedTls(ca: string): {
  ca: string;
  rejectUnauthorized: true;
  checkServerIdentity: () => undefined;
} {
  return { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
}

function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** A certificate of a chain as Node hands it over: the last one sent may have no issuer linked. */
type ChainLink = Omit<DetailedPeerCertificate, 'issuerCertificate'> & { issuerCertificate?: ChainLink };

/** The certificates the server sent, leaf first (linked by issuer; a self-signed one links to itself). */
function chainOf(leaf: ChainLink): PeerCertificate[] {
  const out: PeerCertificate[] = [];
  let cert: ChainLink | undefined = leaf;
  while (cert !== undefined && Object.keys(cert).length > 0 && !out.includes(cert)) {
    out.push(cert);
    cert = cert.issuerCertificate;
  }
  return out;
}

/**
 * Connects to the hub at `hubUrl` (https) and returns, as PEM, the certificate of its chain whose
 * fingerprint the pairing code names. Nothing is sent but the TLS handshake: the chain is not trusted
 * yet, and the pairing code goes out only over a connection verified against the certificate found
 * here (a stranger can show the hub's CA certificate, but cannot present a server certificate it signed).
 */
export function fetchPinnedCa(hubUrl: string, fingerprint: string, timeoutMs: number): Promise<string> {
  const url = new URL(hubUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? 443 : Number(url.port);
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      // An address is no server name (SNI); the pinned CA is what identifies the hub anyway.
      ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }),
      rejectUnauthorized: false,
    });
    const fail = (err: KioskError) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => {
      fail(new KioskError('hub_unreachable', `the hub did not answer within ${timeoutMs} ms`));
    });
    socket.once('error', (err: Error) => {
      fail(new KioskError('hub_unreachable', `the hub did not answer: ${err.message}`));
    });
    socket.once('secureConnect', () => {
      socket.setTimeout(0);
      const pinned = chainOf(socket.getPeerCertificate(true)).find(
        (cert) => certFingerprint(cert.raw) === fingerprint,
      );
      socket.end();
      if (pinned === undefined) {
        fail(
          new KioskError('hub_not_trusted', 'the hub at this address is not the one the pairing code names'),
        );
        return;
      }
      resolve(toPem(pinned.raw));
    });
  });
}

/** POSTs JSON over TLS trusting `ca` only; the status and body of the answer. */
export function postPinned(
  url: URL,
  body: unknown,
  ca: string,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': data.length },
        ...pinnedTls(ca),
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => {
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    });
    req.on('error', reject);
    req.end(data);
  });
}
