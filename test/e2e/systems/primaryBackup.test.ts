// primary-backup on real containers through the plug-in API. Synchronous mode with local reads under a real
// partition (iptables): the cut-off backup serves old values after another replica served the new one, so
// linearizability is violated while sequential consistency holds. Asynchronous mode: kill -9 of the primary
// right after an acknowledged write loses it. Skips when no Docker engine answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClientOp } from '../../../harness/plugin.ts';
import { applyGrudge, healPartition } from '../../../nemesis/faults/partition.ts';
import { primaryBackupAsync, primaryBackupLocalReads } from '../../../systems-under-test/primary-backup/index.ts';
import { RecordedHistory, verdictOf } from '../../../systems-under-test/testing/recordedHistory.ts';
import { dockerSkip, eventually } from '../dockerEngine.ts';
import { bringUpSystem, systemCluster } from './systemCluster.ts';

const skip = dockerSkip('primary-backup e2e');

const op = (f: string, value: ClientOp['value']): ClientOp => ({ f, key: 'x', value });

test(
  'primary-backup on three containers: sync local reads under a partition, async failover after kill -9',
  { skip },
  async (t) => {
    const cluster = await systemCluster('pb');
    t.after(() => cluster.destroy());

    const sync = await bringUpSystem(cluster, primaryBackupLocalReads, {
      dataDir: '/var/lib/faultline/primary-backup-sync',
    });
    assert.equal(await primaryBackupLocalReads.primary!(sync.infos, {}), 'n1');
    const h = new RecordedHistory();
    const [c1, c2, c3] = [await sync.client('n1'), await sync.client('n2'), await sync.client('n3')];
    assert.equal((await h.run(c2, 1, op('write', 1), 'n2')).type, 'ok');
    assert.deepEqual(await h.run(c3, 2, op('read', null), 'n3'), { type: 'ok', value: 1, servedBy: 'n3' });
    await applyGrudge(cluster.nodes, { n1: ['n3'], n2: ['n3'], n3: ['n1', 'n2'] });
    // The primary applies 2 and ships it to n2, but cannot reach n3: the write stays unacknowledged.
    assert.equal((await h.run(c1, 3, op('write', 2), 'n1')).type, 'info');
    assert.deepEqual(await h.run(c2, 4, op('read', null), 'n2'), { type: 'ok', value: 2, servedBy: 'n2' });
    assert.deepEqual(await h.run(c3, 2, op('read', null), 'n3'), { type: 'ok', value: 1, servedBy: 'n3' });
    const ops = h.operations();
    const linearizable = await verdictOf('linearizable', ops);
    assert.equal(linearizable.valid, false, JSON.stringify(linearizable));
    const sequential = await verdictOf('sequential', ops);
    assert.equal(sequential.valid, true, JSON.stringify(sequential));
    await healPartition(cluster.nodes);
    await eventually('n3 to catch up', async () => {
      const read = await c3.invoke(op('read', null), AbortSignal.timeout(2000));
      return read.type === 'ok' && read.value === 2 ? true : undefined;
    });
    await Promise.all(cluster.nodes.map((n) => primaryBackupLocalReads.stop(sync.ctx(n.name))));

    const async = await bringUpSystem(cluster, primaryBackupAsync, {
      dataDir: '/var/lib/faultline/primary-backup-async',
      // Long enough that the acknowledged write cannot ship before the kill, however loaded the machine.
      options: { replicationDelayMs: 30_000, failoverMs: 1000 },
    });
    const lost = new RecordedHistory();
    assert.deepEqual(await lost.run(await async.client('n1'), 1, op('write', 10), 'n1'), {
      type: 'ok',
      value: 10,
      servedBy: 'n1',
    });
    await primaryBackupAsync.kill(async.ctx('n1'));
    // Normally n2, the lowest-named survivor; n3 may claim it too when heartbeats are slow.
    await eventually('a backup to take over', async () => {
      const primary = await primaryBackupAsync.primary!(async.infos, {});
      return primary !== undefined && primary !== 'n1' ? true : undefined;
    });
    assert.deepEqual(await lost.run(await async.client('n2'), 2, op('read', null), 'n2'), {
      type: 'ok',
      value: null,
      servedBy: 'n2',
    });
    const verdict = await verdictOf('linearizable', lost.operations());
    assert.equal(verdict.valid, false, JSON.stringify(verdict));
  },
);
