// eventual-kv: LWW merge converges in any order (property test); on a local cluster of real processes the
// replicas converge by gossip, and a client spread over replicas loses sight of its own and others' writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { launchLocalCluster } from '../common/index.ts';
import type { LocalCluster } from '../common/index.ts';
import { RecordedHistory, verdictOf } from '../testing/recordedHistory.ts';
import type { LwwStore } from './lwwStore.ts';
import { mergeInto } from './lwwStore.ts';
import system, { eventualKvArgs, eventualKvEntry } from './index.ts';

test('merging gossip converges whatever order it arrives in', () => {
  // A stamp names one write: equal stamps carry equal values (each node stamps its writes strictly increasing).
  const entry = fc
    .record({ time: fc.integer({ min: 0, max: 5 }), origin: fc.constantFrom('a', 'b') })
    .map(({ time, origin }) => ({ value: `${origin}${time}`, time, origin }));
  const store = fc.dictionary(fc.constantFrom('x', 'y', 'z'), entry);
  fc.assert(
    fc.property(fc.array(store, { minLength: 1, maxLength: 6 }), (stores) => {
      const forward: LwwStore = {};
      for (const s of stores) mergeInto(forward, s);
      const backward: LwwStore = {};
      for (const s of [...stores].reverse()) mergeInto(backward, s);
      mergeInto(backward, backward);
      assert.deepEqual(forward, backward);
    }),
  );
});

async function cluster(gossipMs: number): Promise<LocalCluster> {
  return launchLocalCluster({
    entry: eventualKvEntry,
    count: 3,
    args: (node, { nodes, ports }) => eventualKvArgs(node, nodes, { ports, gossipMs }),
  });
}

test('replicas converge by gossip', async (t) => {
  const c = await cluster(50);
  t.after(() => c.stop());
  const writer = await system.client({ node: c.nodes[0]!, nodes: c.nodes, options: c.options });
  assert.equal((await writer.invoke({ f: 'write', key: 'x', value: 1 }, AbortSignal.timeout(1000))).type, 'ok');
  const reader = await system.client({ node: c.nodes[1]!, nodes: c.nodes, options: c.options });
  const deadline = Date.now() + 10_000;
  let agreeing = 0;
  // The reader rotates over all three nodes; three reads of 1 in a row means every replica has it.
  while (agreeing < 3) {
    const read = await reader.invoke({ f: 'read', key: 'x', value: null }, AbortSignal.timeout(1000));
    agreeing = read.type === 'ok' && read.value === 1 ? agreeing + 1 : 0;
    assert.ok(Date.now() < deadline, 'replicas did not converge within 10 s');
  }
});

test('a client spread over replicas reads its own write, then not: session guarantees violated', async (t) => {
  // Gossip is slow here, so the reads below run before any replica hears of the writes.
  const c = await cluster(5000);
  t.after(() => c.stop());
  const h = new RecordedHistory();
  const client = await system.client({ node: c.nodes[0]!, nodes: c.nodes, options: c.options });
  // Ops go to n1, n2, n3, n1, ...: write at n1, read at n2, read at n3, read at n1.
  assert.equal((await h.run(client, 1, { f: 'write', key: 'x', value: 1 })).type, 'ok');
  assert.deepEqual(await h.run(client, 1, { f: 'read', key: 'x', value: null }), { type: 'ok', value: null });
  assert.deepEqual(await h.run(client, 1, { f: 'read', key: 'x', value: null }), { type: 'ok', value: null });
  assert.deepEqual(await h.run(client, 1, { f: 'read', key: 'x', value: null }), { type: 'ok', value: 1 });
  assert.deepEqual(await h.run(client, 1, { f: 'read', key: 'x', value: null }), { type: 'ok', value: null });
  const ops = h.operations();
  for (const checker of ['read-your-writes', 'monotonic-reads', 'session']) {
    const verdict = await verdictOf(checker, ops);
    assert.equal(verdict.valid, false, `${checker}: ${JSON.stringify(verdict)}`);
  }
});
