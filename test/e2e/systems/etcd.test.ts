// etcd on real containers through the plug-in API: the cluster forms, writes are read back from every node,
// cas has compare-and-set semantics, and a killed member rejoins. Skips when no Docker engine answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client, ClientOp } from '../../../harness/plugin.ts';
import etcd from '../../../systems-under-test/etcd/index.ts';
import { dockerSkip, eventually } from '../dockerEngine.ts';
import { bringUpSystem, systemCluster } from './systemCluster.ts';

const skip = dockerSkip('etcd e2e');
const options: Record<string, unknown> = {};

const invoke = (client: Client, op: ClientOp) => client.invoke(op, AbortSignal.timeout(10_000));

test(
  'etcd on three containers: forms a cluster, reads its writes everywhere, cas semantics, rejoin',
  { skip },
  async (t) => {
    const cluster = await systemCluster('etcd', 3, 'fl-sys1', etcd);
    t.after(() => cluster.destroy());
    const { ctx, names, infos, client, readyOn } = await bringUpSystem(cluster, etcd, {
      dataDir: '/var/lib/faultline/etcd',
      options,
    });
    const leader = await eventually('a leader', () => etcd.primary!(infos, options), 30_000);
    assert.ok(names.includes(leader));

    const c1 = await client('n1');
    // Every member may not know the leader yet: the first read is retried until one succeeds.
    const first = await eventually('a first read', async () => {
      const done = await invoke(c1, { f: 'read', value: null });
      return done.type === 'ok' ? done : undefined;
    });
    assert.deepEqual(first, { type: 'ok', value: null });
    assert.deepEqual(await invoke(c1, { f: 'write', value: '1-1' }), { type: 'ok', value: '1-1' });
    for (const n of names) {
      assert.deepEqual(await invoke(await client(n), { f: 'read', value: null }), { type: 'ok', value: '1-1' }, n);
    }
    const c2 = await client('n2');
    assert.deepEqual(await invoke(c2, { f: 'cas', value: ['1-1', '2-1'] }), { type: 'ok', value: ['1-1', '2-1'] });
    assert.equal((await invoke(c2, { f: 'cas', value: ['1-1', '2-2'] })).type, 'fail');
    assert.deepEqual(await invoke(c2, { f: 'cas', key: 'fresh', value: [null, 5] }), { type: 'ok', value: [null, 5] });
    assert.equal((await invoke(c2, { f: 'cas', key: 'fresh', value: [null, 6] })).type, 'fail');
    assert.deepEqual(await invoke(await client('n3'), { f: 'read', key: 'fresh', value: null }), {
      type: 'ok',
      value: 5,
    });

    // kill -9 the leader: the rest elect another and keep every acknowledged write; the member rejoins.
    await etcd.kill(ctx(leader));
    const survivor = names.find((n) => n !== leader)!;
    const viaSurvivor = await client(survivor);
    await eventually('a write after the kill', async () => {
      const done = await invoke(viaSurvivor, { f: 'write', key: 'after', value: 7 });
      return done.type === 'ok' ? true : undefined;
    });
    assert.deepEqual(await invoke(viaSurvivor, { f: 'read', value: null }), { type: 'ok', value: '2-1' });
    await etcd.start(ctx(leader));
    await readyOn(leader);
    // Once it has caught up with the leader, a linearizable read through it sees the write made while it was down.
    const rejoined = await client(leader);
    const afterRead = await eventually('a read through the rejoined member', async () => {
      const done = await invoke(rejoined, { f: 'read', key: 'after', value: null });
      return done.type === 'ok' ? done : undefined;
    });
    assert.deepEqual(afterRead, { type: 'ok', value: 7 });

    // A refused connection (member stopped) is a definite fail, never info.
    await etcd.stop(ctx(leader));
    assert.equal((await invoke(await client(leader), { f: 'write', value: 'x' })).type, 'fail');
  },
);
