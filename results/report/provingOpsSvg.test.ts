import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pairOperations } from '../../checkers/history.ts';
import type { Anomaly } from '../../checkers/result.ts';
import { checkSequential } from '../../checkers/sequential/sequential.ts';
import { simulateStore } from '../../checkers/testing/stores.ts';
import { causalCycleChecks, knownBadChecks, knownBadHistory, syntheticRegisterHistory } from '../testing/sampleRuns.ts';
import { maxProvingOps, provingOps, provingOpsFigure, staleReadEdges } from './provingOpsSvg.ts';
import { buildReportData } from './reportData.ts';

const data = buildReportData(knownBadHistory(), knownBadChecks());
const firstAnomaly = (checker: string, checks = knownBadChecks()): Anomaly =>
  checks.find((c) => c.checker === checker)!.anomalies[0]!;

test('a stale read is drawn with the write it missed and the end of the prefix that linearized', () => {
  const proving = provingOps(firstAnomaly('linearizable'), data);
  // op 3 read 1 after op 2 wrote 2; op 0 wrote the 1 it returned (the longest prefix is 0 then 2).
  assert.deepEqual(proving.ops, [0, 2, 3]);
  assert.equal(proving.failedOp, 3);
  // op 3 read from op 0 (rf), and op 2 began after op 0 completed and completed before op 3 began (rt).
  assert.deepEqual(proving.edges, [
    { from: 0, to: 3, relation: 'rf' },
    { from: 2, to: 3, relation: 'rt' },
  ]);
  assert.equal(proving.left, 0);
  const svg = provingOpsFigure(firstAnomaly('linearizable'), data, 0, 0).html;
  assert.match(svg, /class="po-op po-failed" data-op="3"/);
  assert.match(svg, /cannot be placed/);
  assert.match(svg, /rf reads from · rt completed before it began/);
});

test('no stale-read edges where the pattern does not prove one', () => {
  // op 7 read 1 with op 0 (wrote 1) and op 5 (wrote the script) drawn: op 5 began after op 0 completed and
  // completed before op 7 began, so it is missed; without op 5 there is nothing to show, so no edge at all.
  assert.deepEqual(staleReadEdges(7, [0, 5, 7], data), [
    { from: 0, to: 7, relation: 'rf' },
    { from: 5, to: 7, relation: 'rt' },
  ]);
  assert.deepEqual(staleReadEdges(7, [0, 7], data), []);
  // A write is not a read; a read whose value no drawn write wrote has no source.
  assert.deepEqual(staleReadEdges(2, [0, 2], data), []);
  assert.deepEqual(staleReadEdges(4, [0, 4], data), []);
});

test('a cycle is drawn with its ops in time order and only the edges between drawn ops', () => {
  const anomaly = firstAnomaly('causal-ccv', causalCycleChecks());
  const proving = provingOps(anomaly, data);
  assert.deepEqual(proving.ops, [0, 5, 6, 7]);
  assert.equal(proving.edges.length, 6);
  assert.equal(proving.failedOp, null);
  const svg = provingOpsFigure(anomaly, data, 0, 1).html;
  assert.equal(svg.match(/class="po-edge"/g)?.length, 6);
  // The hostile value in an op's label is escaped, never markup.
  assert.ok(!svg.includes('<script>'));
});

test('an anomaly of many ops draws the first few and counts the rest', () => {
  const history = syntheticRegisterHistory(200, 4);
  const big = buildReportData(history, []);
  const ops = Array.from({ length: 40 }, (_, i) => i);
  const proving = provingOps({ type: 'lost', ops, indices: [], explanation: 'lost writes' }, big);
  assert.equal(proving.ops.length, maxProvingOps);
  assert.equal(proving.left, 40 - maxProvingOps);
  assert.match(
    provingOpsFigure({ type: 'lost', ops, indices: [], explanation: '' }, big, 0, 2).html,
    /and 34 more ops/,
  );
});

test('ops the history does not have are not drawn; none at all draws nothing', () => {
  const anomaly: Anomaly = { type: 'x', ops: [-1, 99, 1.5], indices: [], explanation: '' };
  assert.deepEqual(provingOps(anomaly, data).ops, []);
  assert.equal(provingOpsFigure(anomaly, data, 0, 3).html, '');
});

test('a sequential refutation found by search is drawn with what each blocked op waits for', () => {
  let drawn = 0;
  for (let seed = 1; seed <= 16; seed++) {
    const history = simulateStore({ design: 'causal-lww', seed, ops: 40, processes: 3, keys: 2 });
    const check = checkSequential(pairOperations(history), { saturate: false });
    const anomaly = check.anomalies[0];
    if (check.valid !== false || anomaly === undefined || !/is blocked/.test(anomaly.explanation)) continue;
    const proving = provingOps(anomaly, buildReportData(history, [check]));
    assert.ok(proving.edges.length > 0, `seed ${seed}`);
    for (const e of proving.edges) assert.ok(proving.ops.includes(e.from) && proving.ops.includes(e.to));
    drawn++;
  }
  assert.ok(drawn > 0, 'some refutation came from the search');
});
