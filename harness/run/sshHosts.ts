// A campaign's ssh hosts as connection settings: the nodes-level defaults merged into each host, relative
// paths resolved against the campaign file (a run must not depend on the directory it was started from).
// The run stores them in its directory (ssh-hosts.json) before connecting, so `faultline clean --heal` can
// reach the same hosts after the harness died, however the campaign file has moved since.
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { CampaignSpec } from '../campaign/campaignSchema.ts';
import type { SshHostConfig } from '../nodes/ssh.ts';
import { runFiles } from '../../results/runDirectory.ts';

export type SshNodesSpec = Extract<CampaignSpec['nodes'], { backend: 'ssh' }>;

/** What ssh-hosts.json holds per host: no key material, only where the key is. */
export type StoredSshHost = Required<Pick<SshHostConfig, 'host' | 'port' | 'user' | 'name'>> &
  Pick<SshHostConfig, 'privateKeyPath' | 'knownHostsPath' | 'acceptNewHostKeys'>;

/** ~/x is under the home directory; a relative path is relative to `baseDir`; absolute paths stay. */
function resolvePath(path: string, baseDir: string): string {
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** The hosts of an ssh campaign, each with every setting it ends up using. */
export function sshHostConfigs(spec: SshNodesSpec, campaignFile: string): StoredSshHost[] {
  const baseDir = dirname(resolve(campaignFile));
  return spec.hosts.map((h, i) => {
    const keyPath = h.privateKeyPath ?? spec.privateKeyPath;
    const knownHostsPath = h.knownHostsPath ?? spec.knownHostsPath;
    const acceptNew = h.acceptNewHostKeys ?? spec.acceptNewHostKeys;
    return {
      host: h.host,
      port: h.port,
      user: h.user ?? spec.user ?? 'root',
      name: h.name ?? `n${i + 1}`,
      ...(keyPath !== undefined && { privateKeyPath: resolvePath(keyPath, baseDir) }),
      ...(knownHostsPath !== undefined && { knownHostsPath: resolvePath(knownHostsPath, baseDir) }),
      ...(acceptNew !== undefined && { acceptNewHostKeys: acceptNew }),
    };
  });
}

export function writeSshHosts(runDir: string, hosts: readonly StoredSshHost[]): void {
  writeFileSync(join(runDir, runFiles.sshHosts), `${JSON.stringify({ hosts }, null, 2)}\n`);
}

function isStoredHost(x: unknown): x is StoredSshHost {
  if (typeof x !== 'object' || x === null) return false;
  const h = x as Record<string, unknown>;
  return (
    typeof h['host'] === 'string' &&
    typeof h['port'] === 'number' &&
    typeof h['user'] === 'string' &&
    typeof h['name'] === 'string' &&
    ['string', 'undefined'].includes(typeof h['privateKeyPath']) &&
    ['string', 'undefined'].includes(typeof h['knownHostsPath']) &&
    ['boolean', 'undefined'].includes(typeof h['acceptNewHostKeys'])
  );
}

/** The ssh hosts a run used, or undefined when the run was not on ssh hosts (no ssh-hosts.json). */
export function readSshHosts(runDir: string): StoredSshHost[] | undefined {
  const path = join(runDir, runFiles.sshHosts);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const data = JSON.parse(text) as { hosts?: unknown };
  if (!Array.isArray(data.hosts) || !data.hosts.every(isStoredHost))
    throw new Error(`${path} does not list ssh hosts as faultline writes them`);
  return data.hosts;
}
