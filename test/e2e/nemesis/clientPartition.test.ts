// A client partition on real containers, proven by traffic: while it holds, the controller (where the
// harness's clients run) gets no answer from the cut node, even on a connection opened before, while the
// nodes still talk to each other and the controller still reaches the other nodes; its stop, and heal after a
// crash, restore everything.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { DockerCluster } from '../../../harness/nodes/cluster.ts';
import { controllerAddressFor } from '../../../harness/run/controllerAddress.ts';
import { healAll } from '../../../nemesis/healAll.ts';
import { runNemesisSchedule } from '../../../nemesis/nemesisRunner.ts';
import type { PlannedFault } from '../../../nemesis/schedule.ts';
import { kernelWithoutNetem } from '../../../nemesis/testing/kernels.ts';
import { clientPartitionFault } from '../../../nemesis/faults/clientPartition.ts';
import { dockerSkip, eventually, hostReaches, nemesisCluster, startEchoServers, tcpReaches } from './nemesisCluster.ts';

const skip = dockerSkip('client partition e2e');
const port = 7461;

/** An echo over a connection opened now and kept: resolves whether `text` comes back within timeoutMs. */
function openEcho(address: string): Promise<(text: string, timeoutMs: number) => Promise<boolean>> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, address, () => {
      resolve(
        (text, timeoutMs) =>
          new Promise((answered) => {
            const timer = setTimeout(() => {
              socket.off('data', onData);
              answered(false);
            }, timeoutMs);
            const onData = (d: Buffer): void => {
              if (!d.toString().includes(text)) return;
              clearTimeout(timer);
              socket.off('data', onData);
              answered(true);
            };
            socket.on('data', onData);
            socket.write(text);
          }),
      );
    });
    socket.on('error', reject);
    after(() => socket.destroy());
  });
}

describe('client partitions on containers', { skip }, () => {
  let cluster: DockerCluster;
  before(async () => {
    cluster = await nemesisCluster('plugin-cpart');
    await startEchoServers(cluster.nodes, port);
  });
  after(async () => {
    await cluster?.destroy();
  });

  test('the cut node stops answering the controller, not its peers; stop and heal restore it', async () => {
    const [n1, n2, n3] = cluster.nodes as [
      DockerCluster['nodes'][number],
      DockerCluster['nodes'][number],
      DockerCluster['nodes'][number],
    ];
    await eventually('echo servers up', async () => ((await hostReaches(n1.address, port)) ? true : undefined));
    const established = await openEcho(n1.address);
    assert.equal(await established('before', 3000), true);
    const controllerAddress = await controllerAddressFor(n1.address);
    const fault: PlannedFault = { kind: 'client-partition', targets: { nodes: ['n1'] } };
    const stop = new AbortController();
    const ops: string[] = [];
    const running = runNemesisSchedule({
      schedule: [
        { atMs: 0, action: 'start', id: 0, fault },
        { atMs: 120_000, action: 'stop', id: 0, fault },
      ],
      remotes: cluster.nodes,
      recorder: { record: (o) => ops.push(o.f) },
      features: kernelWithoutNetem,
      controllerAddress,
      signal: stop.signal,
    });
    await eventually('the cut', async () => (!(await hostReaches(n1.address, port, 1000)) ? true : undefined));
    assert.equal(await established('during', 1500), false, 'a connection opened before is cut too');
    assert.equal(await hostReaches(n2.address, port), true, 'the controller still reaches the other nodes');
    assert.equal(await tcpReaches(n2, n1, port), true, 'the nodes still talk to each other');
    assert.equal(await tcpReaches(n1, n3, port), true);
    stop.abort();
    const summary = await running;
    assert.deepEqual(summary.errors, []);
    assert.deepEqual(ops, ['start-client-partition', 'stop-client-partition']);
    assert.equal(await hostReaches(n1.address, port), true, 'healed at the stop');

    // Applied without a runner to stop it: what a harness killed mid-fault leaves.
    const prepared = await clientPartitionFault.prepare(
      {
        remotes: cluster.nodes,
        names: cluster.nodes.map((n) => n.name),
        features: kernelWithoutNetem,
        hooks: () => {
          throw new Error('no hooks');
        },
        resolve: (targets) => Promise.resolve('nodes' in targets ? targets.nodes : []),
        clock: { mode: 'faketime' },
        controllerAddress,
      },
      { kind: 'client-partition', targets: { nodes: ['n1'] } },
    );
    await prepared.apply();
    await eventually('cut again', async () => (!(await hostReaches(n1.address, port, 1000)) ? true : undefined));
    const reports = await healAll(cluster.nodes);
    assert.ok(reports.every((r) => r.errors.length === 0));
    assert.equal(await hostReaches(n1.address, port), true, 'healed by heal');
  });
});
