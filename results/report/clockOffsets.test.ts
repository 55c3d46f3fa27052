import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReportClockOffsets } from './model.ts';
import { clockOffsets, maxDrawnStrobePhases, readClockFault } from './clockOffsets.ts';
import { buildReportData } from './reportData.ts';
import {
  clockFaultHistory,
  clockStartRow,
  clockStopRow,
  historyFromRows,
  knownBadHistory,
  type HistoryRow,
} from '../testing/sampleRuns.ts';

/** The series as [seconds, offset ms] points for one node, jumps showing as a repeated time. */
function points(offsets: ReportClockOffsets | null, node: string): [number, number][] {
  assert.ok(offsets !== null, 'the history has clock offsets');
  const series = offsets.nodes.find((n) => n.node === node);
  assert.ok(series !== undefined, `${node} has a series`);
  return offsets.t.map((t, i) => [t, series.offsetMs[i]!]);
}

/** A node's offset at `ms`: the value after any jump there, on the straight line between samples otherwise. */
function offsetAt(offsets: ReportClockOffsets | null, node: string, ms: number): number {
  const line = points(offsets, node);
  const s = ms / 1000;
  let i = 0;
  while (i + 1 < line.length && line[i + 1]![0] <= s) i++;
  const [t0, v0] = line[i]!;
  const next = line[i + 1];
  if (next === undefined || next[0] === t0 || s <= t0) return v0;
  return Math.round((v0 + ((next[1] - v0) * (s - t0)) / (next[0] - t0)) * 1000) / 1000;
}

const client: HistoryRow[] = [
  [0, 'invoke', 0, 'read', null],
  [100, 'ok', 0, 'read', null],
];

test('a bump is a step up at its start and back to 0 at its heal', () => {
  const history = historyFromRows([
    ...client,
    clockStartRow(10, ['n1'], { kind: 'bump', offsetMs: 500 }),
    clockStopRow(40, ['n1']),
  ]);
  const offsets = clockOffsets(history, 100);
  assert.deepEqual(
    offsets?.nodes.map((n) => n.node),
    ['n1'],
  );
  assert.deepEqual(points(offsets, 'n1'), [
    [0, 0],
    [0.01, 0],
    [0.01, 500],
    [0.04, 500],
    [0.04, 0],
    [0.1, 0],
  ]);
  assert.deepEqual(offsets?.notes, []);
});

test('overlapping faults on different nodes share one time axis, each node keeping its own line', () => {
  const history = historyFromRows([
    ...client,
    clockStartRow(10, ['n2', 'n1'], { kind: 'bump', offsetMs: -200 }),
    clockStartRow(20, ['n3'], { kind: 'bump', offsetMs: 1000 }),
    clockStopRow(30, ['n2', 'n1']),
    clockStopRow(60, ['n3']),
  ]);
  const offsets = clockOffsets(history, 100);
  assert.deepEqual(
    offsets?.nodes.map((n) => n.node),
    ['n1', 'n2', 'n3'],
  );
  for (const node of ['n1', 'n2']) {
    assert.deepEqual(
      [5, 15, 25, 35, 70].map((ms) => offsetAt(offsets, node, ms)),
      [0, -200, -200, 0, 0],
    );
  }
  assert.deepEqual(
    [5, 15, 25, 35, 70].map((ms) => offsetAt(offsets, 'n3', ms)),
    [0, 0, 1000, 1000, 0],
  );
  // Every series has a value at every time, and n3 stays flat across n1's jumps.
  for (const n of offsets?.nodes ?? []) assert.equal(n.offsetMs.length, offsets?.t.length);
  const t10 = offsets?.t.flatMap((t, i) => (t === 0.01 ? [i] : [])) ?? [];
  assert.equal(t10.length, 2, 'the jump at 10 ms is drawn as a repeated time');
  assert.deepEqual(
    t10.map((i) => offsets?.nodes[2]?.offsetMs[i]),
    [0, 0],
  );
});

test('a strobe is a square wave between delta and 0, one period per phase, for its duration', () => {
  const history = historyFromRows([
    ...client,
    clockStartRow(10, ['n1'], { kind: 'strobe', deltaMs: 80, periodMs: 10, durationMs: 25 }),
    clockStopRow(60, ['n1']),
  ]);
  const offsets = clockOffsets(history, 100);
  // Phases start at 10, 20 and 30 ms (the last starts under the 25 ms duration, so runs its full period).
  assert.deepEqual(
    [5, 12, 19, 22, 32, 39, 41, 55, 80].map((ms) => offsetAt(offsets, 'n1', ms)),
    [0, 80, 80, 0, 80, 80, 0, 0, 0],
  );
  assert.deepEqual(points(offsets, 'n1').slice(0, 6), [
    [0, 0],
    [0.01, 0],
    [0.01, 80],
    [0.02, 80],
    [0.02, 0],
    [0.03, 0],
  ]);
});

test('a heal cuts a strobe short', () => {
  const history = historyFromRows([
    ...client,
    clockStartRow(0, ['n1'], { kind: 'strobe', deltaMs: 50, periodMs: 20, durationMs: 1000 }),
    clockStopRow(30, ['n1']),
  ]);
  const offsets = clockOffsets(history, 100);
  assert.deepEqual(
    [10, 25, 35, 90].map((ms) => offsetAt(offsets, 'n1', ms)),
    [50, 0, 0, 0],
  );
});

test('a strobe too fast to draw is drawn coarser, still alternating, and says so', () => {
  const history = historyFromRows([
    [0, 'invoke', 0, 'read', null],
    [100_000, 'ok', 0, 'read', null],
    clockStartRow(0, ['n1'], { kind: 'strobe', deltaMs: 50, periodMs: 1, durationMs: 100_000 }),
  ]);
  const offsets = clockOffsets(history, 100_000);
  assert.ok(offsets !== null);
  assert.ok(offsets.t.length <= 2 * maxDrawnStrobePhases + 4, `${offsets.t.length} samples`);
  assert.equal(offsetAt(offsets, 'n1', 5), 50, 'drawn every 11 ms: the first 11 ms at delta');
  assert.equal(offsetAt(offsets, 'n1', 16), 0);
  const values = new Set(offsets.nodes[0]?.offsetMs);
  assert.deepEqual([...values].sort(), [0, 50]);
  assert.equal(offsets.notes.length, 1);
  assert.match(
    offsets.notes[0]!,
    /^A strobe flipped faster than this run's chart can hold \(the fastest every 1\.0 ms\), so the chart draws each flipping more slowly, no faster than every 10 ms,/,
  );
});

test('a drift is a ramp of (rate - 1) ms per ms, down for a slow clock, until it is healed', () => {
  const history = historyFromRows([
    ...client,
    clockStartRow(10, ['n1'], { kind: 'drift', rate: 1.5 }),
    clockStartRow(20, ['n2'], { kind: 'drift', rate: 0.5 }),
    clockStopRow(50, ['n1']),
  ]);
  const offsets = clockOffsets(history, 100);
  assert.deepEqual(
    [5, 10, 30, 50, 60].map((ms) => offsetAt(offsets, 'n1', ms)),
    [0, 0, 10, 0, 0],
  );
  assert.equal(offsetAt(offsets, 'n1', 49.99), 19.995);
  // n2 is never stopped in this history (the stop above pairs with n1's start): it drifts to the end.
  assert.deepEqual(
    [20, 60, 100].map((ms) => offsetAt(offsets, 'n2', ms)),
    [0, -20, -40],
  );
});

test('a fault on a skewed node replaces its offset under faketime; real-clock bumps add up', () => {
  const rows = (via: 'faketime' | 'system-clock') => [
    ...client,
    clockStartRow(10, ['n1'], { kind: 'bump', offsetMs: 100 }, via),
    clockStartRow(20, ['n1'], { kind: 'bump', offsetMs: 30 }, via),
    clockStopRow(30, ['n1']),
    clockStopRow(40, ['n1']),
  ];
  const faketime = clockOffsets(historyFromRows(rows('faketime')), 100);
  const real = clockOffsets(historyFromRows(rows('system-clock')), 100);
  assert.deepEqual(
    [15, 25, 35].map((ms) => offsetAt(faketime, 'n1', ms)),
    [100, 30, 0],
  );
  assert.deepEqual(
    [15, 25, 35].map((ms) => offsetAt(real, 'n1', ms)),
    [100, 130, 0],
  );
});

test('failed starts apply nothing; a failed reset leaves the offset drawn, with a note', () => {
  const history = historyFromRows([
    ...client,
    [5, 'info', 'nemesis', 'start-clock', { attempted: { kind: 'clock' } }],
    [6, 'info', 'nemesis', 'stop-clock', { nodes: [] }],
    clockStartRow(10, ['n1'], { kind: 'bump', offsetMs: 70 }),
    clockStopRow(20, ['n1']),
  ]);
  history[1]!.error = 'libfaketime missing';
  history[4]!.error = 'ssh: connection lost';
  const offsets = clockOffsets(history, 100);
  assert.deepEqual(
    offsets?.nodes.map((n) => n.node),
    ['n1'],
  );
  assert.equal(offsetAt(offsets, 'n1', 50), 70);
  assert.deepEqual(offsets?.notes, [
    'Resetting the clock of n1 failed at 0.020 s (ssh: connection lost); it is drawn as still applied.',
  ]);
  // Only failed starts: nothing was skewed.
  assert.equal(clockOffsets(history.slice(0, 3), 100), null);
});

test('a clock fault of an unknown shape is not drawn, and the report says so', () => {
  const history = historyFromRows([
    ...client,
    clockStartRow(10, ['n1'], { kind: 'jitter', ms: 5 }),
    clockStartRow(10, ['n2'], { kind: 'bump', offsetMs: 5 }),
  ]);
  const offsets = clockOffsets(history, 100);
  assert.deepEqual(
    offsets?.nodes.map((n) => n.node),
    ['n2'],
  );
  assert.match(offsets?.notes[0] ?? '', /clock fault on n1 at 0\.010 s is of a shape this report does not know/);
  assert.equal(readClockFault({ kind: 'drift', rate: 0 }), null);
  assert.equal(readClockFault({ kind: 'bump', offsetMs: '5' }), null);
  assert.deepEqual(readClockFault({ kind: 'strobe', deltaMs: 1, periodMs: 2, durationMs: 3 }), {
    kind: 'strobe',
    deltaMs: 1,
    periodMs: 2,
    durationMs: 3,
  });
});

test('a history with no clock faults has no clock offsets', () => {
  assert.equal(buildReportData(knownBadHistory(), []).clockOffsets, null);
  assert.equal(clockOffsets([], 0), null);
});

test('the report data carries the sample clock-fault run: one series per skewed node, to the end of the run', () => {
  const data = buildReportData(clockFaultHistory(), []);
  const offsets = data.clockOffsets;
  assert.deepEqual(
    offsets?.nodes.map((n) => n.node),
    ['n1', 'n2', 'n3'],
  );
  assert.equal(offsets?.t.at(-1), data.endMs / 1000);
  assert.equal(offsetAt(offsets, 'n1', 30), 250);
  assert.equal(offsetAt(offsets, 'n2', 25), 100);
  assert.equal(offsetAt(offsets, 'n2', 35), 0);
  assert.equal(offsetAt(offsets, 'n3', 88), 58);
  assert.deepEqual(
    data.faults.map((w) => [w.fault, w.start, w.end]),
    [
      ['clock', 12, 52],
      ['clock', 20, 70],
      ['clock', 30, null],
    ],
  );
});
