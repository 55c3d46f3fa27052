// ZooKeeper on three containers through the plug-in API directly: the ensemble forms with a leader, a write is
// read back through every server, cas has compare-and-set semantics on znode versions, a killed leader is
// replaced and rejoins from its log, a paused server's clients get no answer until it resumes, and a
// stopped server refuses new sessions. Skips when no Docker engine answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client, ClientOp } from '../../../harness/plugin.ts';
import zookeeper from '../../../systems-under-test/zookeeper/index.ts';
import { dockerSkip, eventually } from '../dockerEngine.ts';
import { bringUpSystem, systemCluster } from './systemCluster.ts';

const skip = dockerSkip('zookeeper lifecycle e2e');
const options: Record<string, unknown> = {};
const invoke = (client: Client, op: ClientOp, ms = 10_000) => client.invoke(op, AbortSignal.timeout(ms));

test(
  'zookeeper on three containers: leader, reads everywhere, cas, kill and rejoin, pause, stop',
  { skip, timeout: 300_000 },
  async (t) => {
    const cluster = await systemCluster('zookeeper', 3, 'realdb', zookeeper);
    t.after(() => cluster.destroy());
    const { ctx, names, infos, client, readyOn } = await bringUpSystem(cluster, zookeeper, {
      dataDir: '/var/lib/faultline/zookeeper',
      options,
    });
    const clients: Client[] = [];
    t.after(async () => {
      for (const c of clients) await c.close();
    });
    const open = async (name: string): Promise<Client> => {
      const c = await client(name);
      clients.push(c);
      return c;
    };
    const openEventually = (name: string): Promise<Client> =>
      eventually(`a session on ${name}`, () => open(name).catch(() => undefined), 60_000);
    const leader = await eventually('a leader', () => zookeeper.primary!(infos, options), 30_000);
    assert.ok(names.includes(leader));
    const follower = names.find((n) => n !== leader)!;

    const c1 = await open(follower);
    assert.deepEqual(await invoke(c1, { f: 'read', value: null }), { type: 'ok', value: null });
    assert.deepEqual(await invoke(c1, { f: 'write', value: 1 }), { type: 'ok', value: 1 });
    // Its own server applied the write before acknowledging it; the others may lag a moment.
    assert.deepEqual(await invoke(c1, { f: 'read', value: null }), { type: 'ok', value: 1 });
    for (const n of names) {
      const c = await open(n);
      await eventually(`the write read through ${n}`, async () => {
        const done = await invoke(c, { f: 'read', value: null });
        return done.type === 'ok' && done.value === 1 ? true : undefined;
      });
    }
    assert.deepEqual(await invoke(c1, { f: 'cas', value: [1, 2] }), { type: 'ok', value: [1, 2] });
    assert.equal((await invoke(c1, { f: 'cas', value: [1, 3] })).type, 'fail');
    assert.deepEqual(await invoke(c1, { f: 'cas', key: 'fresh', value: [null, 5] }), { type: 'ok', value: [null, 5] });
    assert.equal((await invoke(c1, { f: 'cas', key: 'fresh', value: [null, 6] })).type, 'fail');

    // kill -9 the leader: the other two elect one and keep every acknowledged write; the killed one rejoins.
    await zookeeper.kill(ctx(leader));
    // Until the two elect a leader, the follower takes no new session.
    const viaFollower = await openEventually(follower);
    await eventually(
      'a write after the kill',
      async () =>
        (await invoke(viaFollower, { f: 'write', key: 'after', value: 7 }, 3000)).type === 'ok' ? true : undefined,
      60_000,
    );
    assert.deepEqual(await invoke(viaFollower, { f: 'read', value: null }), { type: 'ok', value: 2 });
    await zookeeper.start(ctx(leader));
    await readyOn(leader);
    const rejoined = await openEventually(leader);
    await eventually('the write made while it was down', async () => {
      const done = await invoke(rejoined, { f: 'read', key: 'after', value: null });
      return done.type === 'ok' && done.value === 7 ? true : undefined;
    });

    // A paused server answers nothing, not even a four-letter word; its client's read gets no reply before the
    // abort (a fail: reads change nothing). Once resumed it answers again.
    const paused = names.find((n) => n !== follower)!;
    const pausedNode = cluster.nodes.find((n) => n.name === paused)!;
    const viaPaused = await open(paused);
    await zookeeper.pause(ctx(paused));
    let whilePaused: string;
    let readWhilePaused: string;
    try {
      const state = await pausedNode.exec(['sh', '-c', 'ps -o stat= -p "$(cat /var/run/faultline/zookeeper.pid)"']);
      whilePaused = state.stdout.trim();
      readWhilePaused = (await invoke(viaPaused, { f: 'read', value: null }, 1500)).type;
    } finally {
      await zookeeper.resume(ctx(paused));
    }
    assert.match(whilePaused, /^T/, `the JVM on ${paused} is not stopped while paused (ps stat ${whilePaused})`);
    assert.equal(readWhilePaused, 'fail', `a read through the paused ${paused}`);
    await eventually('a read once resumed', async () => {
      const done = await invoke(viaPaused, { f: 'read', value: null }, 3000);
      return done.type === 'ok' ? done : undefined;
    });

    // A stopped server takes no new session.
    await zookeeper.stop(ctx(paused));
    await assert.rejects(open(paused), /no session/);
  },
);
