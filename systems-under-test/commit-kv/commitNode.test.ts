// Scripted message schedules through the commit protocols, each history judged by the project's isolation
// checker. On 3 nodes k1 lives on n2 and k2 on n3; the coordinator n1 holds neither, so it only coordinates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Operation } from '../../checkers/history.ts';
import { analyzeIsolation, checkIsolation } from '../../checkers/transactional/index.ts';
import { shardOf } from './commitNode.ts';
import type { Protocol } from './commitNode.ts';
import { CommitSimulation, ofType } from './testing/commitSimulation.ts';

const nodes = ['n1', 'n2', 'n3'];
const appendBoth = (a: number, b: number) => [
  ['append', 'k1', a],
  ['append', 'k2', b],
];
const readBoth = [
  ['r', 'k1', null],
  ['r', 'k2', null],
];

function verdict(ops: readonly Operation[], level: Parameters<typeof checkIsolation>[1]) {
  return checkIsolation(ops, level, { timeBudgetMs: 10_000 });
}

test('keys are sharded by their number mod N', () => {
  assert.deepEqual(
    ['k0', 'k1', 'k2', 'k3', 'k7'].map((k) => shardOf(k, nodes)),
    ['n1', 'n2', 'n3', 'n1', 'n2'],
  );
});

for (const protocol of ['2pc', '3pc'] as const) {
  test(`${protocol}: with every message delivered a txn commits on both shards and a later read sees both`, () => {
    const sim = new CommitSimulation(nodes, protocol);
    sim.begin('n1', 1, appendBoth(1, 2));
    sim.deliver();
    assert.equal(sim.completion(1)?.type, 'ok');
    sim.begin('n2', 2, readBoth);
    sim.deliver();
    assert.deepEqual(sim.completion(2)?.value, [
      ['r', 'k1', [1]],
      ['r', 'k2', [2]],
    ]);
    assert.equal(verdict(sim.operations(), 'strict-serializable').valid, true);
  });
}

test('2PC: the coordinator crashes after logging commit: participants block holding their locks until it recovers', () => {
  const sim = new CommitSimulation(nodes, '2pc');
  sim.begin('n1', 1, appendBoth(1, 2));
  sim.deliver(ofType('prepare'));
  sim.deliver(ofType('vote'));
  // The decision is in n1's log and the commits are on the wire when n1 dies: they are lost with it.
  assert.deepEqual(sim.logs.get('n1')?.at(-1), {
    type: 'decision',
    txn: 'n1-t0',
    decision: 'commit',
    participants: ['n2', 'n3'],
  });
  sim.drop(ofType('commit'));
  sim.crash('n1');
  // The client had its ok before the crash here; in the next test it has info. Either way no anomaly.
  assert.equal(sim.completion(1)?.type, 'ok');

  // Blocked: n2 and n3 ask n1, which is down; they keep asking and keep k1 and k2 locked.
  for (let round = 0; round < 3; round++) {
    assert.equal(
      sim.fire((t) => t.timer === 'participant'),
      2,
    );
    sim.deliver();
  }
  assert.equal(sim.nodes.get('n2')?.writeLocks.get('k1'), 'n1-t0');
  sim.begin('n2', 2, [['r', 'k1', null]]);
  sim.deliver();
  assert.equal(sim.completion(2)?.type, 'fail');
  assert.match(sim.completion(2)?.error ?? '', /k1 is locked by n1-t0 \(prepared\)/);

  // n1 recovers its decision from the log and answers the next query: both shards commit.
  sim.restart('n1');
  sim.fire((t) => t.timer === 'participant');
  sim.deliver();
  assert.equal(sim.nodes.get('n2')?.writeLocks.size, 0);
  sim.begin('n3', 3, readBoth);
  sim.deliver();
  assert.deepEqual(sim.completion(3)?.value, [
    ['r', 'k1', [1]],
    ['r', 'k2', [2]],
  ]);
  assert.equal(verdict(sim.operations(), 'strict-serializable').valid, true);
});

test('2PC: the coordinator crashes before deciding: the client sees info, participants block, then abort on recovery', () => {
  const sim = new CommitSimulation(nodes, '2pc');
  sim.begin('n1', 1, appendBoth(1, 2));
  sim.deliver(ofType('prepare'));
  sim.crash('n1');
  assert.equal(sim.completion(1)?.type, 'info');
  sim.fire((t) => t.timer === 'participant');
  sim.deliver();
  assert.equal(sim.nodes.get('n3')?.inDoubt.get('n1-t0')?.phase, 'prepared', 'still blocked');
  sim.begin('n3', 2, [['append', 'k2', 3]]);
  sim.deliver();
  assert.equal(sim.completion(2)?.type, 'fail');

  sim.restart('n1');
  sim.fire((t) => t.timer === 'participant');
  sim.deliver();
  // n1 never logged a decision: presumed abort.
  assert.equal(sim.nodes.get('n1')?.coordinatorState('n1-t0'), 'aborted');
  sim.begin('n2', 3, readBoth);
  sim.deliver();
  assert.deepEqual(sim.completion(3)?.value, [
    ['r', 'k1', null],
    ['r', 'k2', null],
  ]);
  const ops = sim.operations();
  assert.equal(ops.filter((o) => o.status === 'info').length, 1);
  assert.equal(verdict(ops, 'strict-serializable').valid, true);
});

test('3PC: the coordinator crashes after one pre-commit: termination finds it and both commit (non-blocking)', () => {
  const sim = new CommitSimulation(nodes, '3pc');
  sim.begin('n1', 1, appendBoth(1, 2));
  sim.deliver(ofType('prepare'));
  sim.deliver(ofType('vote'));
  sim.deliver(ofType('precommit', { to: 'n2' }));
  sim.crash('n1');
  assert.equal(sim.completion(1)?.type, 'info');
  // Both time out; n3, merely prepared, learns from n2 that the txn was pre-committed.
  sim.fire((t) => t.timer === 'participant');
  sim.deliver();
  assert.equal(sim.nodes.get('n3')?.outcomes.get('n1-t0'), 'committed');
  sim.fire((t) => t.timer === 'termination');
  assert.equal(sim.nodes.get('n2')?.outcomes.get('n1-t0'), 'committed');
  sim.begin('n2', 2, readBoth);
  sim.deliver();
  assert.equal(verdict(sim.operations(), 'strict-serializable').valid, true);
});

/** 3PC across a partition {n1, n2} | {n3} that falls after the votes, before n3's pre-commit. */
function threePhaseSplit(): CommitSimulation {
  const sim = new CommitSimulation(nodes, '3pc');
  sim.begin('n1', 1, appendBoth(1, 2));
  sim.deliver(ofType('prepare'));
  sim.deliver(ofType('vote'));
  sim.partition(['n1', 'n2'], ['n3']);
  sim.deliver();
  // n3's ack never comes: the coordinator presumes it down and commits.
  sim.fire((t) => t.timer === 'acks');
  sim.deliver();
  assert.equal(sim.completion(1)?.type, 'ok');
  // n3 times out merely prepared; nobody answers its termination queries; the rule says abort.
  sim.fire((t) => t.node === 'n3' && t.timer === 'participant');
  sim.deliver();
  sim.fire((t) => t.node === 'n3' && t.timer === 'termination');
  assert.equal(sim.nodes.get('n3')?.outcomes.get('n1-t0'), 'aborted');
  sim.heal();
  sim.begin('n2', 2, readBoth);
  sim.deliver();
  return sim;
}

test('3PC: under a partition one side commits and the other aborts: a fractured read the checker catches', () => {
  const sim = threePhaseSplit();
  assert.deepEqual(sim.completion(2)?.value, [
    ['r', 'k1', [1]],
    ['r', 'k2', null],
  ]);
  const ops = sim.operations();
  const analysis = analyzeIsolation(ops, { timeBudgetMs: 10_000 });
  assert.equal(analysis.levels['read-atomic'].valid, false);
  assert.equal(analysis.levels.serializable.valid, false);
  // Biswas & Enea's read committed forbids it too: the reader saw T0 on k1, then read k2 from before T0.
  assert.equal(analysis.levels['read-committed'].valid, false);
  assert.equal(analysis.levels['read-uncommitted'].valid, true);
  assert.deepEqual(analysis.anomalies.map((a) => a.type).sort(), ['G-single', 'non-monotonic-read']);
});

test('3PC split: a later append on the aborted shard leaves the txn there for good', () => {
  const sim = threePhaseSplit();
  sim.begin('n3', 3, [['append', 'k2', 3]]);
  sim.deliver();
  sim.begin('n1', 4, readBoth);
  sim.deliver();
  assert.deepEqual(sim.completion(4)?.value, [
    ['r', 'k1', [1]],
    ['r', 'k2', [3]],
  ]);
  assert.equal(verdict(sim.operations(), 'read-atomic').valid, false);
});

// Any schedule: messages delivered in any order or lost, timers firing at any moment, nodes crashing and
// restarting, partitions. 2PC stays strict serializable; 3PC does not.
type Action =
  | { kind: 'begin'; node: number; ops: [boolean, number][] }
  | { kind: 'deliver'; pick: number }
  | { kind: 'drop'; pick: number }
  | { kind: 'fire'; pick: number }
  | { kind: 'crash'; node: number }
  | { kind: 'restart'; node: number }
  | { kind: 'isolate'; node: number }
  | { kind: 'heal' };

const action = fc.oneof(
  fc.record({
    kind: fc.constant('begin' as const),
    node: fc.nat(2),
    ops: fc.array(fc.tuple(fc.boolean(), fc.nat(3)), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat(20) }),
  fc.record({ kind: fc.constant('drop' as const), pick: fc.nat(20) }),
  fc.record({ kind: fc.constant('fire' as const), pick: fc.nat(20) }),
  fc.record({ kind: fc.constant('crash' as const), node: fc.nat(2) }),
  fc.record({ kind: fc.constant('restart' as const), node: fc.nat(2) }),
  fc.record({ kind: fc.constant('isolate' as const), node: fc.nat(2) }),
  fc.record({ kind: fc.constant('heal' as const) }),
);

function play(protocol: Protocol, actions: readonly Action[]): CommitSimulation {
  const sim = new CommitSimulation(nodes, protocol);
  let process = 0;
  let value = 0;
  for (const a of actions) {
    if (a.kind === 'begin') {
      // Each txn its own client process, so any number may be open at once.
      if (sim.down.has(nodes[a.node]!)) continue;
      const ops = a.ops.map(([write, k]) => (write ? ['append', `k${k}`, ++value] : ['r', `k${k}`, null]));
      sim.begin(nodes[a.node]!, ++process, ops);
    } else if (a.kind === 'deliver' || a.kind === 'drop') {
      const m = sim.inFlight[a.pick % Math.max(1, sim.inFlight.length)];
      if (m === undefined) continue;
      if (a.kind === 'deliver') sim.deliver((x) => x === m);
      else sim.drop((x) => x === m);
    } else if (a.kind === 'fire') {
      const t = sim.timers[a.pick % Math.max(1, sim.timers.length)];
      if (t !== undefined) sim.fire((x) => x === t);
    } else if (a.kind === 'crash') {
      if (!sim.down.has(nodes[a.node]!)) sim.crash(nodes[a.node]!);
    } else if (a.kind === 'isolate') {
      sim.partition(
        [nodes[a.node]!],
        nodes.filter((_, i) => i !== a.node),
      );
    } else if (a.kind === 'heal') {
      sim.heal();
    } else if (sim.down.has(nodes[a.node]!)) {
      sim.restart(nodes[a.node]!);
    }
  }
  // Then the network heals, every node is back, and a client at each node reads every key.
  sim.settle();
  for (const [i, node] of nodes.entries()) {
    sim.begin(
      node,
      1000 + i,
      [0, 1, 2, 3].map((k) => ['r', `k${k}`, null]),
    );
    sim.settle();
  }
  return sim;
}

test('2PC is strict serializable under every schedule of loss, reordering, timeouts, crashes and partitions', () => {
  fc.assert(
    fc.property(fc.array(action, { minLength: 20, maxLength: 80 }), (actions) => {
      const sim = play('2pc', actions);
      const result = verdict(sim.operations(), 'strict-serializable');
      assert.equal(result.valid, true, JSON.stringify(result.anomalies.map((a) => a.explanation)));
    }),
    { numRuns: 300 },
  );
});

test('3PC is not: some schedule of that kind splits a txn, and the checker says so', () => {
  const found = fc.check(
    fc.property(fc.array(action, { minLength: 20, maxLength: 80 }), (actions) => {
      const result = verdict(play('3pc', actions).operations(), 'strict-serializable');
      return result.valid !== false;
    }),
    { numRuns: 2000, seed: 15, endOnFailure: true },
  );
  assert.equal(found.failed, true, 'no schedule broke 3PC');
});
