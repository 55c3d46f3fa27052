// eventual-kv on real containers through the plug-in API: a client spread over the replicas misses its own
// write and reads values out of order (session guarantees violated); gossip then makes the replicas
// converge. Skips when no Docker engine answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import eventualKv from '../../../systems-under-test/eventual-kv/index.ts';
import { RecordedHistory, verdictOf } from '../../../systems-under-test/testing/recordedHistory.ts';
import { dockerSkip, eventually } from '../dockerEngine.ts';
import { bringUpSystem, systemCluster } from './systemCluster.ts';

const skip = dockerSkip('eventual-kv e2e');

test('eventual-kv on three containers: session guarantees violated, replicas converge', { skip }, async (t) => {
  const cluster = await systemCluster('eventual');
  t.after(() => cluster.destroy());
  // Slow gossip, so the reads right after the write run before any other replica has it.
  const { client: clientVia } = await bringUpSystem(cluster, eventualKv, {
    dataDir: '/var/lib/faultline/eventual-kv',
    options: { gossipMs: 4000 },
  });

  const h = new RecordedHistory();
  const client = await clientVia('n1');
  // Round robin: write at n1, read at n2, n3, n1, n2.
  assert.equal((await h.run(client, 1, { f: 'write', key: 'x', value: 1 })).type, 'ok');
  const reads = [];
  for (let i = 0; i < 4; i++) reads.push(await h.run(client, 1, { f: 'read', key: 'x', value: null }));
  assert.deepEqual(
    reads.map((r) => (r.type === 'ok' ? r.value : r.type)),
    [null, null, 1, null],
  );
  const ops = h.operations();
  for (const checker of ['read-your-writes', 'monotonic-reads', 'session']) {
    const verdict = await verdictOf(checker, ops);
    assert.equal(verdict.valid, false, `${checker}: ${JSON.stringify(verdict)}`);
  }
  await eventually('every replica to hold x=1', async () => {
    for (let i = 0; i < 3; i++) {
      const read = await client.invoke({ f: 'read', key: 'x', value: null }, AbortSignal.timeout(2000));
      if (read.type !== 'ok' || read.value !== 1) return undefined;
    }
    return true;
  });
});
