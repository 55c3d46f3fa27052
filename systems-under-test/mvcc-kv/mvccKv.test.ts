// mvcc-kv as real processes on 127.0.0.1: txns through the primary and through forwarders, commits surviving
// kill -9 of the primary, and concurrent runs judged at each mode's claimed level.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { Value } from '../../checkers/history.ts';
import type { Client } from '../../harness/plugin.ts';
import { launchLocalCluster } from '../common/index.ts';
import type { LocalCluster } from '../common/index.ts';
import { RecordedHistory, verdictOf } from '../testing/recordedHistory.ts';
import { mvccKvRc, mvccKvSi } from './index.ts';
import type { MvccMode } from './mvccStore.ts';

const entry = fileURLToPath(new URL('./server.ts', import.meta.url));

async function launch(mode: MvccMode): Promise<LocalCluster> {
  return launchLocalCluster({
    entry,
    count: 3,
    args: (node, { nodes, ports, dataDir }) => [
      '--id',
      node.name,
      '--host',
      '127.0.0.1',
      '--port',
      String(ports[node.name]),
      '--nodes',
      nodes.map((n) => `${n.name}=127.0.0.1:${ports[n.name]}`).join(','),
      '--mode',
      mode,
      '--data',
      dataDir,
    ],
  });
}

async function clientFor(cluster: LocalCluster, node: string): Promise<Client> {
  const info = cluster.nodes.find((n) => n.name === node)!;
  return mvccKvSi.client({ node: info, nodes: cluster.nodes, options: cluster.options });
}

const txn = (client: Client, value: Value) => client.invoke({ f: 'txn', value }, AbortSignal.timeout(5000));

test('txns through a forwarder commit at the primary and survive kill -9 of the primary', async (t) => {
  const cluster = await launch('si');
  t.after(() => cluster.stop());
  const viaN2 = await clientFor(cluster, 'n2');
  assert.deepEqual(
    await txn(viaN2, [
      ['append', 'x', 1],
      ['r', 'x', null],
    ]),
    {
      type: 'ok',
      value: [
        ['append', 'x', 1],
        ['r', 'x', [1]],
      ],
    },
  );
  assert.deepEqual(
    await txn(viaN2, [
      ['append', 'x', 2],
      ['w', 'y', 3],
    ]),
    {
      type: 'fail',
      error: 'txn mixes append and w: a txn is list-append or rw-register, not both',
    },
  );
  assert.equal((await viaN2.invoke({ f: 'read', key: 'x', value: null }, AbortSignal.timeout(5000))).type, 'fail');
  // A paused primary never answers the forwarder (5 s): a read-only txn had no effect either way, so it is a
  // definite fail, not info. The same holds when a pooled socket to a killed primary makes the request unknown.
  cluster.pause('n1');
  const unanswered = await viaN2.invoke({ f: 'txn', value: [['r', 'x', null]] }, AbortSignal.timeout(15_000));
  cluster.resume('n1');
  assert.equal(unanswered.type, 'fail');
  assert.match(unanswered.type === 'fail' ? unanswered.error : '', /read-only, no reply/);
  await cluster.kill('n1');
  assert.equal((await txn(viaN2, [['r', 'x', null]])).type, 'fail');
  await cluster.start('n1');
  const viaN1 = await clientFor(cluster, 'n1');
  assert.deepEqual(
    await txn(viaN1, [
      ['append', 'x', 4],
      ['r', 'x', null],
    ]),
    {
      type: 'ok',
      value: [
        ['append', 'x', 4],
        ['r', 'x', [1, 4]],
      ],
    },
  );
  assert.match(cluster.log('n1'), /replayed 1 commits/);
});

for (const [mode, level] of [
  ['si', 'strong-session-snapshot-isolation'],
  ['rc', 'read-committed'],
] as const) {
  test(`${mode}: concurrent txns through every node, the primary killed midway, keep ${level}`, async (t) => {
    const cluster = await launch(mode);
    t.after(() => cluster.stop());
    const h = new RecordedHistory();
    let nextProcess = 0;
    let running = true;
    const worker = async (slot: number): Promise<void> => {
      let process = nextProcess++;
      const node = cluster.nodes[slot % 3]!.name;
      const client = await (mode === 'si' ? mvccKvSi : mvccKvRc).client({
        node: cluster.nodes[slot % 3]!,
        nodes: cluster.nodes,
        options: cluster.options,
      });
      for (let i = 0; running; i++) {
        const [a, b] = (slot + i) % 2 === 0 ? ['x', 'y'] : ['y', 'x'];
        const value: Value = [
          ['r', a, null],
          ['r', b, null],
          ['append', a, h.uniqueValue()],
        ];
        const done = await h.run(client, process, { f: 'txn', value }, node);
        if (done.type === 'info') process = nextProcess++;
        if (done.type !== 'ok') await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const chaos = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await cluster.kill('n1');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await cluster.start('n1');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      running = false;
    })();
    await Promise.all([...Array.from({ length: 6 }, (_, slot) => worker(slot)), chaos]);
    await h.run(await clientFor(cluster, 'n1'), 100, {
      f: 'txn',
      value: [
        ['r', 'x', null],
        ['r', 'y', null],
      ],
    });
    const operations = h.operations();
    const ok = operations.filter((o) => o.status === 'ok');
    assert.ok(ok.length > 40, `only ${ok.length} txns succeeded`);
    const result = await verdictOf(level, operations);
    assert.equal(result.valid, true, JSON.stringify(result.anomalies).slice(0, 2000));
  });
}
