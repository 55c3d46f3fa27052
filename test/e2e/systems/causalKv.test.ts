// causal-kv on real containers through the plug-in API: with n1 cut off by a real partition (iptables), a
// client on n1 and one on n2 each write and then miss the other's write: causally consistent, not
// sequentially consistent; after healing, the replicas converge. Skips when no Docker engine answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyGrudge, healPartition } from '../../../nemesis/faults/partition.ts';
import causalKv from '../../../systems-under-test/causal-kv/index.ts';
import { RecordedHistory, verdictOf } from '../../../systems-under-test/testing/recordedHistory.ts';
import { dockerSkip, eventually } from '../dockerEngine.ts';
import { bringUpSystem, systemCluster } from './systemCluster.ts';

const skip = dockerSkip('causal-kv e2e');

test(
  'causal-kv on three containers: a partition shows it is causal but not sequential; it converges after',
  { skip },
  async (t) => {
    const cluster = await systemCluster('causal');
    t.after(() => cluster.destroy());
    const { client } = await bringUpSystem(cluster, causalKv, { dataDir: '/var/lib/faultline/causal-kv' });
    const [a, b] = [await client('n1'), await client('n2')];

    const h = new RecordedHistory();
    await applyGrudge(cluster.nodes, { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] });
    assert.equal((await h.run(a, 1, { f: 'write', key: 'x', value: 1 }, 'n1')).type, 'ok');
    assert.equal((await h.run(b, 2, { f: 'write', key: 'y', value: 2 }, 'n2')).type, 'ok');
    assert.deepEqual(await h.run(a, 1, { f: 'read', key: 'y', value: null }, 'n1'), { type: 'ok', value: null });
    assert.deepEqual(await h.run(b, 2, { f: 'read', key: 'x', value: null }, 'n2'), { type: 'ok', value: null });
    await healPartition(cluster.nodes);
    await eventually('n1 to see y', async () => {
      const read = await h.run(a, 1, { f: 'read', key: 'y', value: null }, 'n1');
      return read.type === 'ok' && read.value === 2 ? true : undefined;
    });
    // Each direction heals on its own anti-entropy round (a sync stuck in the partition times out first).
    await eventually('n2 to see x', async () => {
      const read = await h.run(b, 2, { f: 'read', key: 'x', value: null }, 'n2');
      return read.type === 'ok' && read.value === 1 ? true : undefined;
    });

    const ops = h.operations();
    const sequential = await verdictOf('sequential', ops);
    assert.equal(sequential.valid, false, JSON.stringify(sequential));
    for (const checker of ['causal-cc', 'causal-ccv', 'session']) {
      const verdict = await verdictOf(checker, ops);
      assert.equal(verdict.valid, true, `${checker}: ${JSON.stringify(verdict)}`);
    }
  },
);
