// Five real containers on the real engine: the Remote contract, the network between nodes, labels, the
// kernel-feature probe, and a teardown that leaves nothing behind. Skips (saying why) when no engine answers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../../harness/errors.ts';
import { createDockerCluster, owner, removeRunResources } from '../../../harness/nodes/cluster.ts';
import type { DockerCluster } from '../../../harness/nodes/cluster.ts';
import { RUN_LABEL, dockerClient, engineAnswers } from '../../../harness/nodes/dockerEngine.ts';
import { probeKernelFeatures } from '../../../harness/nodes/features.ts';
import { ensureNodeImage } from '../../../harness/nodes/nodeImage.ts';
import { remoteConformanceTests } from './remoteConformance.ts';

const skip = (await engineAnswers()) ? false : 'no Docker engine answers (run: bash docker/ensure-engine.sh)';
if (skip) process.stdout.write(`# skipping docker cluster tests: ${skip}\n`);

const runId = `test-${randomBytes(4).toString('hex')}`;

describe('docker cluster of five nodes', { skip, timeout: 600_000 }, () => {
  let cluster: DockerCluster | undefined;
  const nodes = (): DockerCluster['nodes'] => {
    assert.ok(cluster, 'the cluster came up');
    return cluster.nodes;
  };

  // Teardown first, so a setup that fails halfway is still undone.
  after(async () => {
    await cluster?.destroy();
    await removeRunResources({ runId });
  });

  before(async () => {
    const image = await ensureNodeImage();
    cluster = await createDockerCluster({ runId, nodes: 5, image });
  });

  it('has n1..n5 with hostnames, fixed addresses on one subnet, labels and NET_ADMIN', async () => {
    assert.deepEqual(
      nodes().map((n) => n.name),
      ['n1', 'n2', 'n3', 'n4', 'n5'],
    );
    const prefix = cluster!.network.subnet.replace(/\.0\/24$/, '');
    assert.deepEqual(
      nodes().map((n) => n.address),
      [11, 12, 13, 14, 15].map((i) => `${prefix}.${i}`),
    );
    for (const node of nodes()) {
      assert.equal((await node.exec(['hostname'])).stdout.trim(), node.name);
      const info = await dockerClient().getContainer(node.containerName).inspect();
      assert.equal(info.Config.Labels[RUN_LABEL], runId);
      assert.equal(info.Config.Labels['faultline.node'], node.name);
      assert.equal(info.Config.Labels['faultline.owner'], owner());
      assert.ok((info.HostConfig.CapAdd as string[] | undefined)?.includes('NET_ADMIN'));
    }
    // NET_ADMIN is real: iptables works inside.
    assert.equal((await nodes()[0]!.exec(['iptables', '-L', '-n'])).exitCode, 0);
  });

  it('every node reaches every other over TCP, by name and by address', async () => {
    const server = 'require("net").createServer((s) => s.end(require("os").hostname())).listen(7000)';
    await Promise.all(nodes().map((n) => n.startDaemon({ name: 'tcp-echo', argv: ['node', '-e', server] })));
    const peers = nodes().map((n) => ({ name: n.name, address: n.address }));
    const client = `
      const net = require('net');
      const peers = JSON.parse(process.argv[1]);
      const tryOnce = (host) => new Promise((res) => {
        const s = net.connect(7000, host); let got = '';
        s.setTimeout(2000, () => { s.destroy(); res('timeout'); });
        s.on('data', (d) => (got += d)); s.on('end', () => res(got)); s.on('error', (e) => res('error ' + e.code));
      });
      (async () => {
        const out = {};
        for (const p of peers) for (const host of [p.name, p.address]) {
          let r = await tryOnce(host);
          for (let i = 0; i < 20 && r !== p.name; i++) { await new Promise((w) => setTimeout(w, 100)); r = await tryOnce(host); }
          out[host] = r;
        }
        console.log(JSON.stringify(out));
      })();`;
    for (const node of nodes()) {
      const others = peers.filter((p) => p.name !== node.name);
      const r = await node.exec(['node', '-e', client, JSON.stringify(others)], { timeoutMs: 60_000 });
      assert.equal(r.exitCode, 0, r.stderr);
      const seen = JSON.parse(r.stdout) as Record<string, string>;
      for (const p of others) {
        assert.equal(seen[p.name], p.name, `${node.name} -> ${p.name}`);
        assert.equal(seen[p.address], p.name, `${node.name} -> ${p.address}`);
      }
    }
    await Promise.all(nodes().map((n) => n.signalDaemon('tcp-echo', 'SIGKILL')));
  });

  it('probes kernel features inside a node', async () => {
    const features = await probeKernelFeatures(nodes()[0]!);
    assert.equal(features.iptables.available, true, features.iptables.detail);
    assert.equal(features.faketime.available, true, features.faketime.detail);
    assert.equal(features.device, 'eth0');
    // netem depends on the kernel: either it works or the reason is reported.
    if (!features.netem.available) assert.notEqual(features.netem.detail, '');
  });

  describe('the Remote contract on n2', () => {
    remoteConformanceTests(() => nodes()[1]!);
  });

  it('teardown removes every container and the network', async () => {
    await cluster!.destroy();
    const docker = dockerClient();
    const containers = await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
    const networks = await docker.listNetworks({ filters: { label: [`${RUN_LABEL}=${runId}`] } });
    assert.deepEqual(containers, []);
    assert.deepEqual(networks, []);
  });
});

describe('a node that does not start', { skip, timeout: 300_000 }, () => {
  const failedRun = `test-fail-${randomBytes(4).toString('hex')}`;
  after(async () => {
    await removeRunResources({ runId: failedRun });
  });

  it('is reported with its log tail, and nothing of the run is left behind', async () => {
    await assert.rejects(
      createDockerCluster({
        runId: failedRun,
        nodes: 2,
        image: await ensureNodeImage(),
        command: ['sh', '-c', 'echo boom-from-the-node >&2; exit 3'],
      }),
      (e: unknown) => {
        assert.ok(e instanceof UserError, String(e));
        assert.match(e.message, /did not start/);
        assert.match(e.message, /boom-from-the-node/);
        return true;
      },
    );
    const docker = dockerClient();
    assert.deepEqual(await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${failedRun}`] } }), []);
    assert.deepEqual(await docker.listNetworks({ filters: { label: [`${RUN_LABEL}=${failedRun}`] } }), []);
  });
});
