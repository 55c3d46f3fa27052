import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Anomaly } from '../../checkers/result.ts';
import { causalCycleChecks, knownBadChecks, knownBadHistory, syntheticRegisterHistory } from '../testing/sampleRuns.ts';
import { maxProvingOps, provingOps, provingOpsFigure } from './provingOpsSvg.ts';
import { buildReportData } from './reportData.ts';

const data = buildReportData(knownBadHistory(), knownBadChecks());
const firstAnomaly = (checker: string, checks = knownBadChecks()): Anomaly =>
  checks.find((c) => c.checker === checker)!.anomalies[0]!;

test('a stale read is drawn with the write it missed and the end of the prefix that linearized', () => {
  const proving = provingOps(firstAnomaly('linearizable'), data);
  // op 3 read 1 after op 2 wrote 2; op 0 wrote the 1 it returned (the longest prefix is 0 then 2).
  assert.deepEqual(proving.ops, [0, 2, 3]);
  assert.equal(proving.failedOp, 3);
  assert.deepEqual(proving.edges, []);
  assert.equal(proving.left, 0);
  const svg = provingOpsFigure(firstAnomaly('linearizable'), data, 0, 0).html;
  assert.match(svg, /class="po-op po-failed" data-op="3"/);
  assert.match(svg, /cannot be placed/);
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
