import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AnalysisProgress } from './analyze.ts';
import { analyze, exitCodeFor, settleByHierarchy, worstVerdict } from './analyze.ts';
import type { HistoryOp, Operation, Value } from './history.ts';
import { pairOperations } from './history.ts';
import { modelImplications } from './modelHierarchy.ts';
import { checkersForWorkloadModel, listCheckers, registeredCheckers } from './registry.ts';
import type { CheckResult, ConsistencyChecker } from './result.ts';
import { historyFromSessions } from './testing/sessionNotation.ts';
import { simulateStore } from './testing/stores.ts';
import { isolationLevelCheckers } from './transactional/index.ts';

/** A history of [process, f, invoke value, completion type, completion value] ops, one after another. */
function sequentialHistory(ops: readonly [number, string, Value, 'ok' | 'fail' | 'info', Value][]): Operation[] {
  const events: HistoryOp[] = [];
  for (const [process, f, input, type, output] of ops) {
    events.push({ index: events.length, time: events.length, type: 'invoke', process, f, value: input });
    events.push({ index: events.length, time: events.length, type, process, f, value: output });
  }
  return pairOperations(events);
}

test('an empty history is unknown with exit 2, whatever the checkers say', async () => {
  const a = await analyze([], { checkers: ['linearizable', 'sequential'] });
  assert.equal(a.valid, 'unknown');
  assert.equal(a.exitCode, 2);
  assert.match(a.reason ?? '', /empty/);
  assert.equal(a.results.length, 2);
});

test('a history where every op failed or is indeterminate observed nothing: unknown, exit 2', async () => {
  const ops = sequentialHistory([
    [0, 'write', 1, 'info', 1],
    [1, 'write', 2, 'fail', 2],
    [2, 'read', null, 'info', null],
  ]);
  const a = await analyze(ops, { checkers: 'all' });
  assert.equal(a.valid, 'unknown');
  assert.equal(a.exitCode, 2);
  assert.match(a.reason ?? '', /no operation completed ok \(2 indeterminate, 1 failed\)/);
});

test('no checker says valid about nothing: empty, all-indeterminate and write-only histories are unknown per checker', async () => {
  const empty = await analyze([], { checkers: 'all' });
  const allInfo = sequentialHistory([
    [0, 'write', 1, 'info', 1],
    [1, 'read', null, 'info', null],
  ]);
  // Key-value: ok writes on two keys, a failed read, no ok read: nothing any register checker judges.
  const writesOnly = pairOperations(
    [
      { process: 0, f: 'write', value: 1, key: 'x' },
      { process: 1, f: 'write', value: 2, key: 'y' },
      { process: 0, f: 'read', value: null, key: 'x', type: 'fail' as const },
    ].flatMap(({ type, ...op }, i) => [
      { ...op, index: 2 * i, time: 2 * i, type: 'invoke' as const },
      { ...op, index: 2 * i + 1, time: 2 * i + 1, type: type ?? ('ok' as const) },
    ]),
  );
  for (const [ops, why] of [
    [empty, /the history is empty/],
    [await analyze(allInfo, { checkers: 'all' }), /no read completed ok \(0 ok, 2 indeterminate, 0 failed of 2 ops\)/],
    [
      await analyze(writesOnly, { checkers: 'all' }),
      /no read completed ok \(2 ok, 0 indeterminate, 1 failed of 3 ops\)/,
    ],
  ] as const) {
    assert.ok(ops.results.length >= 5, `${ops.results.length} checkers applied`);
    for (const r of ops.results) {
      assert.equal(r.valid, 'unknown', `${r.checker} says ${String(r.valid)}`);
      assert.match(r.reason ?? '', why, r.checker);
    }
    assert.deepEqual([ops.valid, ops.exitCode], ['unknown', 2]);
  }
  // One ok read is an observation: the same checkers then judge it.
  const observed = await analyze(
    sequentialHistory([
      [0, 'write', 1, 'ok', 1],
      [1, 'read', null, 'ok', 1],
    ]),
    {
      checkers: ['linearizable', 'sequential', 'monotonic-reads'],
    },
  );
  assert.deepEqual(
    observed.results.map((r) => r.valid),
    [true, true, true],
  );
  // A set or counter history with adds and no ok read is unknown too.
  for (const [checker, f] of [
    ['set', 'add'],
    ['counter', 'add'],
  ] as const) {
    const adds = sequentialHistory([
      [0, f, 1, 'ok', 1],
      [1, 'read', null, 'info', null],
    ]);
    const a = await analyze(adds, { checkers: [checker] });
    assert.equal(a.results[0]?.valid, 'unknown', `${checker}: ${a.results[0]?.reason}`);
  }
});

test('no checker chosen, or none that applies, is unknown with the reason, never valid', async () => {
  const ops = sequentialHistory([[0, 'write', 1, 'ok', 1]]);
  const none = await analyze(ops, { checkers: [] });
  assert.deepEqual([none.valid, none.exitCode, none.results.length], ['unknown', 2, 0]);
  assert.match(none.reason ?? '', /no checker was chosen/);
  const notApplying: ConsistencyChecker = {
    name: 'never',
    model: 'nothing',
    description: 'applies to no history, for this test',
    appliesTo: () => false,
    check: () => {
      throw new Error('must not run');
    },
  };
  const all = await analyze(ops, { checkers: 'all', available: [notApplying] });
  assert.deepEqual([all.valid, all.exitCode], ['unknown', 2]);
  assert.match(all.reason ?? '', /no registered checker can judge this history/);
  const named = await analyze(ops, { checkers: ['never'], available: [notApplying] });
  assert.equal(named.results[0]?.valid, 'unknown');
  assert.match(named.results[0]?.reason ?? '', /never cannot judge/);
  const missing = await analyze(ops, { checkers: ['no-such-checker'] });
  assert.equal(missing.results[0]?.valid, 'unknown');
  assert.equal(missing.exitCode, 2);
});

test('check-safe: a checker that throws gives unknown with its error; the others still run', async () => {
  const throwing: ConsistencyChecker = {
    name: 'throws',
    model: 'a broken model',
    description: 'a checker that always throws, for this test',
    check: () => {
      throw new Error('boom at op 3');
    },
  };
  const fine = listCheckers().find((c) => c.name === 'monotonic-reads')!;
  const ops = pairOperations(historyFromSessions('w x1, r x1'));
  const a = await analyze(ops, { checkers: ['throws', 'monotonic-reads'], available: [throwing, fine] });
  assert.equal(a.results[0]?.valid, 'unknown');
  assert.match(a.results[0]?.reason ?? '', /the checker failed: boom at op 3/);
  assert.equal(a.results[1]?.valid, true);
  assert.equal(a.exitCode, 2);
});

test('onProgress: each checker that runs is announced once as it starts and once as it ends, in order', async () => {
  const throwing: ConsistencyChecker = {
    name: 'throws',
    model: 'a broken model',
    description: 'a checker that always throws, for this test',
    check: () => {
      throw new Error('boom');
    },
  };
  const fine = listCheckers().filter((c) => c.name === 'monotonic-reads' || c.name === 'read-your-writes');
  const ops = pairOperations(historyFromSessions('w x1, r x1'));
  const seen: AnalysisProgress[] = [];
  const a = await analyze(ops, {
    checkers: ['monotonic-reads', 'throws', 'read-your-writes', 'not-a-checker'],
    available: [throwing, ...fine],
    onProgress: (p) => seen.push(p),
  });
  assert.deepEqual(a.ran, ['monotonic-reads', 'throws', 'read-your-writes']);
  // A name without a checker never starts, so it gets no events; the count `of` is of the checkers asked for.
  assert.deepEqual(
    seen.map((p) => [p.event, p.checker, p.index, p.of, p.valid]),
    [
      ['start', 'monotonic-reads', 1, 4, undefined],
      ['end', 'monotonic-reads', 1, 4, true],
      ['start', 'throws', 2, 4, undefined],
      ['end', 'throws', 2, 4, 'unknown'],
      ['start', 'read-your-writes', 3, 4, undefined],
      ['end', 'read-your-writes', 3, 4, true],
    ],
  );
});

test('Elle list-append and rw-register transactions get no linearizability verdict', async () => {
  const listAppend = sequentialHistory([
    [0, 'txn', [['append', 'x', 1]], 'ok', [['append', 'x', 1]]],
    [1, 'txn', [['r', 'x', null]], 'ok', [['r', 'x', [1]]]],
  ]);
  const rwRegister = sequentialHistory([
    [0, 'txn', [['w', 'x', 1]], 'ok', [['w', 'x', 1]]],
    [1, 'txn', [['r', 'x', null]], 'ok', [['r', 'x', 1]]],
  ]);
  for (const ops of [listAppend, rwRegister]) {
    const a = await analyze(ops, { checkers: ['linearizable'] });
    assert.equal(a.results[0]?.valid, 'unknown');
    assert.match(a.results[0]?.reason ?? '', /linearizable cannot judge this history: it holds transactions/);
    const all = await analyze(ops, { checkers: 'all' });
    assert.ok(!all.results.some((r) => r.checker === 'linearizable'), 'linearizable is not among the checkers');
    // Only the transactional checkers judge them: causal-tx and the isolation levels.
    const transactional = new Set(['causal-tx', 'isolation', ...isolationLevelCheckers.map((c) => c.name)]);
    assert.ok(all.results.length > 0 && all.results.every((r) => transactional.has(r.checker)));
  }
  // Knossos' multi-register ([read k v] / [write k v], with real time) is still judged for linearizability.
  const knossos = sequentialHistory([
    [0, 'txn', [['write', 'x', 1]], 'ok', [['write', 'x', 1]]],
    [1, 'txn', [['read', 'x', null]], 'ok', [['read', 'x', 1]]],
  ]);
  const k = await analyze(knossos, { checkers: ['linearizable'], model: { name: 'multi-register' } });
  assert.equal(k.results[0]?.valid, true);
  // Without real time (dbcop, Plume) there is no linearizability to judge.
  const noTime = await analyze(knossos, { checkers: ['linearizable'], shape: { realTime: false } });
  assert.equal(noTime.results[0]?.valid, 'unknown');
});

test('an op of a function the model does not know makes linearizability unknown, not violated', async () => {
  const ops = sequentialHistory([
    [0, 'write', 1, 'ok', 1],
    [1, 'explode', null, 'ok', null],
    [0, 'read', null, 'ok', 1],
  ]);
  const a = await analyze(ops, { checkers: ['linearizable'] });
  assert.equal(a.results[0]?.valid, 'unknown');
  assert.match(a.results[0]?.reason ?? '', /has f 'explode', which the register model does not know/);
  assert.equal(a.exitCode, 2);
  // A failed op of that function did not happen: it does not stop the check.
  const failed = sequentialHistory([
    [0, 'write', 1, 'ok', 1],
    [1, 'explode', null, 'fail', null],
    [0, 'read', null, 'ok', 1],
  ]);
  assert.equal((await analyze(failed, { checkers: ['linearizable'] })).valid, true);
});

test('the profile is settled by the hierarchy: skipped models are marked implied, never contradicting it', async () => {
  const ops = pairOperations(simulateStore({ design: 'linearizable', seed: 5, ops: 150 }));
  const a = await analyze(ops, { checkers: 'all' });
  assert.equal(a.valid, true);
  const sc = a.results.find((r) => r.checker === 'sequential')!;
  assert.equal(sc.impliedBy, 'linearizable');
  assert.ok(!a.ran.includes('sequential'), 'the SC search was spared');
  assert.deepEqual(a.contradictions, []);
  assert.equal(a.results[0]?.checker, 'linearizable', 'strongest model first');
});

const verdict = fc.constantFrom<CheckResult['valid']>(true, false, 'unknown');
const seed = Number(process.env['FC_SEED'] ?? Date.now() % 1_000_000);
test(`settling never turns a decided verdict, and decides what the hierarchy implies (seed ${seed})`, () => {
  const names = [...new Set(modelImplications.flat())];
  fc.assert(
    fc.property(fc.array(verdict, { minLength: names.length, maxLength: names.length }), (valids) => {
      const results: CheckResult[] = names.map((checker, i) => ({
        checker,
        model: checker,
        valid: valids[i]!,
        anomalies: [],
        stats: { ops: 1, timeMs: 0 },
      }));
      const contradictions = settleByHierarchy(results);
      results.forEach((r, i) => {
        if (valids[i] !== 'unknown') assert.equal(r.valid, valids[i], `${r.checker} was decided`);
        else if (r.valid !== 'unknown') assert.ok(r.impliedBy !== undefined, `${r.checker} settled without a mark`);
      });
      const by = new Map(results.map((r) => [r.checker, r.valid]));
      for (const [strong, weak] of modelImplications) {
        if (by.get(strong) === true && by.get(weak) === 'unknown') assert.fail(`${weak} left unknown under ${strong}`);
        if (by.get(weak) === false && by.get(strong) === 'unknown') assert.fail(`${strong} left unknown over ${weak}`);
      }
      const expected = modelImplications.filter(([s, w]) => by.get(s) === true && by.get(w) === false).length;
      assert.equal(contradictions.length, expected);
    }),
    { seed },
  );
});

test('worst verdict and exit code: violated beats unknown beats valid; nothing at all is unknown', () => {
  assert.equal(worstVerdict([]), 'unknown');
  assert.equal(exitCodeFor([]), 2);
  assert.equal(exitCodeFor([{ valid: true }, { valid: 'unknown' }]), 2);
  assert.equal(exitCodeFor([{ valid: 'unknown' }, { valid: false }]), 1);
  assert.equal(exitCodeFor([{ valid: true }]), 0);
});

test('the checker list: unique names, and every workload model of register histories has checkers', () => {
  const names = registeredCheckers.map((e) => e.checker.name);
  assert.equal(new Set(names).size, names.length);
  assert.ok(checkersForWorkloadModel('register').some((c) => c.name === 'linearizable'));
  for (const entry of registeredCheckers) assert.ok(entry.checker.description.length > 20, entry.checker.name);
});
