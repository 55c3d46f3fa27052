// What the ssh end-to-end tests share: three "machines" that are node containers (names fl-ssh-*) running sshd
// on a docker network of their own, reached from this host by their addresses with key auth. The harness
// under test only ever sees them as ssh hosts; the tests keep docker access to look at them from outside
// (iptables rules, processes) without going through the code they test.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import ssh2 from 'ssh2';
import { createDockerCluster, removeRunResources, type DockerCluster } from '../../../harness/nodes/cluster.ts';
import type { DockerRemote } from '../../../harness/nodes/docker.ts';
import { ensureNodeImage } from '../../../harness/nodes/nodeImage.ts';
import { execOrThrow } from '../../../harness/nodes/remote.ts';
import { connectSsh } from '../../../harness/nodes/ssh.ts';

export interface SshTestHosts {
  /** A temp folder holding the key, known_hosts files and whatever the test puts there. */
  dir: string;
  /** The private key whose public half every host authorizes, for root and for the sudo user faultline. */
  keyPath: string;
  /** `address key-type key` per host, as `ssh-keyscan` would print them. */
  knownHostsLines: string[];
  /** Docker access to the same machines, for looking at them from outside. */
  containers: DockerCluster;
  /** The hosts' addresses, n1..nN. */
  addresses: string[];
  destroy(): Promise<void>;
}

/** Starts `count` sshd hosts and returns once each accepts an ssh login. */
/** `image`: the hosts' image (default the node image), e.g. a system's, so its packages are there already. */
export async function startSshTestHosts(label: string, count = 3, image?: string): Promise<SshTestHosts> {
  const dir = await mkdtemp(join(tmpdir(), `fl-ssh-${label}-`));
  const keys = ssh2.utils.generateKeyPairSync('ed25519');
  const keyPath = join(dir, 'id_ed25519');
  await writeFile(keyPath, keys.private, { mode: 0o600 });
  const runId = `${label}-${randomBytes(3).toString('hex')}`;
  let containers: DockerCluster | undefined;
  const destroy = async (): Promise<void> => {
    await containers?.destroy();
    await removeRunResources({ runId });
    await rm(dir, { recursive: true, force: true });
  };
  try {
    containers = await createDockerCluster({
      runId,
      nodes: count,
      namePrefix: 'fl-ssh',
      image: image ?? (await ensureNodeImage()),
    });
    const knownHostsLines: string[] = [];
    for (const node of containers.nodes) {
      for (const [home, owner] of [
        ['/root', 'root'],
        ['/home/faultline', 'faultline'],
      ] as const) {
        await node.writeFile(`${home}/.ssh/authorized_keys`, `${keys.public}\n`, { mode: 0o600 });
        await execOrThrow(node, ['chown', '-R', `${owner}:${owner}`, `${home}/.ssh`]);
        await execOrThrow(node, ['chmod', '700', `${home}/.ssh`]);
      }
      const hostKey = (await execOrThrow(node, ['faultline-start-sshd'])).trim().split(' ').slice(0, 2).join(' ');
      knownHostsLines.push(`${node.address} ${hostKey}`);
    }
    const knownHostsPath = join(dir, 'known_hosts.setup');
    await writeFile(knownHostsPath, `${knownHostsLines.join('\n')}\n`);
    // sshd may take a moment to listen.
    await Promise.all(
      containers.nodes.map(async (node) => {
        for (let attempt = 0; ; attempt++) {
          try {
            const onWarning = (m: string): void => {
              process.stderr.write(`${m}\n`);
            };
            await (
              await connectSsh({ host: node.address, privateKeyPath: keyPath, knownHostsPath, onWarning })
            ).close();
            return;
          } catch (e) {
            if (attempt >= 40) throw e;
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        }
      }),
    );
    return {
      dir,
      keyPath,
      knownHostsLines,
      containers,
      addresses: containers.nodes.map((n) => n.address),
      destroy,
    };
  } catch (e) {
    await destroy().catch(() => undefined);
    throw e;
  }
}

// Real-clock faults, as far as they can be tested here. Containers share this machine's kernel clock, so the
// clock is NEVER set: the host's `date` is replaced (earlier in root's and sudo's PATH, /usr/local/bin) by a
// recording stand-in that answers `date +%s%N` with a fixed time and records `date -s` without doing it, and
// `systemctl` by one that says chrony runs. The container must lack CAP_SYS_TIME too (checked first), so even a
// real `date -s` would fail.
export const dateLog = '/var/log/fl-ssh-date-calls';
export const systemctlLog = '/var/log/fl-ssh-systemctl-calls';
/** While this file exists the stand-in fails `date -s` as an unprivileged date would. */
export const failSetFlag = '/var/run/fl-ssh-date-set-fails';
/** What the stand-in `date +%s%N` answers: 2023-11-14T22:13:20.123456789Z. */
export const fakeNowNs = '1700000000123456789';

// Each call is recorded with the caller's uid; `date -s` is never passed on.
const dateShim = `#!/bin/sh
echo "$(id -u) $*" >>${dateLog}
for a in "$@"; do case $a in -s|--set|--set=*) [ -f ${failSetFlag} ] && { echo "date: cannot set date: Operation not permitted" >&2; exit 1; }; echo "(recorded, not set)"; exit 0;; esac; done
if [ "$*" = "+%s%N" ]; then echo ${fakeNowNs}; exit 0; fi
exec /usr/bin/date "$@"
`;
const systemctlShim = `#!/bin/sh
echo "$*" >>${systemctlLog}
case "$*" in "is-active --quiet chrony") exit 0;; is-active*) exit 3;; *) exit 0;; esac
`;

/** CAP_SYS_TIME is bit 25 of the capability sets. */
function hasSysTime(procStatus: string): boolean {
  const bounding = /^CapBnd:\s*([0-9a-f]+)$/m.exec(procStatus)?.[1];
  if (bounding === undefined) throw new Error('no CapBnd line in /proc/1/status');
  return (BigInt(`0x${bounding}`) & (1n << 25n)) !== 0n;
}

/** Puts the recording `date` and `systemctl` on a host, after making sure it cannot set the clock anyway. */
export async function installClockRecorder(node: DockerRemote): Promise<void> {
  if (hasSysTime(await execOrThrow(node, ['cat', '/proc/1/status'])))
    throw new Error(`${node.containerName} has CAP_SYS_TIME: refusing to test clock commands where they could work`);
  await node.writeFile('/usr/local/bin/date', dateShim, { mode: 0o755 });
  await node.writeFile('/usr/local/bin/systemctl', systemctlShim, { mode: 0o755 });
}

export interface SshCampaignOptions {
  name: string;
  addresses: readonly string[];
  /** Paths as the campaign file gives them (relative ones are relative to the campaign file). */
  privateKeyPath: string;
  knownHostsPath: string;
  acceptNewHostKeys: boolean;
  phases: string;
  nemesis: string;
  seed: number;
  /** The campaign's `system:` and `workload:` values; default raft-kv and a register. */
  system?: string;
  workload?: string;
}

/** A campaign on the hosts (raft-kv on a register by default), logging in as the sudo user `faultline`. */
export function sshCampaignText(o: SshCampaignOptions): string {
  return [
    `name: ${o.name}`,
    `system: ${o.system ?? 'raft-kv'}`,
    'nodes:',
    '  backend: ssh',
    '  user: faultline',
    `  privateKeyPath: ${o.privateKeyPath}`,
    `  knownHostsPath: ${o.knownHostsPath}`,
    `  acceptNewHostKeys: ${o.acceptNewHostKeys}`,
    '  hosts:',
    ...o.addresses.map((a, i) => `    - { host: ${a}, name: n${i + 1} }`),
    `workload: ${o.workload ?? '{ name: register }'}`,
    'clients: { concurrency: 4, timeout: 1s }',
    `phases: ${o.phases}`,
    `nemesis: ${o.nemesis}`,
    'checkers: [linearizable]',
    `seed: ${o.seed}`,
    '',
  ].join('\n');
}

const cli = fileURLToPath(new URL('../../../bin/faultline.js', import.meta.url));

/** `faultline run` of a campaign file into `store`, without a report; prints its wall time, labelled. */
export async function runSshCampaign(
  campaignFile: string,
  store: string,
  label: string,
): Promise<{ exitCode: number | undefined; output: string }> {
  const started = Date.now();
  const run = await execa('node', [cli, 'run', campaignFile, '--store', store, '--progress', 'plain', '--no-report'], {
    reject: false,
    all: true,
    timeout: 400_000,
    env: { NO_COLOR: '1' },
  });
  process.stdout.write(`# faultline run ${label} took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return { exitCode: run.exitCode, output: run.all };
}
