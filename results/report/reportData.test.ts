import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pairOperations } from '../../checkers/history.ts';
import { checkCounter } from '../../checkers/counter/counter.ts';
import {
  clockStartRow,
  historyFromRows,
  knownBadChecks,
  knownBadHistory,
  syntheticCounterHistory,
  syntheticRegisterHistory,
} from '../testing/sampleRuns.ts';
import { opStatusCodes } from './model.ts';
import type { CheckResult } from '../../checkers/result.ts';
import {
  buildReportData,
  counterBounds,
  linearizationDetail,
  maxCounterReadsDrawn,
  maxLinearizationOps,
  niceBucketMs,
  packLanes,
  percentile,
} from './reportData.ts';
import { fallbackFaultColor } from './faultStyle.ts';

test('ops are paired into columns with times in ms', () => {
  const data = buildReportData(knownBadHistory(), []);
  assert.equal(data.ops.count, 8);
  assert.deepEqual(data.fNames, ['write', 'read']);
  assert.equal(data.ops.call[3], 40);
  assert.equal(data.ops.ret[3], 50);
  assert.equal(data.ops.output[3], 1);
  // op 1 is an info: its ret is when the harness gave up, not +Infinity
  assert.equal(data.ops.status[1], opStatusCodes.info);
  assert.equal(data.ops.ret[1], 80);
  assert.equal(data.endMs, 88);
  // An old history's event has no label or colour of its own: its raw value, and the kind's fallback colour.
  assert.deepEqual(data.faults, [
    {
      fault: 'partition',
      start: 15,
      end: 55,
      label: 'partition: {"n1":["n2","n3"]}',
      color: fallbackFaultColor('partition'),
    },
  ]);
});

test('time 0 is the first client op: start-up before it is cut, faults before it start below 0', () => {
  const data = buildReportData(
    historyFromRows([
      [1000, 'info', 'nemesis', 'start-partition', { n1: ['n2'] }],
      [1500, 'info', 'nemesis', 'stop-partition', null],
      clockStartRow(2000, ['n1'], { kind: 'bump', offsetMs: 100 }),
      [2500, 'info', 'nemesis', 'start-kill', { nodes: ['n2'] }],
      [30_000, 'invoke', 0, 'write', 1],
      [30_010, 'ok', 0, 'write', 1],
      [30_020, 'invoke', 1, 'read', null],
      [30_050, 'ok', 1, 'read', 1],
    ]),
    [],
  );
  assert.equal(data.originMs, 30_000);
  assert.deepEqual(
    [data.ops.call, data.ops.ret],
    [
      [0, 20],
      [10, 50],
    ],
  );
  assert.equal(data.endMs, 50);
  assert.deepEqual(
    data.faults.map((w) => [w.fault, w.start, w.end]),
    [
      ['partition', -29_000, -28_500],
      ['clock', -28_000, null],
      ['kill', -27_500, null],
    ],
  );
  // The perf buckets and the clock line count from the same 0; the bump made before it is in force at 0.
  assert.equal(data.perf.t[0], 0);
  const clock = data.clockOffsets;
  assert.ok(clock !== null);
  assert.equal(clock.t[0], -28);
  assert.equal(clock.nodes[0]?.offsetMs.at(-1), 100);
  assert.equal(clock.t.at(-1), 0.05);
});

test('a fresh process after an info reuses its worker lane', () => {
  const data = buildReportData(syntheticRegisterHistory(3000, 4, 7), []);
  const processes = new Set(data.ops.process);
  assert.ok(processes.size > 4, 'the synthetic history retires some processes');
  assert.equal(data.lanes.length, 4);
  assert.deepEqual(new Set(data.lanes.flat()), processes);
  const lanes = packLanes({ ...data.ops });
  assert.deepEqual(lanes, data.lanes);
});

test('throughput counts every completion and latency percentiles are ordered', () => {
  const history = syntheticRegisterHistory(5000, 8, 3);
  const data = buildReportData(history, []);
  const completions = history.filter((op) => op.process !== 'nemesis' && op.type !== 'invoke').length;
  const perSecond = 1000 / data.perf.bucketMs;
  const { ok, fail, info } = data.perf.throughput;
  const total = [...ok, ...fail, ...info].reduce((a, b) => a + b, 0) / perSecond;
  assert.ok(Math.abs(total - completions) < 0.5, `${total} vs ${completions}`);
  for (const s of data.perf.latency) {
    s.p50.forEach((p50, i) => {
      if (p50 === null) return;
      assert.ok(p50 <= s.p95[i]! && s.p95[i]! <= s.p99[i]! && s.p99[i]! <= s.max[i]!);
    });
  }
  assert.ok(data.perf.t.length <= 200);
});

test('percentile uses nearest rank', () => {
  assert.equal(percentile([], 50), null);
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
  assert.equal(percentile([1, 2, 3, 4], 99), 4);
  assert.equal(percentile([5], 0), 5);
  assert.equal(niceBucketMs(1500, 150), 10);
  assert.equal(niceBucketMs(140_000, 150), 1000);
});

test('anomalies keep their ops, and a linearizability detail becomes a Porcupine-style view', () => {
  const data = buildReportData(knownBadHistory(), knownBadChecks());
  assert.equal(data.anomalies.length, 2);
  const [mr, lin] = data.anomalies;
  assert.deepEqual(mr?.ops, [4, 7]);
  assert.equal(mr?.linearization, undefined);
  assert.equal(lin?.linearization?.failedOp, 3);
  assert.deepEqual(lin?.linearization?.longest, [
    [
      { op: 0, state: '1' },
      { op: 2, state: '2' },
    ],
  ]);
  // the view draws the prefix, the failed op and the ops concurrent with it
  assert.ok([0, 2, 3, 4].every((id) => lin?.linearization?.ops.includes(id)));
});

test('a long partial linearization is drawn around the op that cannot be placed, not from its start', () => {
  const history = syntheticRegisterHistory(1000, 4);
  const longest = [Array.from({ length: 300 }, (_, op) => ({ op, state: String(op) }))];
  const checks: CheckResult[] = [
    {
      checker: 'linearizable',
      model: 'linearizability',
      valid: false,
      anomalies: [
        { type: 'nonlinearizable', ops: [600], indices: [], explanation: '', detail: { failedOp: 600, longest } },
      ],
      stats: { ops: 1000, timeMs: 1 },
    },
  ];
  const view = buildReportData(history, checks).anomalies[0]?.linearization;
  assert.ok(view !== undefined);
  assert.ok(view.ops.length <= maxLinearizationOps);
  assert.ok(view.ops.includes(600), 'the unplaceable op is drawn');
  assert.ok(view.ops.includes(299), "the prefix's last step is drawn");
  assert.ok(!view.ops.includes(0), "the prefix's first step is left to the collapsed list");
  assert.equal(view.longest[0]?.length, 300, 'the whole prefix stays in the data');
});

test('a detail of another shape is ignored rather than trusted', () => {
  assert.equal(linearizationDetail({ failedOp: 'x', longest: [] }), null);
  assert.equal(linearizationDetail({ failedOp: 1, longest: [[{ state: 's' }]] }), null);
  assert.equal(linearizationDetail('nope'), null);
  assert.deepEqual(linearizationDetail({ failedOp: 1, longest: [[{ op: 0, state: { v: 1 } }]] }), {
    key: '',
    failedOp: 1,
    longest: [[{ op: 0, state: '{"v":1}' }]],
  });
});

test('checks are ranked strongest model first', async () => {
  const { modelRank } = await import('./format.ts');
  const names = [
    'read-your-writes',
    'causal-cc',
    'plugin-check',
    'linearizable',
    'causal-ccv',
    'sequential',
    'session',
  ];
  const sorted = [...names].sort((a, b) => modelRank(a, '') - modelRank(b, ''));
  assert.deepEqual(sorted, [
    'linearizable',
    'sequential',
    'causal-ccv',
    'causal-cc',
    'session',
    'read-your-writes',
    'plugin-check',
  ]);
  assert.ok(modelRank('strict-serializable-x', 'linearizability (kv)') < modelRank('sequential', ''));
});

test("a counter history's reads are drawn with their bounds: all those outside, the rest sampled", () => {
  assert.equal(buildReportData(knownBadHistory(), []).counters, null, 'a register history has no counter view');
  const history = syntheticCounterHistory(12_000);
  const operations = pairOperations(history);
  const check = checkCounter(operations);
  const [key] = counterBounds(operations)!;
  assert.ok(key !== undefined);
  const outside = key.reads.filter((r) => r.value < r.lower || r.value > r.upper);
  // The checker's out-of-bounds reads, every one of them, and no more than the chart holds.
  assert.deepEqual(
    outside.map((r) => r.op),
    check.anomalies.flatMap((a) => a.ops),
  );
  assert.ok(key.reads.length <= maxCounterReadsDrawn);
  assert.equal(key.reads.length + key.omitted, Number(check.stats['reads']));
  const calls = key.reads.map((r) => operations[r.op]!.call);
  assert.deepEqual(
    calls,
    [...calls].sort((a, b) => a - b),
    'in invoke order',
  );
});
