import { hostname, networkInterfaces } from 'node:os';
import type { ServerNames } from './certificates.ts';

/**
 * The names and addresses devices may reach this machine at: localhost and the loopback addresses, the
 * host name, and every address of a non-internal interface (IPv6 link-local ones only work with a zone,
 * which a certificate cannot name: left out).
 */
export function hostNames(): ServerNames {
  const dns = new Set(['localhost']);
  const host = hostname().toLowerCase();
  if (/^[a-z0-9.-]{1,253}$/.test(host)) dns.add(host);
  const ips = new Set(['127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.internal || (info.family === 'IPv6' && info.scopeid !== 0)) continue;
      ips.add(info.address);
    }
  }
  return { dns: [...dns], ips: [...ips] };
}
