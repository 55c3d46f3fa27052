import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { parseHistoryJsonl } from '../historyJsonl.ts';
import type { HistoryOp } from '../history.ts';
import { pairOperations } from '../history.ts';
import { readAnomalyGraph } from '../anomalyGraph.ts';
import type { SequentialCheckOptions, SequentialSearchProgress } from './sequential.ts';
import { checkSequential, checkSequentialAsync } from './sequential.ts';
import { formatSequentialProgress } from '../../harness/run/statusLine.ts';
import { analyze } from '../analyze.ts';
import type { CheckerSearchProgress } from '../analyze.ts';
import { historyFromSessions } from '../testing/sessionNotation.ts';
import { sequentialByDefinition } from '../testing/definitionOracles.ts';
import type { SmallHistory } from '../testing/smallHistories.ts';
import { renderSmallHistory, showSmallHistory, smallHistoryArbitrary } from '../testing/smallHistories.ts';
import { simulateStore } from '../testing/stores.ts';

function sc(history: HistoryOp[], options: SequentialCheckOptions = { initialValue: 0 }) {
  return checkSequential(pairOperations(history), options);
}

// Events as in checking.md §1.5 (`pN +w1 ok` = process N writes 1 and completes): for SC only program order
// matters, so V1 (a stale read) and V3 (a read completing before the write starts) are sequentially
// consistent, while the 1-2-1 flip-flop of V7 is not.
test('register vectors: stale reads are sequentially consistent, flip-flops are not', () => {
  assert.equal(sc(historyFromSessions('w1 | w2 | r1')).valid, true);
  assert.equal(sc(historyFromSessions('r1 | w1')).valid, true);
  const flip = sc(historyFromSessions('w1 | w2 | r1, r2, r1'));
  assert.equal(flip.valid, false);
  assert.equal(flip.anomalies[0]?.type, 'IncoherentKey');
});

test('§2.3: two processes reading two values in opposite orders is a cycle of blocks, explained', () => {
  const result = sc(historyFromSessions('w5 | w3 | r5, r3 | r3, r5'));
  assert.equal(result.valid, false);
  const a = result.anomalies[0]!;
  assert.match(
    a.explanation,
    /process 2 read 5 \(op 2 at \d+\.\d{3} s\) and then read 3 \(op 3 at \d+\.\d{3} s\), so 5 came before 3/,
  );
  assert.match(
    a.explanation,
    /process 3 read 3 \(op 4 at \d+\.\d{3} s\) and then read 5 \(op 5 at \d+\.\d{3} s\), so 3 came before 5/,
  );
  assert.deepEqual(a.ops.sort(), [2, 3, 4, 5]);
});

test('reading the initial value after a write of the same process, or reading ones own future write', () => {
  assert.equal(sc(historyFromSessions('w1, r0')).valid, false);
  const future = sc(historyFromSessions('r1, w1'));
  assert.equal(future.valid, false);
  assert.equal(future.anomalies[0]?.type, 'ReadOwnFutureWrite');
});

test('IRIW: every key coherent and causally convergent, yet not sequentially consistent', () => {
  const result = sc(historyFromSessions('w x1 | w y1 | r x1, r y0 | r y1, r x0'));
  assert.equal(result.valid, false);
  const a = result.anomalies[0]!;
  assert.equal(a.type, 'NoSequentialOrder');
  assert.match(
    a.explanation,
    /process 2 read y=0 \(op 3 at \d+\.\d{3} s\) precedes process 1 wrote y=1 \(op 1 at \d+\.\d{3} s\) \(the initial value is read/,
  );
  assert.deepEqual([...a.ops].sort(), [0, 1, 2, 3, 4, 5]);
  const fine = sc(historyFromSessions('w x1 | w y1 | r x1, r y0 | r y1, r x1'));
  assert.equal(fine.valid, true);
});

test('causal anomalies refute SC before any search', () => {
  const result = sc(historyFromSessions('w x1, w y1 | r y1, r x0'));
  assert.equal(result.valid, false);
  assert.equal(result.anomalies[0]?.type, 'WriteCOInitRead');
  assert.match(result.anomalies[0].explanation, /^not even causally convergent/);
});

test('budgets give unknown, never a pass', () => {
  const history = simulateStore({ design: 'sequential', seed: 7, processes: 4, keys: 3, ops: 3000 });
  const full = sc(history, {});
  assert.equal(full.valid, true, full.reason);
  const states = sc(history, { maxSearchStates: 1 });
  assert.equal(states.valid, 'unknown');
  assert.match(states.reason ?? '', /state budget/);
  const time = sc(history, { timeBudgetMs: 0 });
  assert.equal(time.valid, 'unknown');
  assert.match(time.reason ?? '', /time budget/);
  assert.ok(time.stats['searchPlaced']! >= 0);
});

test('sequential and linearizable simulated stores are SC; the eventual store is not always', () => {
  for (let seed = 1; seed <= 6; seed++) {
    for (const design of ['sequential', 'linearizable'] as const) {
      const result = sc(simulateStore({ design, seed, processes: 4, keys: 3, ops: 300, crashRate: 0.05 }), {});
      assert.equal(
        result.valid,
        true,
        `${design} seed ${seed}: ${result.reason ?? JSON.stringify(result.anomalies[0])}`,
      );
    }
  }
  const verdicts = [1, 2, 3, 4, 5, 6].map(
    (seed) => sc(simulateStore({ design: 'eventual', seed, ops: 300 }), {}).valid,
  );
  assert.ok(verdicts.includes(false), verdicts.join());
});

const seed = Number(process.env['FC_SEED'] ?? Date.now() % 1_000_000);
test(`SC agrees with exhaustive interleaving search (seed ${seed})`, () => {
  fc.assert(
    fc.property(smallHistoryArbitrary({ maxOps: 8, keys: 2, faults: true, thinAir: true }), (h) => {
      const got = sc(renderSmallHistory(h)).valid;
      assert.equal(got, sequentialByDefinition(h), showSmallHistory(h));
    }),
    { numRuns: 600, seed },
  );
  fc.assert(
    fc.property(smallHistoryArbitrary({ maxOps: 8, keys: 1, sessions: 4, faults: true }), (h) => {
      assert.equal(sc(renderSmallHistory(h)).valid, sequentialByDefinition(h), showSmallHistory(h));
    }),
    { numRuns: 300, seed },
  );
  // Larger histories where forced write orders chain: a saturation cycle is always a real refutation.
  fc.assert(
    fc.property(smallHistoryArbitrary({ maxOps: 11, keys: 3, sessions: 4 }), (h) => {
      assert.equal(sc(renderSmallHistory(h)).valid, sequentialByDefinition(h), showSmallHistory(h));
    }),
    { numRuns: 300, seed },
  );
});

test('40-op causal-store histories: the search agrees with the memoised definition, including refutations', () => {
  let searched = 0;
  for (let seed = 1; seed <= 16; seed++) {
    const history = simulateStore({ design: 'causal-lww', seed, ops: 40, processes: 3, keys: 2 });
    const values = new Map<string, number>();
    for (const e of history)
      if (e.type === 'invoke' && e.f === 'write') values.set(JSON.stringify(e.value), values.size + 1);
    const small: SmallHistory = [[], [], []];
    for (const e of history) {
      if (e.type !== 'ok' || typeof e.process !== 'number') continue;
      const value = e.value === null ? 0 : values.get(JSON.stringify(e.value))!;
      small[e.process]!.push({ kind: e.f === 'write' ? 'w' : 'r', key: e.key!, value, status: 'ok' });
    }
    // The bare search first (saturation would refute most of these before it), then the whole checker.
    const result = sc(history, { saturate: false });
    assert.equal(result.valid, sequentialByDefinition(small), `seed ${seed}`);
    const anomaly = result.anomalies[0];
    if (!result.valid && anomaly !== undefined && /is blocked/.test(anomaly.explanation)) {
      searched++;
      // The picture of a refutation by search: the blocked ops and what each waits for, all named by the anomaly.
      const graph = readAnomalyGraph(anomaly.detail);
      assert.ok(graph !== null && graph.edges.length > 0, `seed ${seed}: no graph`);
      assert.deepEqual(new Set(graph.nodes), new Set(anomaly.ops), `seed ${seed}`);
      const byId = new Map(pairOperations(history).map((o) => [o.id, o]));
      for (const e of graph.edges) {
        const [from, to] = [byId.get(e.from)!, byId.get(e.to)!];
        const what = `seed ${seed}: ${e.relation} from op ${e.from} to op ${e.to}`;
        if (e.relation === 'po') assert.ok(from.process === to.process && from.call < to.call, what);
        else if (e.relation === 'rf') assert.deepEqual([from.f, to.f, to.output], ['write', 'read', from.input], what);
        else assert.deepEqual([e.relation, from.f, to.f, from.key], ['rw', 'read', 'write', to.key], what);
      }
    }
    assert.equal(sc(history, {}).valid, sequentialByDefinition(small), `seed ${seed}, saturated`);
  }
  assert.ok(searched > 0, 'some refutation came from the exhaustive search');
});

// Recorded causal-kv runs (examples/matrix/causal-kv.yaml on Docker) that the bare search left unknown after
// its 10 s budget: every key coherent and causally convergent. The write orders forced by the reads close a
// cycle, so they are refuted without any search.
test('recorded causal-kv runs the search could not decide are refuted by the forced write orders', () => {
  const dir = new URL('./fixtures/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.startsWith('causal-kv-'));
  assert.ok(files.length >= 3, files.join());
  for (const file of files) {
    const ops = pairOperations(parseHistoryJsonl(readFileSync(new URL(file, dir), 'utf8'), file).ops);
    const result = checkSequential(ops);
    assert.equal(result.valid, false, `${file}: ${result.reason ?? ''}`);
    const a = result.anomalies[0]!;
    assert.equal(a.type, 'NoSequentialOrder');
    assert.match(a.explanation, /a write order the reads force|a read happens before its value is overwritten/);
    // Each step of the cycle names ops by id and time in seconds, never by history index.
    assert.doesNotMatch(a.explanation, /index \d/);
    assert.match(a.explanation, /\(op \d+ at \d+\.\d{3} s\)/);
  }
});

test('a long SC check reports progress from inside: the lines differ and the frontiers grow, the verdict is unchanged', async () => {
  // 3,000 ops on 3 keys: the search visits ~1,500 frontiers, pausing every 256 steps with progressEveryMs 0.
  const ops = pairOperations(simulateStore({ design: 'sequential', seed: 7, processes: 4, keys: 3, ops: 3000 }));
  for (const saturate of [false, true]) {
    const seen: SequentialSearchProgress[] = [];
    const r = await checkSequentialAsync(ops, { saturate, progressEveryMs: 0, onProgress: (p) => seen.push(p) });
    assert.equal(r.valid, checkSequential(ops, { saturate }).valid);
    assert.equal(r.valid, true, r.reason);
    const searching = seen.filter((p) => p.stage === 'search');
    // Lines without the clock (elapsed, budget left): what differs is what the search has done.
    const lines = new Set(searching.map((p) => formatSequentialProgress({ ...p, budgetLeftMs: null })));
    assert.ok(lines.size >= 2, [...lines].join('\n'));
    const frontiers = searching.map((p) => p.frontiers);
    for (let i = 1; i < frontiers.length; i++) assert.ok(frontiers[i]! >= frontiers[i - 1]!, frontiers.join());
    assert.ok(frontiers.at(-1)! > frontiers[0]!, frontiers.join());
    assert.ok(searching.every((p) => p.placed <= p.ops && p.keysCoherent === 3 && p.keys === 3));
    if (saturate)
      assert.ok(
        seen.some((p) => p.stage === 'write orders'),
        'the saturation reported too',
      );
    assert.match(
      [...lines].at(-1)!,
      /^3 of 3 keys coherent, [\d,]+ write orders forced, [\d,]+ of 2,000,000 frontiers explored, at best [\d,]+ of 3,000 ops placed in one order$/,
    );
  }
});

test('through the analysis, the SC checker reports its search to the progress line', async () => {
  const ops = pairOperations(simulateStore({ design: 'sequential', seed: 7, processes: 4, keys: 3, ops: 600 }));
  let search: (() => CheckerSearchProgress | undefined) | undefined;
  const a = await analyze(ops, {
    checkers: ['sequential'],
    onProgress: (p) => {
      if (p.event === 'start') search = p.search;
    },
  });
  assert.equal(a.valid, true);
  const last = search?.();
  assert.ok(last !== undefined && 'checker' in last && last.checker === 'sequential', 'a sequential progress report');
  assert.deepEqual([last.checker, last.keysCoherent, last.keys, last.ops], ['sequential', 3, 3, 600]);
});
