// causal-kv: the replica logic delivers in causal order whatever order updates arrive in (property test), and
// on a local cluster of real processes it propagates writes, keeps its causal and session claims under a
// concurrent workload with a kill, and is caught not sequentially consistent by the classic two-writer test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Client } from '../../harness/plugin.ts';
import { launchLocalCluster } from '../common/index.ts';
import type { LocalCluster } from '../common/index.ts';
import { RecordedHistory, verdictOf } from '../testing/recordedHistory.ts';
import type { Update } from './causalReplica.ts';
import { CausalReplica, isDeliverable } from './causalReplica.ts';
import system, { causalKvArgs, causalKvEntry } from './index.ts';

test('a replica delivers updates in causal order and converges, whatever order they arrive in', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.boolean(), fc.constantFrom('x', 'y')), { maxLength: 30 }),
      fc.array(fc.nat(), { maxLength: 60 }),
      (steps, shuffle) => {
        // Three replicas write and exchange updates at random; a fourth receives everything shuffled.
        const replicas = ['a', 'b', 'c'].map((name) => new CausalReplica(name));
        let value = 0;
        for (const [who, exchange, key] of steps) {
          const replica = replicas[who]!;
          if (exchange) replica.receive(replicas[(who + 1) % 3]!.applied);
          else replica.write(key, ++value);
        }
        for (const r of replicas) for (const other of replicas) r.receive(other.applied);
        const all: Update[] = replicas.flatMap((r) => r.applied.filter((u) => u.origin === r.name));
        for (let i = all.length - 1; i > 0; i--) {
          const j = (shuffle[i % Math.max(1, shuffle.length)] ?? 0) % (i + 1);
          [all[i], all[j]] = [all[j]!, all[i]!];
        }
        const observer = new CausalReplica('z');
        const seen: Record<string, number> = {};
        for (const update of all) {
          for (const delivered of observer.receive([update])) {
            assert.ok(
              isDeliverable(seen, delivered),
              `delivered ${delivered.origin}:${delivered.seq} before its causal predecessors`,
            );
            seen[delivered.origin] = delivered.seq;
          }
        }
        assert.equal(observer.buffered, 0);
        for (const key of ['x', 'y']) {
          for (const r of replicas) assert.equal(observer.read(key), r.read(key), `replicas disagree on ${key}`);
        }
      },
    ),
  );
});

async function cluster(): Promise<{ c: LocalCluster; client: Record<string, Client> }> {
  const c = await launchLocalCluster({
    entry: causalKvEntry,
    count: 3,
    args: (node, { nodes, ports }) => causalKvArgs(node, nodes, { ports, antiEntropyMs: 50 }),
  });
  const client: Record<string, Client> = {};
  for (const node of c.nodes) client[node.name] = await system.client({ node, nodes: c.nodes, options: c.options });
  return { c, client };
}

async function eventually(client: Client, key: string, expected: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const read = await client.invoke({ f: 'read', key, value: null }, AbortSignal.timeout(1000));
    if (read.type === 'ok' && read.value === expected) return;
    if (Date.now() > deadline) assert.fail(`never read ${key}=${expected}; last ${JSON.stringify(read)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('writes are read locally at once and reach the other replicas, also one that was down', async (t) => {
  const { c, client } = await cluster();
  t.after(() => c.stop());
  await c.kill('n3');
  assert.deepEqual(await client.n1!.invoke({ f: 'write', key: 'x', value: 1 }, AbortSignal.timeout(1000)), {
    type: 'ok',
    value: 1,
  });
  assert.deepEqual(await client.n1!.invoke({ f: 'read', key: 'x', value: null }, AbortSignal.timeout(1000)), {
    type: 'ok',
    value: 1,
  });
  await eventually(client.n2!, 'x', 1);
  await c.start('n3');
  await eventually(client.n3!, 'x', 1);
  assert.equal(
    (await client.n3!.invoke({ f: 'cas', key: 'x', value: [1, 2] }, AbortSignal.timeout(1000))).type,
    'fail',
  );
});

test('a concurrent workload with a kill and restart is causally consistent (CC, CCv) and keeps session guarantees', async (t) => {
  const { c, client } = await cluster();
  t.after(() => c.stop());
  const h = new RecordedHistory();
  let value = 0;
  const session = async (node: string, process: number): Promise<void> => {
    for (let i = 0; i < 40; i++) {
      const key = i % 3 === 0 ? 'y' : 'x';
      const op = i % 2 === 0 ? { f: 'write', key, value: ++value } : { f: 'read', key, value: null };
      const done = await h.run(client[node]!, process, op, node);
      if (done.type !== 'ok') return;
    }
  };
  await Promise.all([
    session('n1', 1),
    session('n2', 2),
    (async () => {
      await session('n3', 3);
      await c.kill('n2');
      await c.start('n2');
      await session('n2', 4);
    })(),
  ]);
  const ops = h.operations();
  assert.ok(ops.filter((o) => o.status === 'ok').length >= 100, 'the workload ran');
  for (const checker of ['causal-cc', 'causal-ccv', 'session']) {
    const verdict = await verdictOf(checker, ops);
    assert.equal(verdict.valid, true, `${checker}: ${JSON.stringify(verdict.anomalies)}`);
  }
});

test('two writers each miss the other write: causal, not sequentially consistent', async (t) => {
  const { c, client } = await cluster();
  t.after(() => c.stop());
  const h = new RecordedHistory();
  // n1 and n2 never run at the same time, so neither sees the other's write before reading.
  await c.kill('n2');
  assert.equal((await h.run(client.n1!, 1, { f: 'write', key: 'x', value: 1 }, 'n1')).type, 'ok');
  assert.deepEqual(await h.run(client.n1!, 1, { f: 'read', key: 'y', value: null }, 'n1'), { type: 'ok', value: null });
  await c.kill('n1');
  await c.kill('n3');
  await c.start('n2');
  assert.equal((await h.run(client.n2!, 2, { f: 'write', key: 'y', value: 2 }, 'n2')).type, 'ok');
  assert.deepEqual(await h.run(client.n2!, 2, { f: 'read', key: 'x', value: null }, 'n2'), { type: 'ok', value: null });
  const ops = h.operations();
  const sequential = await verdictOf('sequential', ops);
  assert.equal(sequential.valid, false, JSON.stringify(sequential));
  assert.equal((await verdictOf('causal-ccv', ops)).valid, true);
});
