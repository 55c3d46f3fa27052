// The graphs behind causal, sequential and session anomalies (Anomaly.detail.graph): on the checking.md test
// vectors, every edge must be a real fact of the history (po between ops of one process in order; rf from a
// write to a read that returned its value), and known patterns must have their known edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Operation } from '../history.ts';
import { pairOperations } from '../history.ts';
import type { Anomaly } from '../result.ts';
import type { AnomalyGraph } from '../anomalyGraph.ts';
import { readAnomalyGraph } from '../anomalyGraph.ts';
import { checkCausalVariant } from './causal.ts';
import { checkCausalMemory } from './causalMemory.ts';
import { checkTransactionalCausal } from './transactionalCausal.ts';
import { checkSequential } from '../sequential/sequential.ts';
import { checkSessionGuarantees, SESSION_GUARANTEES } from '../session/sessionGuarantees.ts';
import { historyFromSessions } from '../testing/sessionNotation.ts';

function graphOf(a: Anomaly | undefined): AnomalyGraph {
  const g = readAnomalyGraph(a?.detail);
  assert.ok(g, `${a?.type} carries a graph: ${JSON.stringify(a)}`);
  return g;
}

/** Every po and rf edge is true of the history; every edge joins two of the graph's nodes. */
function assertRealEdges(g: AnomalyGraph, ops: readonly Operation[]): void {
  for (const e of g.edges) {
    assert.ok(g.nodes.includes(e.from) && g.nodes.includes(e.to), JSON.stringify(e));
    const a = ops[e.from]!;
    const b = ops[e.to]!;
    if (e.relation === 'po' || e.relation === 'so') {
      assert.equal(a.process, b.process, `po joins one process: ${JSON.stringify(e)}`);
      assert.ok(a.invokeIndex < b.invokeIndex);
    }
    if (e.relation === 'rf') {
      assert.equal(a.f, 'write');
      assert.equal(b.f, 'read');
      assert.deepEqual(b.output, a.input, `rf: the read returned the write's value: ${JSON.stringify(e)}`);
    }
  }
}

const edgesOf = (g: AnomalyGraph) => g.edges.map((e) => `${e.from}-${e.relation}->${e.to}`).sort();

const causalVectors = [
  'r x1, w x1 | w x2',
  'w x1, r x0 | w x2',
  'w x1, r x2 | w x2, r x1',
  'w x1 | w x2, r x1, r x2',
  'r x2 | w x1, w x2, r x1',
  'w x1, w y1 | r y1, r x0',
  'w x1 | r x1, w y1 | r y1, r x0',
  'w x1, w x2, w y1 | r y1, r x1',
];

test('every CC, CCv and CM anomaly on the checking.md §3.3 vectors carries a graph of real edges', () => {
  for (const text of causalVectors) {
    const ops = pairOperations(historyFromSessions(text));
    const results = [
      checkCausalVariant({ checker: 'causal-cc', model: 'CC', convergence: false }, ops, { initialValue: 0 }),
      checkCausalVariant({ checker: 'causal-ccv', model: 'CCv', convergence: true }, ops, { initialValue: 0 }),
      checkCausalMemory(ops, { initialValue: 0 }),
    ];
    for (const r of results)
      for (const a of r.anomalies) {
        const g = graphOf(a);
        assert.ok(g.edges.length > 0, `${text}: ${a.type}`);
        assertRealEdges(g, ops);
      }
  }
});

test('CyclicCO is its po/rf cycle; WriteCORead closes src ⇝ w ⇝ r with the rf it returned; CyclicCF has ww', () => {
  // r x1, w x1 | w x2: op 0 (r x1) po op 1 (w x1), op 1 rf op 0.
  const cyclic = checkCausalVariant(
    { checker: 'causal-cc', model: 'CC', convergence: false },
    pairOperations(historyFromSessions('r x1, w x1 | w x2')),
    { initialValue: 0 },
  );
  assert.equal(cyclic.anomalies[0]?.type, 'CyclicCO');
  assert.deepEqual(edgesOf(graphOf(cyclic.anomalies[0])), ['0-po->1', '1-rf->0']);
  // r x2 | w x1, w x2, r x1: w x1 (1) po w x2 (2) po r x1 (3), and r x1 read w x1.
  const stale = checkCausalVariant(
    { checker: 'causal-cc', model: 'CC', convergence: false },
    pairOperations(historyFromSessions('r x2 | w x1, w x2, r x1')),
    { initialValue: 0 },
  );
  const a = stale.anomalies.find((x) => x.type === 'WriteCORead');
  assert.deepEqual(edgesOf(graphOf(a)), ['1-po->2', '1-rf->3', '2-po->3']);
  const ccv = checkCausalVariant(
    { checker: 'causal-ccv', model: 'CCv', convergence: true },
    pairOperations(historyFromSessions('w x1, r x2 | w x2, r x1')),
    { initialValue: 0 },
  );
  const cf = ccv.anomalies.find((x) => x.type === 'CyclicCF');
  assert.ok(graphOf(cf).edges.some((e) => e.relation === 'ww'));
});

test('causal-tx CyclicCO and CyclicCF graphs name so, wr and ww edges', () => {
  const txn = (process: number, index: number, micro: unknown[]): Operation => ({
    id: index,
    process,
    f: 'txn',
    input: micro as Operation['input'],
    output: micro as Operation['output'],
    status: 'ok',
    invokeIndex: 2 * index,
    completeIndex: 2 * index + 1,
    call: 2 * index,
    ret: 2 * index + 1,
  });
  // Each txn reads the other's write: wr both ways, a cycle.
  const cyclic = checkTransactionalCausal([
    txn(0, 0, [
      ['r', 'x', 2],
      ['w', 'x', 1],
    ]),
    txn(1, 1, [
      ['r', 'x', 1],
      ['w', 'x', 2],
    ]),
  ]);
  assert.equal(cyclic.anomalies[0]?.type, 'CyclicCO');
  assert.deepEqual(edgesOf(graphOf(cyclic.anomalies[0])), ['0-wr->1', '1-wr->0']);
  // w x1, r x2 | w x2, r x1 as transactions: no commit order explains both reads.
  const cf = checkTransactionalCausal([
    txn(0, 0, [['w', 'x', 1]]),
    txn(1, 1, [['w', 'x', 2]]),
    txn(0, 2, [['r', 'x', 2]]),
    txn(1, 3, [['r', 'x', 1]]),
  ]);
  const a = cf.anomalies.find((x) => x.type === 'CyclicCF');
  assert.ok(a, JSON.stringify(cf));
  assert.deepEqual(
    graphOf(a)
      .edges.map((e) => e.relation)
      .sort(),
    ['ww', 'ww'],
  );
});

test('sequential: incoherent keys and constraint cycles carry graphs of real edges', () => {
  for (const text of ['w1 | w2 | r1, r2, r1', 'w5 | w3 | r5, r3 | r3, r5', 'r1, w1', 'w1, r0']) {
    const ops = pairOperations(historyFromSessions(text));
    const r = checkSequential(ops, { initialValue: 0 });
    assert.equal(r.valid, false);
    const g = graphOf(r.anomalies[0]);
    assertRealEdges(g, ops);
    assert.ok(g.edges.length >= 2, `${text}: ${JSON.stringify(g)}`);
  }
  // §2.3: both processes' po pairs, and each read's rf from its write.
  const ops = pairOperations(historyFromSessions('w5 | w3 | r5, r3 | r3, r5'));
  assert.deepEqual(edgesOf(graphOf(checkSequential(ops, { initialValue: 0 }).anomalies[0])), [
    '0-rf->2',
    '0-rf->5',
    '1-rf->3',
    '1-rf->4',
    '2-po->3',
    '4-po->5',
  ]);
});

test('session guarantees: every violation on the checking.md §4.2 vectors carries a graph of real edges', () => {
  const vectors = [
    'w1, w2 | r1, r2, r1',
    'w1, r0',
    'w1 | w2 | r1, r2 | r2, r1',
    'w1, r2 | w2, r1',
    'r2, w1 | r1, w2',
    'w1, w2 | r2, r1',
    'w1, w2 | r2, w3 | r3, r1',
  ];
  for (const text of vectors) {
    const ops = pairOperations(historyFromSessions(text));
    for (const guarantees of [...SESSION_GUARANTEES.map((g) => [g]), SESSION_GUARANTEES]) {
      for (const a of checkSessionGuarantees(guarantees, ops, { initialValue: 0 }).anomalies) {
        const g = graphOf(a);
        assert.ok(g.edges.length > 0);
        assertRealEdges(g, ops);
      }
    }
  }
  // w1, w2 | r1, r2, r1: r1 (2) then r2 (3) force w1 (0) before w2 (1); r2 then r1 (4) force the opposite.
  const mr = checkSessionGuarantees(['monotonic-reads'], pairOperations(historyFromSessions('w1, w2 | r1, r2, r1')), {
    initialValue: 0,
  });
  assert.deepEqual(edgesOf(graphOf(mr.anomalies[0])), [
    '0-before (MR)->1',
    '0-rf->2',
    '0-rf->4',
    '1-before (MR)->0',
    '1-rf->3',
    '2-po->3',
    '3-po->4',
  ]);
});
