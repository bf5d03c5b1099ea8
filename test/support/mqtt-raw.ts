import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** MQTT's variable-length "remaining length". */
function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  let x = n;
  do {
    let b = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) b |= 0x80;
    bytes.push(b);
  } while (x > 0);
  return Buffer.from(bytes);
}

function utf8(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([len, body]);
}

/** An MQTT 3.1.1 CONNECT, clean session, with username and password. */
export function connectPacket(o: {
  clientId: string;
  username: string;
  password: string;
  keepalive: number;
}): Buffer {
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(o.keepalive);
  const variable = Buffer.concat([utf8('MQTT'), Buffer.from([4, 0x80 | 0x40 | 0x02]), keepalive]);
  const body = Buffer.concat([variable, utf8(o.clientId), utf8(o.username), utf8(o.password)]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

/** An MQTT SUBSCRIBE of one topic filter at QoS `qos`. */
export function subscribePacket(topic: string, qos: 0 | 1, messageId = 1): Buffer {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(messageId);
  const body = Buffer.concat([id, utf8(topic), Buffer.from([qos])]);
  return Buffer.concat([Buffer.from([0x82]), remainingLength(body.length), body]);
}

export interface RawTarget {
  port: number;
  host?: string;
  /** Source address (e.g. 127.0.0.2, to come from another address than the devices on loopback). */
  localAddress?: string;
  /** TLS with this CA (PEM); plain TCP when absent. */
  ca?: string;
}

/** Opens a TCP or TLS connection; resolves once it can carry MQTT (after the TLS handshake). */
export function rawConnect(target: RawTarget): Promise<Socket> {
  const host = target.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const base = {
      port: target.port,
      host,
      ...(target.localAddress && { localAddress: target.localAddress }),
    };
    const socket =
      target.ca === undefined
        ? netConnect(base, () => {
            socket.off('error', reject);
            resolve(socket);
          })
        : tlsConnect({ ...base, ca: target.ca, servername: 'localhost' }, () => {
            socket.off('error', reject);
            resolve(socket);
          });
    socket.once('error', reject);
  });
}

/**
 * One login: connects, sends CONNECT and resolves with the CONNACK's return code, or 'closed' when the
 * connection ended without one (dropped before the handshake, say). The connection is closed after.
 */
export async function rawLogin(
  target: RawTarget,
  login: { clientId: string; username: string; password: string; keepalive?: number },
): Promise<number | 'closed'> {
  let socket: Socket;
  try {
    socket = await rawConnect(target);
  } catch {
    return 'closed';
  }
  return new Promise((resolve) => {
    let got = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= 4 && got[0] === 0x20) {
        resolve(got[3] ?? -1);
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      resolve('closed');
    });
    socket.write(connectPacket({ keepalive: 60, ...login }));
  });
}
