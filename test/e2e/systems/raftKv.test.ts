// raft-kv on real containers through the full plug-in lifecycle: bundle + upload, start as a daemon, ready,
// replicate, kill -9 the leader, pause a leader, restart from disk. Skips when no Docker engine answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client } from '../../../harness/plugin.ts';
import { clockEnv, defaultClockFile } from '../../../nemesis/faults/clock.ts';
import raftKv from '../../../systems-under-test/raft-kv/index.ts';
import { dockerSkip, eventually } from '../dockerEngine.ts';
import { bringUpSystem, systemCluster } from './systemCluster.ts';

const skip = dockerSkip('raft-kv e2e');
const options: Record<string, unknown> = {};

/** Retries an op through a client until it is ok (each attempt a fresh, bounded invoke). */
async function okVia(client: Client, op: Parameters<Client['invoke']>[0]): Promise<unknown> {
  return eventually(`${op.f} to succeed`, async () => {
    const done = await client.invoke(op, AbortSignal.timeout(3000));
    return done.type === 'ok' ? done.value : undefined;
  });
}

test('raft-kv on three containers: replicates, survives kill -9 and pause of the leader', { skip }, async (t) => {
  const cluster = await systemCluster('raft', 3, 'fl-sys1');
  t.after(() => cluster.destroy());
  // n1's clock runs an hour ahead from the start; the others' are real.
  await Promise.all(cluster.nodes.map((n) => n.writeFile(defaultClockFile, n.name === 'n1' ? '+3600\n' : '+0\n')));
  // Under libfaketime as in a run with clock faults, so the servers are known to work there.
  const raft = await bringUpSystem(cluster, raftKv, {
    dataDir: '/var/lib/faultline/raft-kv',
    options,
    clockEnv: clockEnv(),
  });
  const { ctx, names, infos } = raft;
  const clientFor = raft.client;
  const leader = await eventually('a leader', () => raftKv.primary!(infos, options));
  const follower = names.find((n) => n !== leader)!;
  const viaFollower = await clientFor(follower);
  assert.deepEqual(await okVia(viaFollower, { f: 'write', value: 'v1' }), 'v1');
  assert.deepEqual(await okVia(await clientFor(leader), { f: 'read', value: null }), 'v1');

  // kill -9 the leader: a new one takes over and the acknowledged write is still there.
  await raftKv.kill(ctx(leader));
  const second = await eventually('a new leader', async () => {
    const now = await raftKv.primary!(infos, options);
    return now !== undefined && now !== leader ? now : undefined;
  });
  const viaSecond = await clientFor(second);
  assert.deepEqual(await okVia(viaSecond, { f: 'read', value: null }), 'v1');
  assert.deepEqual(await okVia(viaSecond, { f: 'cas', value: ['v1', 'v2'] }), ['v1', 'v2']);

  // The killed node restarts from its disk and catches up.
  await raftKv.start(ctx(leader));
  await raft.readyOn(leader);
  assert.deepEqual(await okVia(await clientFor(leader), { f: 'read', value: null }), 'v2');

  // SIGSTOP the current leader: the others elect a new one; after SIGCONT the old one follows again.
  await raftKv.pause(ctx(second));
  const third = await eventually('a leader while paused', async () => {
    const others = infos.filter((n) => n.name !== second);
    return raftKv.primary!(others, options);
  });
  assert.notEqual(third, second);
  assert.deepEqual(await okVia(await clientFor(third), { f: 'write', value: 'v3' }), 'v3');
  await raftKv.resume(ctx(second));
  assert.deepEqual(await okVia(await clientFor(second), { f: 'read', value: null }), 'v3');

  // The daemon log is where logFiles says, and says what happened.
  const [logFile] = raftKv.logFiles!(ctx(leader));
  const log = (await cluster.nodes.find((n) => n.name === leader)!.readFile(logFile!)).toString('utf8');
  assert.match(log, /listening on 0\.0\.0\.0:7100/);

  // n1's server saw the skewed clock (its log lines carry its wall-clock time) and still took part.
  const n1 = cluster.nodes.find((n) => n.name === 'n1')!;
  const n1Log = (await n1.readFile(logFile!)).toString('utf8');
  const stamp = Date.parse(/^(\S+) n1 listening/m.exec(n1Log)?.[1] ?? '');
  const realNow = Number((await n1.exec(['date', '+%s'])).stdout.trim()) * 1000;
  assert.ok(
    stamp - realNow > 3000 * 1000,
    `n1 logged ${new Date(stamp).toISOString()}, real ${new Date(realNow).toISOString()}`,
  );

  await Promise.all(names.map((n) => raftKv.stop(ctx(n))));
  assert.equal(await raftKv.ready!(ctx(names[0]!)), false);
});
