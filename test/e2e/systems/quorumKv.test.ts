// quorum-kv on real containers through the plug-in API: ABD replicates and stays linearizable with a node
// killed; the last-writer-wins variant, started with the nemesis's libfaketime environment, loses an
// acknowledged write once one node's clock is set 10 s back. Skips when no Docker engine answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLinearizableSync } from '../../../checkers/linearizable/index.ts';
import type { ClientOp } from '../../../harness/plugin.ts';
import { clockEnv, defaultClockFile, formatOffset } from '../../../nemesis/faults/clock.ts';
import { quorumKvAbd, quorumKvLww } from '../../../systems-under-test/quorum-kv/index.ts';
import { RecordedHistory } from '../../../systems-under-test/testing/recordedHistory.ts';
import { dockerSkip } from '../dockerEngine.ts';
import { bringUpSystem, systemCluster } from './systemCluster.ts';

const skip = dockerSkip('quorum-kv e2e');

const op = (f: string, value: ClientOp['value']): ClientOp => ({ f, key: 'x', value });

test(
  'quorum-kv on three containers: ABD stays linearizable with a node killed; LWW under clock skew loses a write',
  { skip },
  async (t) => {
    const cluster = await systemCluster('quorum');
    t.after(() => cluster.destroy());

    const abd = await bringUpSystem(cluster, quorumKvAbd, { dataDir: '/var/lib/faultline/quorum-kv-abd' });
    const h = new RecordedHistory();
    const c1 = await abd.client('n1');
    const c3 = await abd.client('n3');
    assert.equal((await h.run(c1, 1, op('write', 1))).type, 'ok');
    await quorumKvAbd.kill(abd.ctx('n2'));
    assert.deepEqual(await h.run(c3, 2, op('read', null)), { type: 'ok', value: 1 });
    assert.equal((await h.run(c3, 2, op('write', 2))).type, 'ok');
    await quorumKvAbd.start(abd.ctx('n2'));
    await abd.readyOn('n2');
    assert.deepEqual(await h.run(await abd.client('n2'), 3, op('read', null)), { type: 'ok', value: 2 });
    assert.equal(checkLinearizableSync(h.operations()).valid, true);
    await Promise.all(cluster.nodes.map((n) => quorumKvAbd.stop(abd.ctx(n.name))));

    // The same processes' clocks, moved the way the nemesis moves them: a control file libfaketime re-reads.
    for (const node of cluster.nodes) await node.writeFile(defaultClockFile, `${formatOffset(0)}\n`);
    const lww = await bringUpSystem(cluster, quorumKvLww, {
      dataDir: '/var/lib/faultline/quorum-kv-lww',
      clockEnv: clockEnv(),
    });
    await cluster.nodes.find((n) => n.name === 'n2')!.writeFile(defaultClockFile, `${formatOffset(-10_000)}\n`);
    const skewed = new RecordedHistory();
    assert.equal((await skewed.run(await lww.client('n1'), 1, op('write', 10))).type, 'ok');
    assert.equal((await skewed.run(await lww.client('n2'), 2, op('write', 20))).type, 'ok');
    assert.deepEqual(await skewed.run(await lww.client('n3'), 3, op('read', null)), { type: 'ok', value: 10 });
    const verdict = checkLinearizableSync(skewed.operations());
    assert.equal(verdict.valid, false, JSON.stringify(verdict));
  },
);
