import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pairOperations } from '../history.ts';
import type { HistoryOp, Value } from '../history.ts';
import { createModel } from '../models/registry.ts';
import { simulateSetStore } from '../testing/setStores.ts';
import { checkLinearizable } from './checker.ts';
import { partitionHistory } from './partition.ts';
import { checkGrowOnlySets } from './setChains.ts';
import { checkPartition } from './wgl.ts';

/** One op per process: [f, key, value (element or read members), status, invoke time, completion time]. */
type SimOp = [f: 'add' | 'read', key: string, value: Value, status: 'ok' | 'info' | 'fail', start: number, end: number];

function historyOf(ops: readonly SimOp[]) {
  const events: Omit<HistoryOp, 'index'>[] = [];
  ops.forEach(([f, key, value, status, start, end], process) => {
    events.push({ time: start * 2, type: 'invoke', process, f, key, value: f === 'add' ? value : null });
    if (status !== 'info') events.push({ time: end * 2 + 1, type: status, process, f, key, value });
  });
  events.sort((a, b) => a.time - b.time);
  return pairOperations(events.map((e, index) => ({ index, ...e })));
}

/** Unique elements 0-3 per key over keys a and b, each added once; reads return any subset of them. */
const setHistory = fc
  .record({
    adds: fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.constantFrom('ok', 'ok', 'info', 'fail')), { maxLength: 5 }),
    reads: fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.subarray([0, 1, 2, 3, 4])), { maxLength: 4 }),
    times: fc.array(fc.tuple(fc.nat(20), fc.nat(8)), { minLength: 9, maxLength: 9 }),
  })
  .map(({ adds, reads, times }) => {
    const ops: SimOp[] = [];
    adds.forEach(([key, status], i) => {
      const [start, length] = times[i]!;
      ops.push(['add', key, i, status, start, start + length]);
    });
    reads.forEach(([key, members], j) => {
      const [start, length] = times[adds.length + j]!;
      ops.push(['read', key, members, 'ok', start, start + length]);
    });
    return historyOf(ops);
  });

for (const partitioned of [true, false]) {
  test(`property: the read chains decide every small unique-element set history as the search does (partitioned: ${partitioned})`, () => {
    const model = createModel({ name: 'set', options: { partitioned } });
    let decided = 0;
    let invalid = 0;
    fc.assert(
      fc.property(setHistory, (ops) => {
        for (const p of partitionHistory(model, ops)) {
          const chains = checkGrowOnlySets(p.ops, model.members!.access, p.origin);
          assert.notEqual(chains, null, 'unique elements: the chains apply');
          const search = checkPartition(model, p.ops);
          assert.equal(chains!.valid, search.valid);
          decided++;
          if (!chains!.valid) {
            invalid++;
            assert.ok(
              chains!.ops.every((id) => p.ops.some((o) => o.id === id)),
              'names ops of the partition',
            );
          }
        }
      }),
      { numRuns: 1500 },
    );
    assert.ok(decided > 0 && invalid > 0 && invalid < decided, `${invalid} invalid of ${decided}`);
  });
}

test('an element added twice, or a read of no list, leaves the decision to the search', () => {
  const model = createModel({ name: 'set' });
  const twice = historyOf([
    ['add', 'a', 1, 'ok', 0, 1],
    ['add', 'a', 1, 'ok', 2, 3],
    ['read', 'a', [1], 'ok', 4, 5],
  ]);
  assert.equal(checkGrowOnlySets(twice, model.members!.access), null);
  const odd = historyOf([
    ['add', 'a', 1, 'ok', 0, 1],
    ['read', 'a', 7, 'ok', 4, 5],
  ]);
  assert.equal(checkGrowOnlySets(odd, model.members!.access), null);
});

test('violations are explained: a read that lost a member, a thin-air member, an add after a read saw it', () => {
  const model = createModel({ name: 'set' });
  const decide = (ops: SimOp[]) => checkGrowOnlySets(historyOf(ops), model.members!.access);
  const lost = decide([
    ['add', 'a', 1, 'ok', 0, 1],
    ['add', 'a', 2, 'ok', 0, 1],
    ['read', 'a', [1, 2], 'ok', 2, 3],
    ['read', 'a', [2, 3], 'ok', 4, 5],
    ['add', 'a', 3, 'ok', 4, 5],
  ]);
  assert.equal(lost?.valid, false);
  assert.match(
    lost && !lost.valid ? lost.explanation : '',
    /returned 2 members without [13], which op \d+ \(read.* returned with no more members/,
  );
  const thin = decide([['read', 'a', [9], 'ok', 0, 1]]);
  assert.match(thin && !thin.valid ? thin.explanation : '', /returned 9, which no op added/);
  const early = decide([
    ['read', 'a', [1], 'ok', 0, 1],
    ['add', 'a', 1, 'ok', 2, 3],
  ]);
  assert.match(early && !early.valid ? early.explanation : '', /returned before op \d+ \(add.*was called/);
});

test('a 10,000-op info-heavy set history over 5 keys is decided by the chains, no search', async () => {
  const ops = pairOperations(simulateSetStore({ seed: 1, processes: 10, keys: 5, ops: 10_000, infoRate: 0.3 }));
  const r = await checkLinearizable(ops, { name: 'set' }, { timeBudgetMs: 120_000 });
  assert.equal(r.valid, true, r.reason);
  assert.deepEqual([r.stats.zonePartitions, r.stats.partitions, r.stats.cachedConfigurations], [5, 5, 0]);
  const lossy = pairOperations(
    simulateSetStore({ seed: 1, processes: 10, keys: 5, ops: 10_000, infoRate: 0.3, lossRate: 0.01 }),
  );
  const violated = await checkLinearizable(lossy, { name: 'set' }, { timeBudgetMs: 120_000 });
  assert.equal(violated.valid, false);
  assert.match(violated.anomalies[0]?.explanation ?? '', /cannot be linearized on key "k\d"/);
});

test('a small violation decided by the chains still gets the partial linearizations the report draws', async () => {
  const ops = historyOf([
    ['add', 'a', 1, 'ok', 0, 1],
    ['read', 'a', [1], 'ok', 2, 3],
    ['read', 'a', [], 'ok', 4, 5],
  ]);
  const r = await checkLinearizable(ops, { name: 'set' });
  assert.equal(r.valid, false);
  assert.equal(r.stats.zonePartitions, 1);
  const detail = r.anomalies[0]?.detail as { longest: unknown[][] };
  assert.ok(detail.longest.length > 0 && detail.longest[0]!.length > 0);
  assert.match(
    r.anomalies[0]!.explanation,
    /returned before op \d+ \(read, .* was called, yet the sets the reads returned put/,
  );
});
