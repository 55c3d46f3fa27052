import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pairOperations } from '../history.ts';
import type { HistoryOp } from '../history.ts';
import { concurrentRegisterHistory } from '../testing/concurrentRegister.ts';
import { simulateStore } from '../testing/stores.ts';
import { checkLinearizable, checkLinearizableSync } from './checker.ts';
import type { PartitionReport } from './partition.ts';
import { createProgressTally } from './progress.ts';
import type { SearchProgress } from './progress.ts';

const base = { key: '', algorithm: 'search' as const, timeMs: 0 };
const running = (ops: number, cached: number): PartitionReport => ({
  ...base,
  valid: 'unknown',
  reason: 'time',
  ops,
  cached,
});

test('the tally counts a part once when decided, keeps paused searches running, and sums what was explored', () => {
  const tally = createProgressTally([10, 20, 30], 'keys');
  assert.deepEqual(tally.snapshot(5, null), {
    unit: 'keys',
    decided: 0,
    undecided: 0,
    parts: 3,
    opsDecided: 0,
    ops: 60,
    explored: 0,
    elapsedMs: 5,
    budgetLeftMs: null,
  });
  tally.report(1, running(20, 100));
  tally.report(1, running(20, 250));
  tally.report(0, { ...base, valid: true, ops: 10, cached: 7 });
  tally.report(0, { ...base, valid: true, ops: 10, cached: 7 });
  let s = tally.snapshot(10, 90);
  assert.deepEqual([s.decided, s.undecided, s.opsDecided, s.explored, s.budgetLeftMs], [1, 0, 10, 257, 90]);
  // A 'time' unknown that is final (the budget ran out) and a memory unknown are given up, not decided.
  tally.report(1, running(20, 300), true);
  tally.report(2, { ...base, valid: 'unknown', reason: 'memory', ops: 30, cached: 5 });
  s = tally.snapshot(20, -3);
  assert.deepEqual([s.decided, s.undecided, s.opsDecided, s.explored, s.budgetLeftMs], [1, 2, 10, 312, 0]);
});

test('property: whatever the order of reports, decided + undecided never exceed the parts and counts never fall', () => {
  const report = fc.record({
    part: fc.nat(4),
    kind: fc.constantFrom('paused', 'valid', 'violated', 'memory', 'final-time'),
    cached: fc.nat(1000),
  });
  fc.assert(
    fc.property(fc.array(fc.nat(100), { minLength: 5, maxLength: 5 }), fc.array(report), (sizes, reports) => {
      const tally = createProgressTally(sizes, 'partitions');
      let before = tally.snapshot(0, null);
      for (const r of reports) {
        const ops = sizes[r.part]!;
        const made: PartitionReport =
          r.kind === 'paused' || r.kind === 'final-time'
            ? running(ops, r.cached)
            : r.kind === 'memory'
              ? { ...base, valid: 'unknown', reason: 'memory', ops, cached: r.cached }
              : r.kind === 'valid'
                ? { ...base, valid: true, ops, cached: r.cached }
                : { ...base, valid: false, ops, cached: r.cached, failedOp: 0, involved: [], longest: [], why: '' };
        tally.report(r.part, made, r.kind === 'final-time');
        const after = tally.snapshot(0, null);
        assert.ok(after.decided + after.undecided <= after.parts);
        assert.ok(after.decided >= before.decided && after.undecided >= before.undecided);
        assert.ok(after.opsDecided >= before.opsDecided && after.opsDecided <= after.ops);
        before = after;
      }
    }),
  );
});

test('one long partition on the calling thread reports progress from inside its search, and the verdict is unchanged', async () => {
  // Only the general search decides this history (two values, long overlapping ops): one partition.
  const ops = pairOperations(concurrentRegisterHistory(50, 100, 7));
  const seen: SearchProgress[] = [];
  const r = await checkLinearizable(
    ops,
    { name: 'register' },
    { parallel: false, progressEveryMs: 0, onProgress: (p) => seen.push(p) },
  );
  assert.equal(r.valid, checkLinearizableSync(ops, { model: { name: 'register' } }).valid);
  assert.equal(r.valid, true);
  const during = seen.filter((p) => p.decided === 0);
  assert.ok(during.length >= 2, `${during.length} progress reports before the partition was decided`);
  // The search moved between reports while the partition was still undecided.
  const explored = during.map((p) => p.explored);
  for (let i = 1; i < explored.length; i++) assert.ok(explored[i]! >= explored[i - 1]!);
  assert.ok(explored.at(-1)! > explored[0]!, `explored ${explored.join(', ')}`);
  const last = seen.at(-1)!;
  assert.deepEqual([last.unit, last.decided, last.parts, last.opsDecided, last.ops], ['partitions', 1, 1, 5000, 5000]);
  assert.equal(last.budgetLeftMs, null);
});

test('a keyed history reports keys decided as they are, ending with all of them', async () => {
  const ops = pairOperations(simulateStore({ design: 'linearizable', seed: 3, keys: 4, ops: 400 }));
  const seen: SearchProgress[] = [];
  const r = await checkLinearizable(
    ops,
    { name: 'kv' },
    { parallel: false, timeBudgetMs: 60_000, onProgress: (p) => seen.push(p) },
  );
  assert.equal(r.valid, true);
  const last = seen.at(-1)!;
  assert.deepEqual([last.unit, last.decided, last.parts], ['keys', 4, 4]);
  assert.ok(last.budgetLeftMs !== null && last.budgetLeftMs > 0 && last.budgetLeftMs <= 60_000);
});

test('searches in worker threads report progress while they run, not only as each key is decided', async () => {
  // Four keys only the general search decides, on the worker pool (workerMinOps 1).
  const events: HistoryOp[] = [];
  for (let k = 0; k < 4; k++)
    for (const e of concurrentRegisterHistory(50, 100, k + 1))
      events.push({ ...e, process: Number(e.process) + 100 * k, key: `k${k}` });
  events.sort((a, b) => a.time - b.time || a.index - b.index);
  const ops = pairOperations(events.map((e, index) => ({ ...e, index })));
  const seen: SearchProgress[] = [];
  const r = await checkLinearizable(
    ops,
    { name: 'kv' },
    { workerMinOps: 1, progressEveryMs: 0, onProgress: (p) => seen.push(p) },
  );
  assert.equal(r.valid, true);
  assert.ok((r.stats.workers ?? 0) >= 2, 'the pool decided it');
  // One report after the zones and one per key decided would be 5: more came from searches under way.
  const running = seen.filter((p) => p.decided < p.parts && p.explored > 0);
  assert.ok(seen.length > 5 && running.length > 0, `${seen.length} reports, ${running.length} while searching`);
  assert.deepEqual([seen.at(-1)!.decided, seen.at(-1)!.parts], [4, 4]);
});
