// Hand-made runs for the report's tests and benchmark: a small known-bad register history with checker
// results written by hand (the real checkers are tested elsewhere), and a large synthetic one.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryOp, ProcessId, Value } from '../../checkers/history.ts';
import type { CheckResult } from '../../checkers/result.ts';
import { faultKindColors, readNemesisEvent } from '../../checkers/nemesisEvents.ts';
import type { RunResults } from '../runResults.ts';

export const hostileValue = '<script>alert(1)</script>';
export const hostileExplanation = 'the system returned <img src=x onerror="window.__xss=1"> here';

const ms = 1e6;

/** One history op as [time ms, type, process, f, value]. */
export type HistoryRow = [number, HistoryOp['type'], ProcessId, string, Value];

/** Builds history ops from rows, numbering them in time order (rows at the same time keep their order). */
export function historyFromRows(rows: readonly HistoryRow[]): HistoryOp[] {
  return [...rows]
    .sort((a, b) => a[0] - b[0])
    .map(([time, type, process, f, value], index) => ({ index, time: time * ms, type, process, f, value }));
}

/**
 * A clock fault's start as nemesis/nemesisRunner.ts records it: `{ nodes, clock, via }`, where `clock` is one of
 * nemesis/faults/clock.ts's ClockFault shapes (bump { offsetMs }, strobe { deltaMs, periodMs, durationMs },
 * drift { rate }).
 */
export function clockStartRow(
  timeMs: number,
  nodes: string[],
  clock: Value,
  via: 'faketime' | 'system-clock' = 'faketime',
): HistoryRow {
  return [timeMs, 'info', 'nemesis', 'start-clock', { nodes, clock, via }];
}

/** A clock fault's stop (its nodes' offsets reset to 0), as the nemesis runner records it: `{ nodes }`. */
export function clockStopRow(timeMs: number, nodes: string[]): HistoryRow {
  return [timeMs, 'info', 'nemesis', 'stop-clock', { nodes }];
}

/**
 * A register history that is sequentially consistent but not linearizable: p2 reads 1 after write 2 has
 * completed (op 3), and p0 reads 2 then 1 (ops 4 and 7: a monotonic-reads violation). A partition is open
 * from 15 ms to 55 ms. Op ids: 0 w1 · 1 w3 (info) · 2 w2 · 3 r→1 · 4 r→2 · 5 w<script> · 6 r→<script> · 7 r→1.
 */
export function knownBadHistory(): HistoryOp[] {
  return historyFromRows(knownBadRows());
}

function knownBadRows(): HistoryRow[] {
  return [
    [0, 'invoke', 0, 'write', 1],
    [5, 'invoke', 3, 'write', 3],
    [10, 'ok', 0, 'write', 1],
    [15, 'info', 'nemesis', 'start-partition', { n1: ['n2', 'n3'] }],
    [20, 'invoke', 1, 'write', 2],
    [30, 'ok', 1, 'write', 2],
    [40, 'invoke', 2, 'read', null],
    [45, 'invoke', 0, 'read', null],
    [50, 'ok', 2, 'read', 1],
    [55, 'info', 'nemesis', 'stop-partition', null],
    [60, 'ok', 0, 'read', 2],
    [62, 'invoke', 1, 'write', hostileValue],
    [70, 'ok', 1, 'write', hostileValue],
    [72, 'invoke', 0, 'read', null],
    [78, 'ok', 0, 'read', hostileValue],
    [80, 'info', 3, 'write', 3],
    [80, 'invoke', 0, 'read', null],
    [88, 'ok', 0, 'read', 1],
  ];
}

/**
 * The known-bad register history's client ops under clock faults instead of a partition: n1 bumped +250 ms from
 * 12 to 52 ms; n2 strobed between 0 and 100 ms every 10 ms from 20 ms, for 30 ms, stopped at 70 ms; n3
 * drifting at twice real time from 30 ms, never stopped. Its indices differ from knownBadHistory's.
 */
export function clockFaultHistory(): HistoryOp[] {
  return historyFromRows([
    ...knownBadRows().filter((row) => row[2] !== 'nemesis'),
    clockStartRow(12, ['n1'], { kind: 'bump', offsetMs: 250 }),
    clockStopRow(52, ['n1']),
    clockStartRow(20, ['n2'], { kind: 'strobe', deltaMs: 100, periodMs: 10, durationMs: 30 }),
    clockStopRow(70, ['n2']),
    clockStartRow(30, ['n3'], { kind: 'drift', rate: 2 }),
  ]);
}

export function knownBadChecks(): CheckResult[] {
  return [
    {
      checker: 'monotonic-reads',
      model: 'monotonic reads',
      valid: false,
      anomalies: [
        {
          type: 'monotonic-reads',
          ops: [4, 7],
          indices: [7, 10, 16, 17],
          explanation: `process 0 read 2 (op 4), then read 1 (op 7), an older value: ${hostileExplanation}`,
        },
      ],
      stats: { ops: 8, timeMs: 1 },
    },
    {
      checker: 'sequential',
      model: 'sequential consistency',
      valid: true,
      anomalies: [],
      stats: { ops: 8, timeMs: 3 },
    },
    {
      checker: 'linearizable',
      model: 'linearizability',
      valid: false,
      anomalies: [
        {
          type: 'nonlinearizable',
          ops: [3, 2],
          indices: [6, 8, 4, 5],
          explanation:
            'process 2 read 1 (op 3, invoked at 40 ms) after process 1 wrote 2 (op 2, completed at 30 ms): no order of the ops respects real time.',
          detail: {
            key: '',
            failedOp: 3,
            longest: [
              [
                { op: 0, state: '1' },
                { op: 2, state: '2' },
              ],
            ],
          },
        },
      ],
      stats: { ops: 8, timeMs: 2 },
    },
    {
      checker: 'causal-cc',
      model: 'causal consistency (CC)',
      valid: true,
      anomalies: [],
      stats: { ops: 8, timeMs: 1 },
    },
    {
      checker: 'read-your-writes',
      model: 'read your writes',
      valid: 'unknown',
      anomalies: [],
      reason: 'time budget of 0 ms ran out',
      stats: { ops: 8, timeMs: 0 },
    },
  ];
}

/**
 * The causal-convergence check of knownBadHistory as the real checker reports it (copied by hand): a CyclicCF
 * anomaly whose detail.graph is the cycle, 4 ops and 6 edges: w1 (op 0) and w<script> (op 5) must each be
 * ordered before the other, because p0 read each (ops 6 and 7) after causally seeing the other.
 */
export function causalCycleChecks(): CheckResult[] {
  return [
    {
      checker: 'causal-ccv',
      model: 'causal convergence (CCv)',
      valid: false,
      anomalies: [
        {
          type: 'CyclicCF',
          ops: [0, 6, 5, 7],
          indices: [0, 2, 13, 14, 11, 12, 16, 17],
          explanation: `no single order of the writes explains every read (causal convergence), since it would need a cycle: process 0 wrote 1 (index 0) must be ordered before process 1 wrote ${hostileValue} (index 11), because process 0 read ${hostileValue} (index 13) returned the latter after causally seeing the former; process 1 wrote ${hostileValue} (index 11) must be ordered before process 0 wrote 1 (index 0), because process 0 read 1 (index 16) returned the latter after causally seeing the former`,
          detail: {
            graph: {
              nodes: [0, 5, 6, 7],
              edges: [
                { from: 0, to: 5, relation: 'ww' },
                { from: 5, to: 6, relation: 'rf' },
                { from: 0, to: 6, relation: 'co' },
                { from: 5, to: 0, relation: 'ww' },
                { from: 0, to: 7, relation: 'rf' },
                { from: 5, to: 7, relation: 'co' },
              ],
            },
          },
        },
      ],
      stats: { ops: 8, timeMs: 1 },
    },
  ];
}

export function sampleResults(
  history: readonly HistoryOp[],
  checks: CheckResult[],
  overrides: Partial<RunResults> = {},
): RunResults {
  const opCounts = { ok: 0, fail: 0, info: 0 };
  for (const op of history) if (op.process !== 'nemesis' && op.type !== 'invoke') opCounts[op.type]++;
  return {
    campaign: 'register-partition',
    system: 'lww-register',
    nodes: ['n1', 'n2', 'n3'],
    seed: 42,
    startedAt: '2026-11-23T20:00:00.000Z',
    durationMs: (history.at(-1)?.time ?? 0) / ms,
    faults: {
      applied: ['partition'],
      unavailable: [{ fault: 'clock', reason: 'libfaketime is not installed in the node image' }],
      // As the runner records them: each kind's colour from its events in the history.
      colors: faultKindColors(history.flatMap((op) => readNemesisEvent(op) ?? [])),
    },
    opCounts,
    checks,
    ...overrides,
  };
}

/** Writes a run directory the way the runner lays it out; `results: null` leaves results.json out. */
export function writeSampleRun(dir: string, history: readonly HistoryOp[], results: RunResults | null): string {
  mkdirSync(join(dir, 'logs', 'n1'), { recursive: true });
  writeFileSync(join(dir, 'history.jsonl'), history.map((op) => JSON.stringify(op)).join('\n') + '\n');
  if (results !== null) writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2));
  writeFileSync(join(dir, 'campaign.yaml'), `name: register-partition\n# ${hostileValue}\n`);
  writeFileSync(join(dir, 'logs', 'n1', 'server.log'), 'started\n');
  writeFileSync(join(dir, 'harness.log'), 'ok\n');
  return dir;
}

/**
 * A synthetic register history of `count` ops over `workers` concurrent clients, with a partition every
 * 20 s and occasional indeterminate (info) ops that retire their process, as the runner does.
 */
export function syntheticRegisterHistory(count: number, workers = 10, seed = 1): HistoryOp[] {
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  type Event = [number, HistoryOp['type'], ProcessId, string, Value, string | undefined];
  const events: Event[] = [];
  const clocks = Array.from({ length: workers }, () => random() * 5);
  const processes = Array.from({ length: workers }, (_, i) => i);
  let nextProcess = workers;
  let last: Value = null;
  for (let n = 0; n < count; n++) {
    const w = n % workers;
    const p = processes[w]!;
    const start = clocks[w]!;
    const latency = 0.5 + random() * random() * 40;
    const end = start + latency;
    const roll = random();
    const f = roll < 0.5 ? 'read' : roll < 0.9 ? 'write' : 'cas';
    const value: Value = f === 'read' ? null : f === 'write' ? `${p}-${n}` : [last, `${p}-${n}`];
    events.push([start, 'invoke', p, f, value, undefined]);
    const outcome = random();
    if (outcome < 0.003) {
      events.push([end + 500, 'info', p, f, value, 'timeout']);
      processes[w] = nextProcess++;
    } else if (outcome < 0.05) {
      events.push([end, 'fail', p, f, value, 'unavailable']);
    } else {
      if (f === 'write') last = value;
      events.push([end, 'ok', p, f, f === 'read' ? last : value, undefined]);
    }
    clocks[w] = end + random() * 3 + (outcome < 0.003 ? 500 : 0);
  }
  const endTime = Math.max(...clocks);
  for (let t = 10_000; t < endTime; t += 20_000) {
    events.push([t, 'info', 'nemesis', 'start-partition', { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] }, undefined]);
    events.push([t + 8_000, 'info', 'nemesis', 'stop-partition', null, undefined]);
  }
  events.sort((a, b) => a[0] - b[0]);
  return events.map(([time, type, process, f, value, error], index) => {
    const op: HistoryOp = { index, time: Math.round(time * ms), type, process, f, value };
    if (error !== undefined) op.error = error;
    return op;
  });
}

/**
 * `count` monotonic-reads anomalies over the known-bad history's ops (the same pair, numbered), as a long run
 * would report them: the report must show the first and collapse the rest. The first carries the pattern as
 * the session checker draws it: p0 read 2 (op 4, from op 2), then 1 (op 7, from op 0), so op 2 must come
 * before op 0; program order and the guarantee's edge join the same two reads, so their labels would meet.
 */
export function manyAnomalyChecks(count: number): CheckResult[] {
  return [
    {
      checker: 'monotonic-reads',
      model: 'monotonic reads',
      valid: false,
      anomalies: Array.from({ length: count }, (_, i) => ({
        type: 'monotonic-reads',
        ops: [4, 7],
        indices: [7, 10, 16, 17],
        explanation: `process 0 read 2 (op 4), then read 1 (op 7), an older value (anomaly ${i + 1} of ${count})`,
        ...(i === 0 && {
          detail: {
            graph: {
              nodes: [2, 4, 7, 0],
              edges: [
                { from: 2, to: 4, relation: 'rf' },
                { from: 4, to: 7, relation: 'po' },
                { from: 4, to: 7, relation: 'before (MR)' },
                { from: 0, to: 7, relation: 'rf' },
                { from: 2, to: 0, relation: 'before (MR)' },
              ],
            },
          },
        }),
      })),
      stats: { ops: 8, timeMs: 1 },
    },
  ];
}

/**
 * A sequential-consistency cycle through the first `steps` client ops of a history (program order from each op
 * to the next, and a read-from edge closing it), as the sequential checker reports a long cycle; the
 * explanation names every step, as the real one does. Needs a history with at least `steps` client ops.
 */
export function longCycleChecks(steps: number): CheckResult[] {
  const nodes = Array.from({ length: steps }, (_, i) => i);
  const edges = nodes.map((from) =>
    from === steps - 1 ? { from, to: 0, relation: 'rf' } : { from, to: from + 1, relation: 'po' },
  );
  return [
    {
      checker: 'sequential',
      model: 'sequential consistency',
      valid: false,
      anomalies: [
        {
          type: 'cycle',
          ops: nodes,
          indices: nodes,
          explanation: `no total order of the ops respects every process's order and every read, since it would need a cycle of ${steps} steps: ${edges.map((e) => `op ${e.from} ${e.relation} op ${e.to}`).join(', ')}`,
          detail: { graph: { nodes, edges } },
        },
      ],
      stats: { ops: steps, timeMs: 5 },
    },
  ];
}

/**
 * A linearizability failure as the checker reports one late in a long run: a longest linearizable prefix of the
 * first `steps` ops, and `failedOp` (well after them) that cannot follow it. Needs a history with more than
 * `failedOp` client ops.
 */
export function longLinearizationChecks(steps: number, failedOp: number): CheckResult[] {
  const longest = [Array.from({ length: steps }, (_, op) => ({ op, state: `state after op ${op}` }))];
  return [
    {
      checker: 'linearizable',
      model: 'linearizability',
      valid: false,
      anomalies: [
        {
          type: 'nonlinearizable',
          ops: [failedOp],
          indices: [],
          explanation: `op ${failedOp} cannot follow the ${steps} ops that do linearize: no order of the ops respects real time.`,
          detail: { key: '', failedOp, longest },
        },
      ],
      stats: { ops: failedOp + 1, timeMs: 5 },
    },
  ];
}

/**
 * A counter history of `count` ops (adds of 1 to 3 and reads, on one key, over `workers` clients, with the key
 * on each op as the counter workload sends it): reads return the true sum, except that from `overcountFrom`
 * (a share of the ops, 0.6 by default) each read counts 5 more than was ever added (a double-applied retry).
 */
export function syntheticCounterHistory(count: number, workers = 4, seed = 1, overcountFrom = 0.6): HistoryOp[] {
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const rows: { time: number; type: HistoryOp['type']; process: number; f: string; value: Value }[] = [];
  const clocks = Array.from({ length: workers }, () => random() * 5);
  let sum = 0;
  for (let n = 0; n < count; n++) {
    // The client free first goes next, so ops are generated in invoke order and `sum` is what was invoked.
    let p = 0;
    for (let q = 1; q < workers; q++) if (clocks[q]! < clocks[p]!) p = q;
    const start = clocks[p]!;
    const end = start + 1 + random() * 10;
    if (random() < 0.7) {
      const delta = 1 + Math.floor(random() * 3);
      rows.push({ time: start, type: 'invoke', process: p, f: 'add', value: delta });
      sum += delta;
      rows.push({ time: end, type: 'ok', process: p, f: 'add', value: delta });
    } else {
      rows.push({ time: start, type: 'invoke', process: p, f: 'read', value: null });
      // Read at its invoke: every add acknowledged before it is in, none invoked after it.
      rows.push({ time: end, type: 'ok', process: p, f: 'read', value: n >= count * overcountFrom ? sum + 5 : sum });
    }
    clocks[p] = end + random() * 2;
  }
  rows.sort((a, b) => a.time - b.time);
  return rows.map((r, index) => ({
    index,
    time: Math.round(r.time * ms),
    type: r.type,
    process: r.process,
    f: r.f,
    value: r.value,
    key: 'c',
  }));
}
