// The ssh backend against real sshd instances in node containers: the same Remote contract as docker, as root
// and as a sudo user; host key checking (unknown keys refused, accepted only when asked, loudly; changed keys
// refused); an authentication failure that names host, user and key. Skips (saying why) without an engine.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ssh2 from 'ssh2';
import { UserError } from '../../../harness/cli/errors.ts';
import { connectSshCluster, createDockerCluster, removeRunResources } from '../../../harness/remote/cluster.ts';
import type { DockerCluster } from '../../../harness/remote/cluster.ts';
import { engineAnswers } from '../../../harness/remote/docker-engine.ts';
import { ensureNodeImage } from '../../../harness/remote/node-image.ts';
import { execOrThrow } from '../../../harness/remote/remote.ts';
import { connectSsh } from '../../../harness/remote/ssh.ts';
import type { SshHostConfig, SshRemote } from '../../../harness/remote/ssh.ts';
import { remoteConformanceTests } from './remote-conformance.ts';

const skip = (await engineAnswers())
  ? false
  : 'no Docker engine answers to run sshd hosts (run: bash docker/ensure-engine.sh)';
if (skip) process.stdout.write(`# skipping ssh host tests: ${skip}\n`);

const runId = `test-ssh-${randomBytes(4).toString('hex')}`;

describe('ssh hosts (sshd in node containers)', { skip, timeout: 600_000 }, () => {
  let cluster: DockerCluster | undefined;
  let dir: string | undefined;
  const remotes: SshRemote[] = [];
  let keyPath = '';
  let knownHostsPath = '';
  const hostKeys: string[] = [];

  after(async () => {
    await Promise.all(remotes.map((r) => r.close()));
    await cluster?.destroy();
    await removeRunResources({ runId });
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fl-ssh-'));
    const keys = ssh2.utils.generateKeyPairSync('ed25519');
    keyPath = join(dir, 'id_ed25519');
    await writeFile(keyPath, keys.private, { mode: 0o600 });
    cluster = await createDockerCluster({ runId, nodes: 2, image: await ensureNodeImage() });
    for (const node of cluster.nodes) {
      for (const [home, owner] of [
        ['/root', 'root'],
        ['/home/faultline', 'faultline'],
      ] as const) {
        await node.writeFile(`${home}/.ssh/authorized_keys`, `${keys.public}\n`, { mode: 0o600 });
        await execOrThrow(node, ['chown', '-R', `${owner}:${owner}`, `${home}/.ssh`]);
        await execOrThrow(node, ['chmod', '700', `${home}/.ssh`]);
      }
      hostKeys.push((await execOrThrow(node, ['faultline-start-sshd'])).trim());
    }
    knownHostsPath = join(dir, 'known_hosts');
    const lines = cluster.nodes.map((n, i) => `${n.address} ${hostKeys[i]!.split(' ').slice(0, 2).join(' ')}`);
    await writeFile(knownHostsPath, `${lines.join('\n')}\n`);
    // sshd may take a moment to listen.
    const config = (i: number, user: string): SshHostConfig => ({
      host: cluster!.nodes[i]!.address,
      user,
      privateKeyPath: keyPath,
      knownHostsPath,
      name: cluster!.nodes[i]!.name,
    });
    for (const [i, user] of [
      [0, 'root'],
      [1, 'faultline'],
    ] as const) {
      let lastError: Error | undefined;
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          remotes.push(await connectSsh(config(i, user)));
          lastError = undefined;
          break;
        } catch (e) {
          lastError = e instanceof Error ? e : new Error(String(e));
          await new Promise((res) => setTimeout(res, 250));
        }
      }
      if (lastError !== undefined) throw lastError;
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
    const empty = join(dir!, 'known_hosts_empty');
    await writeFile(empty, '');
    await assert.rejects(
      connectSsh({ host: cluster!.nodes[0]!.address, privateKeyPath: keyPath, knownHostsPath: empty }),
      (e: unknown) => e instanceof UserError && /not in/.test(e.message) && /ssh-keyscan/.test(e.hint ?? ''),
    );
  });

  it('accepts a new host key only when asked, warns loudly, and records it', async () => {
    const fresh = join(dir!, 'known_hosts_fresh');
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
    const wrong = join(dir!, 'known_hosts_wrong');
    // n2's key listed for n1's address: a mismatch.
    await writeFile(wrong, `${cluster!.nodes[0]!.address} ${hostKeys[1]!.split(' ').slice(0, 2).join(' ')}\n`);
    await assert.rejects(
      connectSsh({
        host: cluster!.nodes[0]!.address,
        privateKeyPath: keyPath,
        knownHostsPath: wrong,
        acceptNewHostKeys: true,
      }),
      (e: unknown) => e instanceof UserError && /CHANGED/.test(e.message),
    );
  });

  it('an authentication failure names the host, the user and the key', async () => {
    const otherKey = join(dir!, 'other_key');
    await writeFile(otherKey, ssh2.utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
    const host = cluster!.nodes[0]!.address;
    await assert.rejects(connectSsh({ host, user: 'root', privateKeyPath: otherKey, knownHostsPath }), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, new RegExp(`root@${host.replaceAll('.', '\\.')}:22`));
      assert.ok(e.message.includes(otherKey));
      return true;
    });
  });

  it('connectSshCluster connects to every host with shared defaults, and fails whole when one fails', async () => {
    const hosts = cluster!.nodes.map((n) => ({ host: n.address, name: n.name }));
    const ssh = await connectSshCluster(hosts, { privateKeyPath: keyPath, knownHostsPath });
    try {
      const names = await Promise.all(ssh.nodes.map(async (n) => (await execOrThrow(n, ['hostname'])).trim()));
      assert.deepEqual(names, ['n1', 'n2']);
    } finally {
      await ssh.destroy();
    }
    const empty = join(dir!, 'known_hosts_cluster');
    await writeFile(empty, '');
    await assert.rejects(
      connectSshCluster([hosts[0]!, { ...hosts[1]!, knownHostsPath: empty }], {
        privateKeyPath: keyPath,
        knownHostsPath,
      }),
      (e: unknown) => e instanceof UserError && e.message.includes(hosts[1]!.host),
    );
  });
});
