// ZooKeeper on three containers through the plug-in API directly, every JVM under libfaketime as a run with
// clock faults starts it: the ensemble forms with a leader, a write is read back through every server (at once
// with syncReads), cas has compare-and-set semantics on znode versions, a clock bump moves the leader's own
// clock (its log lines' times) while the ensemble goes on serving, a killed leader is replaced and rejoins
// from its log, a paused server's clients get no answer until it resumes, and a stopped server refuses new
// sessions. Skips when no Docker engine answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client, ClientOp, Remote } from '../../../harness/plugin.ts';
import { applyClockFault, clockEnv, resetClock } from '../../../nemesis/faults/clock.ts';
import { serverPaths } from '../../../systems-under-test/common/index.ts';
import { fourLetterWord } from '../../../systems-under-test/zookeeper/fourLetterWord.ts';
import zookeeper from '../../../systems-under-test/zookeeper/index.ts';
import { clientPort } from '../../../systems-under-test/zookeeper/zooConfig.ts';
import { dockerSkip, eventually } from '../dockerEngine.ts';
import { bringUpSystem, systemCluster } from './systemCluster.ts';

const skip = dockerSkip('zookeeper lifecycle e2e');
const options: Record<string, unknown> = {};
const invoke = (client: Client, op: ClientOp, ms = 10_000) => client.invoke(op, AbortSignal.timeout(ms));

/**
 * How far the server's own clock is from the real one, ms: it logs a line stamped with its wall clock for each
 * srvr (zookeeperArgv's date format, in the container's zone, UTC); the real time is taken around the request.
 */
async function loggedSkew(node: Remote): Promise<number> {
  const before = Date.now();
  assert.ok(await fourLetterWord(node.address, clientPort, 'srvr'), `srvr answered by ${node.name}`);
  const after = Date.now();
  const log = (await node.readFile(serverPaths('zookeeper').logFile)).toString('utf8');
  const lines = log.split('\n').filter((l) => l.includes('Processing srvr command'));
  const stamp = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})/.exec(lines.at(-1) ?? '');
  assert.ok(stamp, `a srvr line in ${node.name}'s log: ${lines.at(-1)}`);
  return Date.parse(`${stamp[1]}T${stamp[2]}Z`) - (before + after) / 2;
}
test(
  'zookeeper on three containers under libfaketime: leader, reads everywhere, sync reads, cas, clock bump, kill and rejoin, pause, stop',
  { skip, timeout: 300_000 },
  async (t) => {
    const cluster = await systemCluster('zookeeper', 3, 'realdb', zookeeper);
    t.after(() => cluster.destroy());
    const { ctx, names, infos, client, readyOn } = await bringUpSystem(cluster, zookeeper, {
      dataDir: '/var/lib/faultline/zookeeper',
      options,
      clockEnv: clockEnv(),
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
    // With syncReads, a read through any server right after the write returns it: sync first catches the server
    // up with the leader. (No retry here, unlike above.)
    assert.deepEqual(await invoke(c1, { f: 'write', key: 'synced', value: 4 }), { type: 'ok', value: 4 });
    for (const n of names) {
      const synced = await zookeeper.client({
        node: infos.find((i) => i.name === n)!,
        nodes: infos,
        options: { syncReads: true },
      });
      clients.push(synced);
      assert.deepEqual(await invoke(synced, { f: 'read', key: 'synced', value: null }), { type: 'ok', value: 4 }, n);
    }

    // A clock bump skews the leader's wall clock (libfaketime in the JVM), and only its own: ZooKeeper times
    // ticks and sessions with the monotonic clock, which the fault leaves real, so the ensemble goes on serving.
    const leaderNode = cluster.nodes.find((n) => n.name === leader)!;
    assert.ok(Math.abs(await loggedSkew(leaderNode)) < 30_000, 'no skew before the fault');
    await applyClockFault(leaderNode, { kind: 'bump', offsetMs: 3_600_000 });
    try {
      const skewed = await loggedSkew(leaderNode);
      assert.ok(Math.abs(skewed - 3_600_000) < 30_000, `the leader's clock +1 h, saw ${skewed} ms`);
      const other = cluster.nodes.find((n) => n.name === follower)!;
      assert.ok(Math.abs(await loggedSkew(other)) < 30_000, 'the follower keeps the real time');
      assert.deepEqual(await invoke(c1, { f: 'write', key: 'skewed', value: 9 }), { type: 'ok', value: 9 });
    } finally {
      await resetClock(leaderNode);
    }
    assert.ok(Math.abs(await loggedSkew(leaderNode)) < 30_000, 'reset brings the leader back to real time');

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
