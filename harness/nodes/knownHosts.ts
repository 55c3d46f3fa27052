// OpenSSH's known_hosts file, read as text: which keys it lists for a host and port (plain or hashed host
// names), and the host field to write for a newly accepted key. Pure; ssh.ts does the reading and writing.
import { createHmac } from 'node:crypto';

/** The key type (ssh-ed25519, ...) named inside a public key blob. */
export function keyType(blob: Buffer): string {
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** The known_hosts host field for host and port, as OpenSSH writes it. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function hostMatches(field: string, name: string): boolean {
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('|1|')) {
      const [, , salt = '', hash = ''] = pattern.split('|');
      const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
      if (mac === hash) return true;
    } else if (pattern === name) {
      return true;
    }
  }
  return false;
}

/** The keys known_hosts lists for host:port [type, base64 blob][]. */
export function knownKeysFor(knownHosts: string, host: string, port: number): [string, string][] {
  const name = knownHostsName(host, port);
  const keys: [string, string][] = [];
  for (const raw of knownHosts.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    // An optional marker (@cert-authority, @revoked) comes first; neither is supported, so skip those lines.
    if (fields[0]?.startsWith('@')) continue;
    const [hosts, type, blob] = fields;
    if (hosts !== undefined && type !== undefined && blob !== undefined && hostMatches(hosts, name))
      keys.push([type, blob]);
  }
  return keys;
}
