// raft-kv as real processes on 127.0.0.1: election, replication through followers, kill -9 of the leader,
// restart from disk, and a concurrent run checked for linearizability.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { HistoryOp, Value } from '../../checkers/history.ts';
import { pairOperations } from '../../checkers/history.ts';
import { checkLinearizable } from '../../checkers/linearizable/index.ts';
import type { Client, ClientOp, Completion } from '../../harness/plugin.ts';
import { launchLocalCluster, requestJson } from '../common/index.ts';
import type { LocalCluster } from '../common/index.ts';
import { RecordedHistory, verdictOf } from '../testing/recordedHistory.ts';
import raftKv from './index.ts';

const entry = fileURLToPath(new URL('./server.ts', import.meta.url));

async function launch(): Promise<LocalCluster> {
  return launchLocalCluster({
    entry,
    count: 3,
    args: (node, { nodes, ports, dataDir }) => [
      '--id',
      node.name,
      '--host',
      '127.0.0.1',
      '--port',
      String(ports[node.name]),
      '--peers',
      nodes.map((n) => `${n.name}=127.0.0.1:${ports[n.name]}`).join(','),
      '--data',
      dataDir,
    ],
  });
}

interface Health {
  role: string;
  term: number;
  leader: string | null;
}

async function health(cluster: LocalCluster, node: string): Promise<Health | undefined> {
  const reply = await requestJson(`${cluster.url(node)}/health`, undefined, { timeoutMs: 500 });
  return reply.kind === 'reply' ? (reply.body as Health) : undefined;
}

/** Waits until one live node leads and every other live node follows it in the same term. */
async function stableLeader(cluster: LocalCluster, live: readonly string[]): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const views = await Promise.all(live.map((n) => health(cluster, n)));
    const leaders = views.filter((v) => v?.role === 'leader');
    const leader = leaders[0];
    if (
      leaders.length === 1 &&
      leader !== undefined &&
      views.every((v) => v !== undefined && v.term === leader.term && v.leader === live[views.indexOf(leader)])
    ) {
      return live[views.indexOf(leader)]!;
    }
    if (Date.now() > deadline) throw new Error(`no stable leader: ${JSON.stringify(views)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function clientFor(cluster: LocalCluster, node: string): Promise<Client> {
  const info = cluster.nodes.find((n) => n.name === node)!;
  return raftKv.client({ node: info, nodes: cluster.nodes, options: cluster.options });
}

const invoke = (client: Client, op: ClientOp): Promise<Completion> => client.invoke(op, AbortSignal.timeout(5000));

test('three nodes elect one leader and replicate writes made through any node', async (t) => {
  const cluster = await launch();
  t.after(() => cluster.stop());
  const leader = await stableLeader(cluster, ['n1', 'n2', 'n3']);
  const follower = ['n1', 'n2', 'n3'].find((n) => n !== leader)!;
  const viaFollower = await clientFor(cluster, follower);
  assert.deepEqual(await invoke(viaFollower, { f: 'read', value: null }), { type: 'ok', value: null });
  assert.deepEqual(await invoke(viaFollower, { f: 'write', value: 'a' }), { type: 'ok', value: 'a' });
  assert.deepEqual(await invoke(viaFollower, { f: 'write', key: 'k', value: 7 }), { type: 'ok', value: 7 });
  const viaLeader = await clientFor(cluster, leader);
  assert.deepEqual(await invoke(viaLeader, { f: 'read', value: null }), { type: 'ok', value: 'a' });
  assert.deepEqual(await invoke(viaLeader, { f: 'read', key: 'k', value: null }), { type: 'ok', value: 7 });
  assert.deepEqual(await invoke(viaLeader, { f: 'cas', value: ['a', 'b'] }), { type: 'ok', value: ['a', 'b'] });
  const mismatch = await invoke(viaFollower, { f: 'cas', value: ['a', 'c'] });
  assert.equal(mismatch.type, 'fail');
  assert.deepEqual(await invoke(viaFollower, { f: 'read', value: null }), { type: 'ok', value: 'b' });
  // Every node's log holds the entries: commit needs a majority, and heartbeats bring the third along.
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const node of cluster.nodes) {
    const reply = await requestJson(`${cluster.url(node.name)}/health`, undefined);
    assert.equal(reply.kind === 'reply' && (reply.body as { commitIndex: number }).commitIndex >= 6, true, node.name);
  }
});

test('killing the leader elects a new one and loses no acknowledged write; the old leader recovers from disk', async (t) => {
  const cluster = await launch();
  t.after(() => cluster.stop());
  const names = ['n1', 'n2', 'n3'];
  const first = await stableLeader(cluster, names);
  const survivors = names.filter((n) => n !== first);
  const client = await clientFor(cluster, survivors[0]!);
  const acknowledged: number[] = [];
  for (let i = 0; i < 20; i++) {
    const done = await invoke(client, { f: 'write', key: `k${i % 4}`, value: i });
    assert.equal(done.type, 'ok');
    acknowledged.push(i);
  }
  await cluster.kill(first);
  const second = await stableLeader(cluster, survivors);
  assert.notEqual(second, first);
  for (let k = 0; k < 4; k++) {
    assert.deepEqual(await invoke(client, { f: 'read', key: `k${k}`, value: null }), { type: 'ok', value: 16 + k });
  }
  assert.equal((await invoke(client, { f: 'write', key: 'k0', value: 100 })).type, 'ok');
  await cluster.start(first);
  await stableLeader(cluster, names);
  const rejoined = await clientFor(cluster, first);
  assert.deepEqual(await invoke(rejoined, { f: 'read', key: 'k0', value: null }), { type: 'ok', value: 100 });
  assert.deepEqual(await invoke(rejoined, { f: 'read', key: 'k3', value: null }), { type: 'ok', value: 19 });
  assert.match(cluster.log(first), /listening/);
});

test('a concurrent run with the leader killed and restarted midway is linearizable', async (t) => {
  const cluster = await launch();
  t.after(() => cluster.stop());
  const names = ['n1', 'n2', 'n3'];
  await stableLeader(cluster, names);
  const started = process.hrtime.bigint();
  const history: HistoryOp[] = [];
  const record = (op: Omit<HistoryOp, 'index' | 'time'>): void => {
    history.push({ ...op, index: history.length, time: Number(process.hrtime.bigint() - started) });
  };
  let nextProcess = 0;
  let running = true;
  const worker = async (slot: number): Promise<void> => {
    let process = nextProcess++;
    const node = names[slot % names.length]!;
    const client = await clientFor(cluster, node);
    for (let i = 0; running; i++) {
      const roll = (slot * 31 + i * 17) % 10;
      const value: Value = roll < 4 ? null : roll < 8 ? `${process}-${i}` : [`${process}-${i - 1}`, `${process}-${i}`];
      const f = roll < 4 ? 'read' : roll < 8 ? 'write' : 'cas';
      record({ type: 'invoke', process, f, value, node });
      const done = await client.invoke({ f, value }, AbortSignal.timeout(3000));
      if (done.type === 'ok') record({ type: 'ok', process, f, value: done.value, node });
      else record({ type: done.type, process, f, value, node, error: done.error });
      // After an info the process may still have an op in flight: a fresh process takes the slot.
      if (done.type === 'info') process = nextProcess++;
      // A killed node refuses at once; don't spin on it.
      if (done.type !== 'ok') await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const chaos = (async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const leader = await stableLeader(cluster, names);
    await cluster.kill(leader);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await cluster.start(leader);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    running = false;
  })();
  await Promise.all([...Array.from({ length: 6 }, (_, slot) => worker(slot)), chaos]);
  const operations = pairOperations(history);
  const ok = operations.filter((o) => o.status === 'ok');
  assert.ok(ok.length > 60, `only ${ok.length} ops succeeded`);
  assert.ok(
    ok.some((o) => o.f === 'read' && o.output !== null),
    'some read saw a write',
  );
  const result = await checkLinearizable(operations, { name: 'cas-register' });
  assert.equal(result.valid, true, JSON.stringify(result.anomalies).slice(0, 2000));
});

test('concurrent list-append txns through every node, the leader killed midway, are strict serializable', async (t) => {
  const cluster = await launch();
  t.after(() => cluster.stop());
  const names = ['n1', 'n2', 'n3'];
  await stableLeader(cluster, names);
  const h = new RecordedHistory();
  let nextProcess = 0;
  let running = true;
  const worker = async (slot: number): Promise<void> => {
    let process = nextProcess++;
    const node = names[slot % names.length]!;
    const client = await clientFor(cluster, node);
    for (let i = 0; running; i++) {
      // Reads of both keys around an append to one: a non-atomic txn would show as a cycle or a fractured read.
      const [a, b] = i % 2 === 0 ? ['x', 'y'] : ['y', 'x'];
      const txn: Value = [
        ['r', a, null],
        ['append', b, h.uniqueValue()],
        ['r', b, null],
        ['r', a, null],
      ];
      const done = await h.run(client, process, { f: 'txn', value: txn }, node);
      if (done.type === 'info') process = nextProcess++;
      if (done.type !== 'ok') await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const chaos = (async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    await cluster.kill(await stableLeader(cluster, names));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    running = false;
  })();
  await Promise.all([...Array.from({ length: 6 }, (_, slot) => worker(slot)), chaos]);
  const operations = h.operations();
  const ok = operations.filter((o) => o.status === 'ok');
  assert.ok(ok.length > 40, `only ${ok.length} txns succeeded`);
  const longest = Math.max(
    ...ok.flatMap((o) => (o.output as Value[][]).map((m) => (Array.isArray(m[2]) ? m[2].length : 0))),
  );
  assert.ok(longest > 10, `reads saw lists of at most ${longest} elements`);
  const result = await verdictOf('strict-serializable', operations);
  assert.equal(result.valid, true, JSON.stringify(result.anomalies).slice(0, 2000));
});
