// The ssh backend against real sshd instances in node containers: the same Remote contract as docker, as root
// and as a sudo user; host key checking (unknown keys refused, accepted only when asked, loudly; changed keys
// refused); an authentication failure that names host, user and key. Skips (saying why) without an engine.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ssh2 from 'ssh2';
import { UserError } from '../../../harness/errors.ts';
import { connectSshCluster } from '../../../harness/nodes/sshCluster.ts';
import type { DockerCluster } from '../../../harness/nodes/cluster.ts';
import { execOrThrow } from '../../../harness/nodes/remote.ts';
import { connectSsh } from '../../../harness/nodes/ssh.ts';
import type { SshRemote } from '../../../harness/nodes/ssh.ts';
import { dockerSkip } from '../dockerEngine.ts';
import { startSshTestHosts, type SshTestHosts } from '../ssh/sshTestHosts.ts';
import { remoteConformanceTests } from './remoteConformance.ts';

const skip = dockerSkip('ssh host tests');
// The host keys are recorded beforehand, so no warning is expected; one would show in the test's output.
const onWarning = (m: string): void => {
  process.stderr.write(`${m}\n`);
};

describe('ssh hosts (sshd in node containers)', { skip, timeout: 600_000 }, () => {
  let hosts: SshTestHosts | undefined;
  let cluster: DockerCluster | undefined;
  let dir = '';
  const remotes: SshRemote[] = [];
  let keyPath = '';
  let knownHostsPath = '';
  /** Per host, `key-type key` as known_hosts lists it. */
  let hostKeys: string[] = [];

  after(async () => {
    await Promise.all(remotes.map((r) => r.close()));
    await hosts?.destroy();
  });

  before(async () => {
    hosts = await startSshTestHosts('test-ssh', 2);
    ({ dir, keyPath, containers: cluster } = hosts);
    hostKeys = hosts.knownHostsLines.map((line) => line.split(' ').slice(1, 3).join(' '));
    knownHostsPath = join(dir, 'known_hosts');
    await writeFile(knownHostsPath, `${hosts.knownHostsLines.join('\n')}\n`);
    for (const [i, user] of [
      [0, 'root'],
      [1, 'faultline'],
    ] as const) {
      const node = cluster.nodes[i]!;
      remotes.push(
        await connectSsh({
          host: node.address,
          user,
          privateKeyPath: keyPath,
          knownHostsPath,
          name: node.name,
          onWarning,
        }),
      );
    }
  });

  describe('the Remote contract as root', () => {
    remoteConformanceTests(() => remotes[0]!);
  });

  describe('the Remote contract as a sudo user', () => {
    remoteConformanceTests(() => remotes[1]!);
    it('really runs through sudo as root', async () => {
      const r = await remotes[1]!.exec(['id', '-un']);
      assert.equal(r.stdout.trim(), 'root');
    });
  });

  it('refuses a host key that is not in known_hosts, and says how to add it', async () => {
    const empty = join(dir, 'known_hosts_empty');
    await writeFile(empty, '');
    await assert.rejects(
      connectSsh({ host: cluster!.nodes[0]!.address, privateKeyPath: keyPath, knownHostsPath: empty, onWarning }),
      (e: unknown) => e instanceof UserError && /not in/.test(e.message) && /ssh-keyscan/.test(e.hint ?? ''),
    );
  });

  it('accepts a new host key only when asked, warns loudly, and records it', async () => {
    const fresh = join(dir, 'known_hosts_fresh');
    const warnings: string[] = [];
    const remote = await connectSsh({
      host: cluster!.nodes[0]!.address,
      privateKeyPath: keyPath,
      knownHostsPath: fresh,
      acceptNewHostKeys: true,
      onWarning: (m) => warnings.push(m),
    });
    await remote.close();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /WARNING: accepted a NEW ssh host key/);
    const recorded = await readFile(fresh, 'utf8');
    assert.ok(recorded.includes(hostKeys[0]!.split(' ')[1]!), 'the key was recorded');
  });

  it('refuses a changed host key even when accepting new ones', async () => {
    const wrong = join(dir, 'known_hosts_wrong');
    // n2's key listed for n1's address: a mismatch.
    await writeFile(wrong, `${cluster!.nodes[0]!.address} ${hostKeys[1]!}\n`);
    await assert.rejects(
      connectSsh({
        host: cluster!.nodes[0]!.address,
        privateKeyPath: keyPath,
        knownHostsPath: wrong,
        acceptNewHostKeys: true,
        onWarning,
      }),
      (e: unknown) => e instanceof UserError && /CHANGED/.test(e.message),
    );
  });

  it('an authentication failure names the host, the user and the key', async () => {
    const otherKey = join(dir, 'other_key');
    await writeFile(otherKey, ssh2.utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
    const host = cluster!.nodes[0]!.address;
    await assert.rejects(
      connectSsh({ host, user: 'root', privateKeyPath: otherKey, knownHostsPath, onWarning }),
      (e: unknown) => {
        assert.ok(e instanceof UserError);
        assert.match(e.message, new RegExp(`root@${host.replaceAll('.', '\\.')}:22`));
        assert.ok(e.message.includes(otherKey));
        return true;
      },
    );
  });

  it('connectSshCluster connects to every host with shared defaults, and fails whole when one fails', async () => {
    const hosts = cluster!.nodes.map((n) => ({ host: n.address, name: n.name }));
    const ssh = await connectSshCluster(hosts, { privateKeyPath: keyPath, knownHostsPath, onWarning });
    try {
      const names = await Promise.all(ssh.nodes.map(async (n) => (await execOrThrow(n, ['hostname'])).trim()));
      assert.deepEqual(names, ['n1', 'n2']);
    } finally {
      await ssh.destroy();
    }
    const empty = join(dir, 'known_hosts_cluster');
    await writeFile(empty, '');
    await assert.rejects(
      connectSshCluster([hosts[0]!, { ...hosts[1]!, knownHostsPath: empty }], {
        privateKeyPath: keyPath,
        knownHostsPath,
        onWarning,
      }),
      (e: unknown) => e instanceof UserError && e.message.includes(hosts[1]!.host),
    );
  });
});
