// etcd on real containers through the plug-in API: the cluster forms, writes are read back from every node,
// cas has compare-and-set semantics, and a killed member rejoins. Skips when no Docker engine answers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { Client, ClientOp, NodeContext, NodeInfo, Remote } from '../../../harness/plugin.ts';
import { createDockerCluster } from '../../../harness/remote/cluster.ts';
import type { DockerCluster } from '../../../harness/remote/cluster.ts';
import { engineAnswers } from '../../../harness/remote/docker-engine.ts';
import etcd from '../../../systems-under-test/etcd/index.ts';

const engine = await engineAnswers();
const skip = engine ? false : 'no Docker engine answers (start one: docker/ensure-engine.sh)';
if (skip !== false) process.stdout.write(`skipping etcd e2e: ${skip}\n`);

const options: Record<string, unknown> = {};
const infos = (cluster: DockerCluster): NodeInfo[] => cluster.nodes.map((n) => ({ name: n.name, address: n.address }));

function contextFor(cluster: DockerCluster, node: Remote): NodeContext {
  return {
    node,
    nodes: infos(cluster),
    options,
    clockEnv: {},
    dataDir: '/var/lib/faultline/etcd',
    log: () => undefined,
  };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const invoke = (client: Client, op: ClientOp) => client.invoke(op, AbortSignal.timeout(10_000));

test(
  'etcd on three containers: forms a cluster, reads its writes everywhere, cas semantics, rejoin',
  { skip },
  async (t) => {
    const cluster = await createDockerCluster({
      runId: `fl-sys1-etcd-${randomBytes(3).toString('hex')}`,
      nodes: 3,
      namePrefix: 'fl-sys1',
    });
    t.after(() => cluster.destroy());
    const ctx = (name: string): NodeContext =>
      contextFor(
        cluster,
        cluster.nodes.find((n) => n.name === name)!,
      );
    const names = cluster.nodes.map((n) => n.name);
    const client = (name: string): Promise<Client> =>
      etcd.client({ node: infos(cluster).find((n) => n.name === name)!, nodes: infos(cluster), options });

    await Promise.all(names.map((n) => etcd.install!(ctx(n))));
    await Promise.all(names.map((n) => etcd.start(ctx(n))));
    for (const n of names)
      await eventually(`${n} healthy`, async () => ((await etcd.ready!(ctx(n))) ? true : undefined));
    const leader = await eventually('a leader', () => etcd.primary!(infos(cluster), options));
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
    await eventually('the killed member serving again', async () =>
      (await etcd.ready!(ctx(leader))) ? true : undefined,
    );
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
