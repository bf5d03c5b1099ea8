import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * The TCP sockets of a process on Linux, from /proc: its file descriptors name socket inodes
 * (`socket:[INODE]`), and /proc/net/tcp and tcp6 give each inode's addresses and state. What a test needs
 * to show who connected to whom between processes on one machine (e.g. that the cloud never opens a
 * connection to the hub) without tools such as ss or lsof.
 */

export interface TcpSocket {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** LISTEN, ESTABLISHED, CLOSE_WAIT, … */
  state: string;
  inode: string;
}

/** /proc/net/tcp's state codes (include/net/tcp_states.h). */
const STATES: Readonly<Record<string, string>> = {
  '01': 'ESTABLISHED',
  '02': 'SYN_SENT',
  '03': 'SYN_RECV',
  '04': 'FIN_WAIT1',
  '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE_WAIT',
  '09': 'LAST_ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
};

/** Whether this machine has what tcpSocketsOf reads. */
export function procSocketsAvailable(): boolean {
  return existsSync('/proc/net/tcp') && existsSync('/proc/self/fd');
}

/** An address of /proc/net/tcp{,6}: 32-bit words in host (little-endian) order, in hex. */
function address(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) as the IPv4 address, which is what it is.
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff') return bytes.slice(12).join('.');
  return groups.join(':');
}

function endpoint(text: string): { address: string; port: number } {
  const [addr = '', port = '0'] = text.split(':');
  return { address: address(addr), port: parseInt(port, 16) };
}

/** Every TCP socket of the machine (of this network namespace), IPv4 and IPv6. */
export function tcpTable(): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [, local, remote, state, , , , , , inode] = fields;
      if (local === undefined || remote === undefined || state === undefined || inode === undefined) continue;
      const l = endpoint(local);
      const r = endpoint(remote);
      out.push({
        localAddress: l.address,
        localPort: l.port,
        remoteAddress: r.address,
        remotePort: r.port,
        state: STATES[state] ?? state,
        inode,
      });
    }
  }
  return out;
}

/** The socket inodes a process holds open (all its threads share the descriptor table). */
export function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${String(pid)}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${String(pid)}/fd/${fd}`);
    } catch {
      // Closed between the listing and the read.
      continue;
    }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m?.[1] !== undefined) inodes.add(m[1]);
  }
  return inodes;
}

/** The TCP sockets the process holds: listening ones and connections, either way. */
export function tcpSocketsOf(pid: number): TcpSocket[] {
  const inodes = socketInodes(pid);
  return tcpTable().filter((s) => s.inode !== '0' && inodes.has(s.inode));
}

/** The ports the process listens on. */
export function listeningPorts(pid: number): Set<number> {
  return new Set(
    tcpSocketsOf(pid)
      .filter((s) => s.state === 'LISTEN')
      .map((s) => s.localPort),
  );
}

/** How a connection of a process came about, seen from its listening ports. */
export type ConnectionKind = 'listening' | 'accepted' | 'outbound';

/** A socket of a process: its own listener, a connection accepted on one, or one it opened. */
export function connectionKind(socket: TcpSocket, ownListening: ReadonlySet<number>): ConnectionKind {
  if (socket.state === 'LISTEN') return 'listening';
  return ownListening.has(socket.localPort) ? 'accepted' : 'outbound';
}
