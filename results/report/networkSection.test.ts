import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HistoryOp } from '../../checkers/history.ts';
import type { CheckResult } from '../../checkers/result.ts';
import type { NetworkFigures } from '../networkFigures.ts';
import { networkSection } from './networkSection.ts';
import { buildReportData } from './reportData.ts';

const history: HistoryOp[] = [
  { index: 0, time: 0, type: 'invoke', process: 0, f: 'add', value: 1, node: 'n1', key: 'k0' },
  { index: 1, time: 1e6, type: 'ok', process: 0, f: 'add', value: 1, node: 'n1', key: 'k0' },
];
const lost: CheckResult = {
  checker: 'set',
  model: 'set',
  valid: false,
  anomalies: [{ type: 'lost', ops: [0], explanation: 'lost 1' }],
  stats: { ops: 1, timeMs: 0 },
};
const figures: NetworkFigures = {
  messages: 10,
  serverMessages: 4,
  clientOps: 1,
  messagesPerOp: 10,
  serverMessagesPerOp: 4,
  drops: { partitioned: 3, lost: 1 },
  duplicates: 2,
  skippedLines: 0,
  stableLatency: {
    elements: 1,
    stable: 0,
    p50Ms: null,
    p95Ms: null,
    maxMs: null,
    neverStable: 1,
    neverStableExamples: [{ element: 1, node: 'n2' }],
    undetermined: 0,
    nodes: ['n1', 'n2'],
  },
};
const input = { figures, events: [], nodes: ['n1', 'n2'] };

describe('the Network section', () => {
  test('no message log, no section', () => {
    assert.equal(networkSection(null, buildReportData(history, [lost])).html, '');
  });

  test('the figures, and the never-stable elements named with the node that misses them', () => {
    const text = networkSection({ ...input, historyOriginEpochMs: 0 }, buildReportData(history, [lost])).html;
    assert.match(text, /data-figure="server-messages-per-op">4\.00</);
    assert.match(text, /1 lost, 3 partitioned; 2 duplicate deliveries/);
    assert.match(text, /data-figure="never-stable">1</);
    assert.match(text, /e\.g\. 1 \(missed by n2\)/);
    // The anomaly's window held no message: said, not drawn.
    assert.match(text, /No message was sent in that window/);
  });

  test('without the history origin (an older run) the diagram is refused with the reason; without an anomaly, none', () => {
    const older = networkSection({ ...input, historyOriginEpochMs: undefined }, buildReportData(history, [lost])).html;
    assert.match(older, /No message diagram: results\.json does not say when the history's time 0 was/);
    assert.doesNotMatch(older, /<svg/);
    const valid = networkSection({ ...input, historyOriginEpochMs: 0 }, buildReportData(history, [])).html;
    assert.match(valid, /No anomaly: no message diagram to draw/);
  });
});
