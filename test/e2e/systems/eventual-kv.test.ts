// eventual-kv on real containers through the plug-in API: a client spread over the replicas misses its own
// write and reads values out of order (session guarantees violated); gossip then makes the replicas
// converge. Skips when no Docker engine answers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { NodeContext, NodeInfo } from '../../../harness/plugin.ts';
import { createDockerCluster } from '../../../harness/remote/cluster.ts';
import { engineAnswers } from '../../../harness/remote/docker-engine.ts';
import eventualKv from '../../../systems-under-test/eventual-kv/index.ts';
import { RecordedHistory, verdictOf } from '../../../systems-under-test/primary-backup/recordedHistory.ts';

const engine = await engineAnswers();
const skip = engine ? false : 'no Docker engine answers (start one: docker/ensure-engine.sh)';
if (skip !== false) process.stdout.write(`skipping eventual-kv e2e: ${skip}\n`);

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('eventual-kv on three containers: session guarantees violated, replicas converge', { skip }, async (t) => {
  const cluster = await createDockerCluster({
    runId: `fl-sys2-eventual-${randomBytes(3).toString('hex')}`,
    nodes: 3,
    namePrefix: 'fl-sys2',
  });
  t.after(() => cluster.destroy());
  const nodes: NodeInfo[] = cluster.nodes.map((n) => ({ name: n.name, address: n.address }));
  // Slow gossip, so the reads right after the write run before any other replica has it.
  const options = { gossipMs: 4000 };
  const ctx = (name: string): NodeContext => ({
    node: cluster.nodes.find((n) => n.name === name)!,
    nodes,
    options,
    clockEnv: {},
    dataDir: '/var/lib/faultline/eventual-kv',
    log: () => undefined,
  });
  await Promise.all(nodes.map((n) => eventualKv.install!(ctx(n.name))));
  await Promise.all(nodes.map((n) => eventualKv.start(ctx(n.name))));
  for (const n of nodes)
    await eventually(`${n.name} ready`, async () => ((await eventualKv.ready!(ctx(n.name))) ? true : undefined));

  const h = new RecordedHistory();
  const client = await eventualKv.client({ node: nodes[0]!, nodes, options });
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
