// commit-kv on a local cluster of real processes: transactions across shards commit through every coordinator,
// and under 2PC a coordinator killed (kill -9) and restarted mid-run leaves the history strict serializable,
// with its in-doubt txns finished from its log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client, Value } from '../../harness/plugin.ts';
import { launchLocalCluster } from '../common/index.ts';
import type { LocalCluster } from '../common/index.ts';
import { RecordedHistory, verdictOf } from '../testing/recordedHistory.ts';
import type { Protocol } from './commitNode.ts';
import { commitKv2pc, commitKv3pc, commitKvArgs, commitKvEntry } from './index.ts';

// In-doubt participants ask again every 500 ms (default 2 s), so the test waits less for recovery.
async function cluster(protocol: Protocol): Promise<LocalCluster> {
  return launchLocalCluster({
    entry: commitKvEntry,
    count: 3,
    args: (node, { nodes, ports }) => commitKvArgs(node, nodes, { ports, participantMs: 500 }, protocol),
  });
}

async function clients(c: LocalCluster, protocol: Protocol): Promise<Client[]> {
  const system = protocol === '2pc' ? commitKv2pc : commitKv3pc;
  return Promise.all(c.nodes.map((node) => system.client({ node, nodes: c.nodes, options: c.options })));
}

const readAll: Value = ['k0', 'k1', 'k2', 'k3'].map((k) => ['r', k, null]);

for (const protocol of ['2pc', '3pc'] as const) {
  test(`${protocol}: a txn over three shards commits, and every coordinator then reads it`, async (t) => {
    const c = await cluster(protocol);
    t.after(() => c.stop());
    const client = await clients(c, protocol);
    const h = new RecordedHistory();
    const txn: Value = [
      ['append', 'k0', 1],
      ['append', 'k1', 2],
      ['r', 'k1', null],
      ['append', 'k2', 3],
    ];
    assert.deepEqual(await h.run(client[0]!, 1, { f: 'txn', value: txn }), {
      type: 'ok',
      value: [
        ['append', 'k0', 1],
        ['append', 'k1', 2],
        ['r', 'k1', [2]],
        ['append', 'k2', 3],
      ],
    });
    for (const [i, cl] of client.entries()) {
      const read = await h.run(cl, 2 + i, { f: 'txn', value: readAll });
      assert.deepEqual(read, {
        type: 'ok',
        value: [
          ['r', 'k0', [1]],
          ['r', 'k1', [2]],
          ['r', 'k2', [3]],
          ['r', 'k3', null],
        ],
      });
    }
    assert.equal((await h.run(client[1]!, 9, { f: 'read', key: 'k0', value: null })).type, 'fail');
  });
}

test('2PC: concurrent txns through every coordinator, one killed and restarted, stay strict serializable', async (t) => {
  const c = await cluster('2pc');
  t.after(() => c.stop());
  const client = await clients(c, '2pc');
  const h = new RecordedHistory();
  let stop = false;
  const session = async (process: number): Promise<void> => {
    let p = process;
    for (let i = 0; !stop; i++) {
      const a = `k${(i + p) % 4}`;
      const b = `k${(i + 2 * p + 1) % 4}`;
      const txn: Value = [
        ['r', a, null],
        ['append', b, h.uniqueValue()],
        ['r', b, null],
      ];
      // After an indeterminate txn the process may not invoke again: go on as a new one.
      if ((await h.run(client[process % 3]!, p, { f: 'txn', value: txn })).type === 'info') p += 100;
    }
  };
  await Promise.all([
    ...[0, 1, 2, 3, 4, 5].map(session),
    (async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      await c.kill('n1');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await c.start('n1');
      // Until 40 txns have committed since the restart (or 20 s have passed, which fails the test below).
      const okBefore = h.events.filter((e) => e.type === 'ok').length;
      const deadline = Date.now() + 20_000;
      while (h.events.filter((e) => e.type === 'ok').length < okBefore + 40 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      stop = true;
    })(),
  ]);
  // Every shard answers again once n1 has finished (or presumed aborted) what it left in doubt.
  let final: Value = null;
  for (let attempt = 0; attempt < 40 && final === null; attempt++) {
    const read = await h.run(client[1]!, 1000 + attempt, { f: 'txn', value: readAll });
    if (read.type === 'ok') final = read.value;
    else await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.notEqual(final, null, 'the locks were never released');
  const ops = h.operations();
  const count = (s: string) => ops.filter((o) => o.status === s).length;
  assert.ok(
    count('ok') >= 40,
    `the workload ran: ${count('ok')} ok, ${count('fail')} fail, ${count('info')} info; ${ops.find((o) => o.status === 'fail')?.error}`,
  );
  const verdict = await verdictOf('strict-serializable', ops);
  assert.equal(verdict.valid, true, JSON.stringify(verdict.anomalies.map((a) => a.explanation)));
});
