import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pairOperations } from '../history.ts';
import type { HistoryOp, Operation, Value } from '../history.ts';
import { modelIncludes, modelOpOf } from '../models/model.ts';
import type { Model } from '../models/model.ts';
import { createModel } from '../models/registry.ts';
import { getChecker } from '../registry.ts';
import { simulateSetStore } from '../testing/setStores.ts';
import { checkLinearizable, checkLinearizableSync } from './index.ts';
import { partitionHistory } from './partition.ts';
import { checkPartition } from './wgl.ts';
import { checkUniqueValueRegister } from './zones.ts';

// ---- history notation: events in log order, time = index ----------------------------------------------

type Ev = [process: number, type: 'invoke' | 'ok' | 'fail' | 'info', f: string, value: Value, key?: string | undefined];

function history(events: readonly Ev[]): Operation[] {
  const ops: HistoryOp[] = events.map(([process, type, f, value, key], index) => {
    const op: HistoryOp = { index, time: index, type, process, f, value };
    if (key !== undefined) op.key = key;
    return op;
  });
  return pairOperations(ops);
}

// ---- brute-force oracle: every order of the ops that respects real time, info ops optional -----------

function oracle(model: Model, operations: readonly Operation[]): boolean {
  const ops = operations.filter((op) => modelIncludes(model, op));
  const keyOf = (s: unknown): string | number => (model.key !== undefined ? model.key(s) : JSON.stringify(s));
  const required = ops.filter((o) => o.ret !== Infinity).length;
  const placed = new Array<boolean>(ops.length).fill(false);
  const seen = new Set<string>();
  const go = (state: unknown, done: number): boolean => {
    if (done === required) return true;
    const memo = `${placed.map((p) => (p ? 1 : 0)).join('')}|${String(keyOf(state))}`;
    if (seen.has(memo)) return false;
    seen.add(memo);
    for (let i = 0; i < ops.length; i++) {
      if (placed[i]) continue;
      const op = ops[i]!;
      // op may go next only if every unplaced op that must precede it in real time is placed.
      if (ops.some((b, j) => !placed[j] && j !== i && b.ret < op.call)) continue;
      for (const next of model.step(state, modelOpOf(op))) {
        placed[i] = true;
        const ok = go(next, done + (op.ret === Infinity ? 0 : 1));
        placed[i] = false;
        if (ok) return true;
      }
    }
    return false;
  };
  return go(model.init(), 0);
}

// ---- random concurrent histories per model ---------------------------------------------------------

interface ModelCase {
  name: string;
  model: () => Model;
  /** The model the oracle runs on (the unpartitioned equivalent for partitioned models). */
  oracleModel?: () => Model;
  /** A random invoke: f, value, key. */
  invoke: fc.Arbitrary<{ f: string; value: Value; key?: string }>;
  /** A random completion value for an ok op. */
  result: (f: string, input: Value) => fc.Arbitrary<Value>;
}

const small = fc.integer({ min: 0, max: 2 });

const kvInvoke = fc
  .tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('get', 'put', 'append', 'cas'), fc.constantFrom('x', 'y'))
  .map(([key, f, v]) => ({
    f,
    key,
    value: f === 'get' ? null : f === 'cas' ? [v === 'x' ? '' : 'x', v] : v,
  }));
const kvResult = (f: string, input: Value): fc.Arbitrary<Value> =>
  f === 'get' ? fc.constantFrom('', 'x', 'y', 'xy', 'yx') : fc.constant(input);

const cases: ModelCase[] = [
  {
    name: 'register',
    model: () => createModel({ name: 'register', options: { initial: 0 } }),
    invoke: fc.oneof(
      fc.constant({ f: 'read', value: null }),
      small.map((v) => ({ f: 'write', value: v })),
    ),
    result: (f, input) => (f === 'read' ? small : fc.constant(input)),
  },
  {
    name: 'cas-register',
    model: () => createModel({ name: 'cas-register', options: { initial: 0 } }),
    invoke: fc.oneof(
      fc.constant({ f: 'read', value: null }),
      small.map((v) => ({ f: 'write', value: v })),
      fc.tuple(small, small).map(([a, b]) => ({ f: 'cas', value: [a, b] })),
    ),
    result: (f, input) => (f === 'read' ? small : fc.constant(input)),
  },
  {
    name: 'cas-register, Porcupine failed-CAS semantics',
    model: () => createModel({ name: 'cas-register', options: { initial: 0, failedCasReturnsFalse: true } }),
    invoke: fc.oneof(
      fc.constant({ f: 'read', value: null }),
      small.map((v) => ({ f: 'write', value: v })),
      fc.tuple(small, small).map(([a, b]) => ({ f: 'cas', value: [a, b] })),
    ),
    result: (f, input) => (f === 'read' ? small : fc.constant(input)),
  },
  {
    name: 'kv (partitioned vs one store)',
    model: () => createModel({ name: 'kv', options: { initial: '' } }),
    oracleModel: () => createModel({ name: 'kv', options: { initial: '', partitioned: false } }),
    invoke: fc
      .tuple(fc.constantFrom('a', 'b'), fc.constantFrom('get', 'put', 'append'), fc.constantFrom('x', 'y'))
      .map(([key, f, v]) => ({ f, key, value: f === 'get' ? null : v })),
    result: (f, input) => (f === 'get' ? fc.constantFrom('', 'x', 'y', 'xy', 'yx') : fc.constant(input)),
  },
  {
    // Porcupine-like tokens, so the reads spell out which append followed which and the search tries its
    // guess of the next append first (kv.ts appendsReadInOrder); the guess must never change a verdict.
    name: 'kv (partitioned, the next append guessed from the reads)',
    model: () => createModel({ name: 'kv', options: { initial: '' } }),
    oracleModel: () => createModel({ name: 'kv', options: { initial: '', partitioned: false } }),
    invoke: fc
      .tuple(
        fc.constantFrom('a', 'b'),
        fc.constantFrom('get', 'put', 'append', 'append'),
        fc.constantFrom('x1', 'x2', 'y1'),
      )
      .map(([key, f, v]) => ({ f, key, value: f === 'get' ? null : v })),
    result: (f, input) =>
      f === 'get' ? fc.constantFrom('', 'x1', 'x1x2', 'x1y1', 'x2x1', 'y1x1x2', 'x1x2y1', 'x2') : fc.constant(input),
  },
  {
    // One search over the whole store, with the model's commutation classes (keys): partial-order
    // reduction and backjumping in the search, checked here against the oracle's plain enumeration.
    name: 'kv, one store (commutation classes)',
    model: () => createModel({ name: 'kv', options: { initial: '', partitioned: false } }),
    invoke: kvInvoke,
    result: kvResult,
  },
  {
    name: 'multi-register',
    model: () => createModel({ name: 'multi-register', options: { initial: { x: 0, y: 0 } } }),
    invoke: fc
      .array(fc.tuple(fc.constantFrom('read', 'write'), fc.constantFrom('x', 'y'), small), {
        minLength: 1,
        maxLength: 2,
      })
      .map((ms) => ({ f: 'txn', value: ms.map(([f, k, v]) => [f, k, f === 'read' ? null : v]) })),
    result: (_f, input) =>
      fc
        .tuple(...(input as Value[][]).map((m) => (m[0] === 'read' ? small : fc.constant(m[2] ?? null))))
        .map((vs) => (input as Value[][]).map((m, i) => [m[0] ?? null, m[1] ?? null, vs[i] ?? null])),
  },
  {
    name: 'mutex',
    model: () => createModel({ name: 'mutex' }),
    invoke: fc.constantFrom({ f: 'acquire', value: null }, { f: 'release', value: null }),
    result: () => fc.constant(null),
  },
  {
    name: 'set',
    model: () => createModel({ name: 'set' }),
    invoke: fc.oneof(
      fc.constant({ f: 'read', value: null }),
      small.map((v) => ({ f: 'add', value: v })),
    ),
    result: (f, input) => (f === 'read' ? fc.subarray([0, 1, 2]) : fc.constant(input)),
  },
  {
    name: 'queue',
    model: () => createModel({ name: 'queue' }),
    invoke: fc.oneof(
      fc.constant({ f: 'dequeue', value: null }),
      small.map((v) => ({ f: 'enqueue', value: v })),
    ),
    result: (f, input) => (f === 'dequeue' ? fc.oneof(small, fc.constant(null)) : fc.constant(input)),
  },
  {
    // Non-deterministic: `flip` leaves 0 or 1; reads must agree with one consistent choice.
    name: 'non-deterministic coin (custom model)',
    model: () => coinModel,
    invoke: fc.constantFrom({ f: 'flip', value: null }, { f: 'read', value: null }),
    result: (f) => (f === 'read' ? fc.constantFrom(0, 1, 2) : fc.constant(null)),
  },
];

const coinModel: Model<number> = {
  name: 'coin',
  init: () => 2,
  step: (s, op) => {
    if (op.f === 'flip') return [0, 1];
    if (op.f === 'read') return op.status !== 'ok' || op.output === s ? [s] : [];
    return [];
  },
  key: (s) => s,
  readOnly: (op) => op.f === 'read',
};

/** A random concurrent history: processes invoke and complete in random interleavings. */
function concurrentHistory(
  c: ModelCase,
  maxSteps: number,
  outcomes: readonly string[] = ['ok', 'ok', 'ok', 'ok', 'info', 'fail'],
): fc.Arbitrary<Operation[]> {
  const step = fc.record({
    process: fc.integer({ min: 0, max: 2 }),
    invoke: c.invoke,
    outcome: fc.constantFrom(...outcomes),
  });
  return fc.array(step, { minLength: 1, maxLength: maxSteps }).chain((steps) => {
    // First fix the event skeleton, then draw completion values for the ok ops.
    const busy = new Map<number, { f: string; value: Value; key?: string; outcome: string }>();
    const nextId = new Map<number, number>();
    const skeleton: Array<{ process: number; type: Ev[1]; f: string; value: Value; key?: string; ok: boolean }> = [];
    for (const s of steps) {
      const logical = s.process * 100 + (nextId.get(s.process) ?? 0);
      const pending = busy.get(logical);
      if (pending === undefined) {
        busy.set(logical, { ...s.invoke, outcome: s.outcome });
        skeleton.push({ process: logical, type: 'invoke', ...s.invoke, ok: false });
      } else {
        busy.delete(logical);
        const type = pending.outcome as Ev[1];
        // A crashed process is replaced by a fresh id, as Jepsen does.
        if (type === 'info') nextId.set(s.process, (nextId.get(s.process) ?? 0) + 1);
        skeleton.push({
          process: logical,
          type,
          f: pending.f,
          value: pending.value,
          ...(pending.key !== undefined ? { key: pending.key } : {}),
          ok: type === 'ok',
        });
      }
    }
    const values = skeleton.map((e) => (e.ok ? c.result(e.f, e.value) : fc.constant(e.value)));
    return fc
      .tuple(...values)
      .map((vs) =>
        history(skeleton.map((e, i) => [e.process, e.type, e.f, e.ok ? (vs[i] ?? null) : e.value, e.key] as Ev)),
      );
  });
}

for (const c of cases) {
  test(`agrees with a brute-force oracle on random concurrent histories: ${c.name}`, () => {
    const model = c.model();
    const oracleModel = (c.oracleModel ?? c.model)();
    let invalid = 0;
    fc.assert(
      fc.property(concurrentHistory(c, 14), (ops) => {
        const expected = oracle(oracleModel, ops);
        if (!expected) invalid++;
        const r = checkLinearizableSync(ops, { model });
        assert.equal(r.valid, expected);
        if (!expected) {
          const detail = r.anomalies[0]?.detail as { failedOp: number } | undefined;
          assert.ok(detail !== undefined && ops.some((o) => o.id === detail.failedOp));
        }
      }),
      { numRuns: 250 },
    );
    // The generator must produce both verdicts, or the agreement above says little.
    assert.ok(invalid > 0, 'no invalid history was generated');
  });

  test(`a history run sequentially against the model is linearizable: ${c.name}`, () => {
    const model = (c.oracleModel ?? c.model)();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(c.invoke, fc.integer({ min: 0, max: 1e9 }), fc.boolean()), { maxLength: 40 }),
        (steps) => {
          let state: unknown = model.init();
          const events: Ev[] = [];
          let p = 0;
          for (const [inv, pick, crash] of steps) {
            // Choose among the outputs the model allows from the current state (writes echo their input).
            const candidates: Array<[Value, unknown]> = [];
            for (const out of [
              inv.value,
              state as Value,
              null,
              0,
              1,
              2,
              '',
              'x',
              'y',
              'xy',
              'yx',
              [],
              [0],
              [1],
              [0, 1],
              [0, 2],
              [1, 2],
              [0, 1, 2],
            ] as Value[]) {
              for (const next of model.step(state, {
                f: inv.f,
                input: inv.value,
                output: out,
                status: 'ok',
                ...(inv.key !== undefined ? { key: inv.key } : {}),
              })) {
                candidates.push([out, next]);
              }
            }
            const choice = candidates[pick % Math.max(1, candidates.length)];
            if (choice === undefined) continue;
            events.push([p, 'invoke', inv.f, inv.value, inv.key]);
            if (crash) {
              events.push([p, 'info', inv.f, inv.value, inv.key]);
              p++;
            } else {
              events.push([p, 'ok', inv.f, choice[0], inv.key]);
            }
            state = choice[1];
          }
          assert.equal(checkLinearizableSync(history(events), { model: c.model() }).valid, true);
        },
      ),
      { numRuns: 150 },
    );
  });
}

// ---- settling indeterminate writes (indeterminate.ts) changes no verdict ----------------------------------

const wide = fc.integer({ min: 0, max: 5 });
const infoHeavy: ModelCase[] = [
  {
    name: 'register',
    model: () => createModel({ name: 'register', options: { initial: 0 } }),
    invoke: fc.oneof(
      fc.constant({ f: 'read', value: null }),
      wide.map((v) => ({ f: 'write', value: v })),
    ),
    result: (f, input) => (f === 'read' ? wide : fc.constant(input)),
  },
  {
    name: 'cas-register',
    model: () => createModel({ name: 'cas-register', options: { initial: 0 } }),
    invoke: fc.oneof(
      fc.constant({ f: 'read', value: null }),
      wide.map((v) => ({ f: 'write', value: v })),
      fc.tuple(wide, wide).map(([a, b]) => ({ f: 'cas', value: [a, b] })),
    ),
    result: (f, input) => (f === 'read' ? wide : fc.constant(input)),
  },
  {
    name: 'cas-register, Porcupine failed-CAS semantics',
    model: () => createModel({ name: 'cas-register', options: { initial: 0, failedCasReturnsFalse: true } }),
    invoke: fc.oneof(
      fc.constant({ f: 'read', value: null }),
      wide.map((v) => ({ f: 'write', value: v })),
      fc.tuple(wide, wide).map(([a, b]) => ({ f: 'cas', value: [a, b] })),
    ),
    result: (f, input) => (f === 'read' ? wide : fc.constant(input)),
  },
  // Info adds settled (issue 14): elements 0-3 over two keys, reads returning any subset of them.
  {
    name: 'set, two keys',
    model: () => createModel({ name: 'set' }),
    invoke: fc.oneof(
      fc.constantFrom('a', 'b').map((key) => ({ f: 'read', value: null, key })),
      fc
        .tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 3 }))
        .map(([key, v]) => ({ f: 'add', value: v, key })),
    ),
    result: (f, input) => (f === 'read' ? fc.subarray([0, 1, 2, 3]) : fc.constant(input)),
  },
  {
    name: 'set, one store over two keys',
    model: () => createModel({ name: 'set', options: { partitioned: false } }),
    invoke: fc.oneof(
      fc.constantFrom('a', 'b').map((key) => ({ f: 'read', value: null, key })),
      fc
        .tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 3 }))
        .map(([key, v]) => ({ f: 'add', value: v, key })),
    ),
    result: (f, input) => (f === 'read' ? fc.subarray([0, 1, 2, 3]) : fc.constant(input)),
  },
  {
    name: 'kv, one store',
    model: () => createModel({ name: 'kv', options: { initial: '', partitioned: false } }),
    invoke: fc
      .tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('get', 'put', 'put', 'cas', 'append'), wide)
      // Appends on key c only: an append leaves its key's ops as they are, and the others get settled.
      .map(([key, f, v]) => ({
        f: f === 'append' && key !== 'c' ? 'put' : f,
        key,
        value: f === 'get' ? null : f === 'cas' ? [String(v % 3), String(v)] : String(v),
      })),
    result: (f, input) => (f === 'get' ? fc.constantFrom('', '0', '1', '2', '3', '4', '5', '01') : fc.constant(input)),
  },
];

for (const c of infoHeavy) {
  test(`settling indeterminate writes agrees with the brute-force oracle, info-heavy histories: ${c.name}`, () => {
    const model = c.model();
    let dropped = 0;
    let bounded = 0;
    let invalid = 0;
    const agrees = fc.property(concurrentHistory(c, 16, ['ok', 'ok', 'info', 'info', 'fail']), (ops) => {
      const expected = oracle(model, ops);
      if (!expected) invalid++;
      // The search alone over the settled partitions, so the zones cannot mask a wrong settling rule.
      for (const p of partitionHistory(model, ops)) {
        dropped += p.droppedInfo;
        bounded += p.boundedInfo;
      }
      const verdicts = partitionHistory(model, ops).map((p) => checkPartition(model, p.ops).valid);
      assert.equal(
        verdicts.every((v) => v === true),
        expected,
      );
    });
    // New histories every run, and a fixed set besides: 400 random ones hold no bounded write about one run
    // in ten, and the coverage asserted below must hold every time.
    fc.assert(agrees, { numRuns: 400 });
    fc.assert(agrees, { numRuns: 400, seed: 20261204 });
    assert.ok(invalid > 0, 'no invalid history was generated');
    assert.ok(dropped > 0, 'no indeterminate write was dropped: the rule went untested');
    if (c.name !== 'cas-register, Porcupine failed-CAS semantics') {
      assert.ok(bounded > 0, 'no indeterminate write was bounded: the rule went untested');
    }
  });
}

// ---- the deepest prefixes a slow failing search reports (kept without copying the stack) ------------------

for (const c of cases.filter((k) =>
  ['register', 'cas-register', 'kv, one store (commutation classes)'].includes(k.name),
)) {
  test(`the deepest prefixes of a failing search replay against the model and are as long as the longest: ${c.name}`, () => {
    const model = c.model();
    let checked = 0;
    fc.assert(
      fc.property(concurrentHistory(c, 16), (ops) => {
        for (const p of partitionHistory(model, ops)) {
          const quick = checkPartition(model, p.ops, undefined, false);
          if (quick.valid !== false) continue;
          const full = checkPartition(model, p.ops);
          if (full.valid !== false) assert.fail('the detailed search found no violation');
          checked++;
          const byId = new Map(p.ops.map((o) => [o.id, o]));
          const longest = full.longest[0]?.length ?? 0;
          for (const seq of quick.longest) {
            assert.equal(seq.length, longest);
            // Each prefix is a legal run of the model, state by state, and keeps real-time order.
            let states: unknown[] = [model.init()];
            seq.forEach((step, j) => {
              const op = byId.get(step.op)!;
              states = states.flatMap((s) => model.step(s, modelOpOf(op)));
              assert.ok(states.length > 0, `step ${j} (op ${step.op}) is illegal`);
              for (const later of seq.slice(j + 1)) assert.ok(!(byId.get(later.op)!.ret < op.call));
            });
            assert.equal(new Set(seq.map((x) => x.op)).size, seq.length);
          }
        }
      }),
      { numRuns: 300 },
    );
    assert.ok(checked > 0, 'no failing search was generated');
  });
}

// ---- commutation classes: the reduced search decides exactly as the plain one -------------------------

test('commutation classes change no verdict and no failing op: kv store, reduced vs plain search', () => {
  const model = createModel({ name: 'kv', options: { initial: '', partitioned: false } });
  assert.ok(model.commutationClass !== undefined);
  const plain: Model = { ...model };
  delete plain.commutationClass;
  const c: ModelCase = { name: 'kv', model: () => model, invoke: kvInvoke, result: kvResult };
  let invalid = 0;
  fc.assert(
    fc.property(concurrentHistory(c, 24), (ops) => {
      const included = ops.filter((o) => modelIncludes(model, o) && !(o.status === 'info' && o.f === 'get'));
      const reduced = checkPartition(model, included);
      const full = checkPartition(plain, included);
      assert.equal(reduced.valid, full.valid);
      if (reduced.valid === false && full.valid === false) {
        invalid++;
        assert.equal(reduced.failedOp, full.failedOp);
      }
    }),
    { numRuns: 400 },
  );
  assert.ok(invalid > 0, 'no invalid history was generated');
});

test("`check`'s summary detail gives the verdict, failing op and explanation of the report's, without its second search", () => {
  // Info-heavy cas-register histories: the ones whose violations take the search longest to prove.
  const c = infoHeavy.find((m) => m.name === 'cas-register')!;
  let invalid = 0;
  fc.assert(
    fc.property(concurrentHistory(c, 14), (ops) => {
      const model = c.model();
      const report = checkLinearizableSync(ops, { model, detail: 'report' });
      const summary = checkLinearizableSync(ops, { model, detail: 'summary' });
      assert.equal(summary.valid, report.valid);
      assert.deepEqual(
        summary.anomalies.map((a) => [a.ops, a.explanation]),
        report.anomalies.map((a) => [a.ops, a.explanation]),
      );
      if (report.valid === false) invalid++;
    }),
    { numRuns: 300 },
  );
  assert.ok(invalid > 0, 'no invalid history was generated');
  // A stale read the unique-value zones prove: the report's partial linearizations need a search, the summary none.
  const stale = history(vectors.find(([name]) => name === 'V1 stale read')![1]);
  const model = createModel({ name: 'register', options: { initial: 0 } });
  const longest = (detail: 'report' | 'summary') =>
    (checkLinearizableSync(stale, { model, detail }).anomalies[0]!.detail as { longest: unknown[] }).longest;
  assert.ok(longest('report').length > 0);
  assert.deepEqual(longest('summary'), []);
});

// ---- the unique-value fast path agrees with the search ------------------------------------------------

test('the unique-value zones agree with the WGL search on random register histories', () => {
  const model = createModel({ name: 'register', options: { initial: 0 } });
  let counter = 0;
  const c: ModelCase = {
    name: 'unique register',
    model: () => model,
    invoke: fc.oneof(fc.constant({ f: 'read', value: null }), fc.constant({ f: 'write', value: -1 })),
    result: (f, input) => (f === 'read' ? fc.integer({ min: 0, max: 6 }) : fc.constant(input)),
  };
  let decided = 0;
  fc.assert(
    fc.property(concurrentHistory(c, 16), (raw) => {
      // Give every write its own value 1, 2, 3, ... (reads draw from 0..6, so some read unwritten values).
      counter = 0;
      const ops = raw.map((o) => (o.f === 'write' ? { ...o, input: ++counter, output: counter } : o));
      for (const p of partitionHistory(model, ops)) {
        const zones = checkUniqueValueRegister(p.ops, 0, model.register!.view, new Set(p.failedWrites));
        assert.ok(zones !== null);
        decided++;
        assert.equal(zones.valid, checkPartition(model, p.ops).valid);
      }
    }),
    { numRuns: 400 },
  );
  assert.ok(decided > 0);
});

const vectors: Array<[string, Ev[], boolean]> = [
  [
    'V1 stale read',
    [
      [0, 'invoke', 'write', 1],
      [0, 'ok', 'write', 1],
      [1, 'invoke', 'write', 2],
      [1, 'ok', 'write', 2],
      [2, 'invoke', 'read', null],
      [2, 'ok', 'read', 1],
    ],
    false,
  ],
  [
    'V2 read concurrent with its write',
    [
      [0, 'invoke', 'write', 1],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', 1],
      [0, 'ok', 'write', 1],
    ],
    true,
  ],
  [
    'V3 read before write',
    [
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', 1],
      [0, 'invoke', 'write', 1],
      [0, 'ok', 'write', 1],
    ],
    false,
  ],
  [
    'V4 new-then-old',
    [
      [0, 'invoke', 'write', 1],
      [0, 'ok', 'write', 1],
      [1, 'invoke', 'write', 2],
      [2, 'invoke', 'read', null],
      [2, 'ok', 'read', 2],
      [3, 'invoke', 'read', null],
      [3, 'ok', 'read', 1],
      [1, 'ok', 'write', 2],
    ],
    false,
  ],
  [
    'V5 crashed write observed',
    [
      [0, 'invoke', 'write', 1],
      [0, 'info', 'write', 1],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', 1],
    ],
    true,
  ],
  [
    'V6 aborted read',
    [
      [0, 'invoke', 'write', 1],
      [0, 'fail', 'write', 1],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', 1],
    ],
    false,
  ],
  [
    'V7 flip-flop',
    [
      [0, 'invoke', 'write', 1],
      [1, 'invoke', 'write', 2],
      [2, 'invoke', 'read', null],
      [2, 'ok', 'read', 1],
      [3, 'invoke', 'read', null],
      [3, 'ok', 'read', 2],
      [4, 'invoke', 'read', null],
      [4, 'ok', 'read', 1],
      [0, 'ok', 'write', 1],
      [1, 'ok', 'write', 2],
    ],
    false,
  ],
];

for (const [name, events, expected] of vectors) {
  test(`checking.md §1.5 test vector ${name}: zones and search both say ${expected}`, () => {
    const model = createModel({ name: 'register', options: { initial: 0 } });
    const [p] = partitionHistory(model, history(events));
    assert.ok(p !== undefined);
    assert.equal(checkUniqueValueRegister(p.ops, 0, model.register!.view, new Set(p.failedWrites))?.valid, expected);
    assert.equal(checkPartition(model, p.ops).valid, expected);
    assert.equal(checkLinearizableSync(history(events), { model }).valid, expected);
  });
}

// ---- result shape, budgets, registry ---------------------------------------------------------------

test('a stale read is blamed on the first read that saw the overwritten value, named alike in ops and words', () => {
  const model = createModel({ name: 'register', options: { initial: 0 } });
  const cases: Array<[string, Ev[], number]> = [
    // w1, w2, then read 1 (op 2, stale) and read 2 (op 3): overlapping periods of 1 and 2.
    [
      'overlapping periods',
      [
        [0, 'invoke', 'write', 1],
        [0, 'ok', 'write', 1],
        [1, 'invoke', 'write', 2],
        [1, 'ok', 'write', 2],
        [2, 'invoke', 'read', null],
        [2, 'ok', 'read', 1],
        [3, 'invoke', 'read', null],
        [3, 'ok', 'read', 2],
      ],
      2,
    ],
    // w1, read 1 (op 1), w2 nobody reads, then read 1 twice (ops 3 and 4): op 3 is the first stale one.
    [
      'unobserved write inside a period',
      [
        [0, 'invoke', 'write', 1],
        [0, 'ok', 'write', 1],
        [1, 'invoke', 'read', null],
        [1, 'ok', 'read', 1],
        [2, 'invoke', 'write', 2],
        [2, 'ok', 'write', 2],
        [3, 'invoke', 'read', null],
        [3, 'ok', 'read', 1],
        [4, 'invoke', 'read', null],
        [4, 'ok', 'read', 1],
      ],
      3,
    ],
  ];
  for (const [name, events, blamed] of cases) {
    const r = checkLinearizableSync(history(events), { model });
    const a = r.anomalies[0]!;
    assert.equal(a.ops[0], blamed, name);
    assert.equal((a.detail as { failedOp: number }).failedOp, blamed, name);
    assert.match(a.explanation, new RegExp(`^op ${blamed} \\(.*read by op ${blamed},`), name);
  }
});

test('a violation names the op, the key and the longest partial linearizations with their states', () => {
  const model = createModel({ name: 'cas-register', options: { initial: 0 } });
  const ops = history([
    [0, 'invoke', 'write', 1],
    [0, 'ok', 'write', 1],
    [1, 'invoke', 'cas', [1, 2]],
    [1, 'ok', 'cas', [1, 2]],
    [2, 'invoke', 'read', null],
    [2, 'ok', 'read', 1],
  ]);
  const r = checkLinearizableSync(ops, { model });
  assert.equal(r.valid, false);
  const a = r.anomalies[0]!;
  assert.equal(a.type, 'nonlinearizable');
  const detail = a.detail as { key: string; failedOp: number; longest: Array<Array<{ op: number; state: string }>> };
  assert.equal(detail.failedOp, 2);
  assert.deepEqual(detail.longest[0], [
    { op: 0, state: '1' },
    { op: 1, state: '2' },
  ]);
  assert.match(a.explanation, /op 2 \(process 2, read 1/);
  assert.match(a.explanation, /the state was 2, which does not allow it/);
});

test('a time budget that runs out gives unknown with the undecided partition named, never valid', () => {
  // A CAS along every edge of the complete graph on 0-4, all concurrent and acknowledged, then a read of 7:
  // the search has to try the orders of the edges (about 30k configurations) before it finds none ends in 7.
  // Timed-out ops would not do: one nothing needs is passed over at once.
  const events: Ev[] = [];
  const edges: Array<[number, number]> = [];
  for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) if (a !== b) edges.push([a, b]);
  edges.forEach((edge, p) => events.push([p, 'invoke', 'cas', edge]));
  edges.forEach((edge, p) => events.push([p, 'ok', 'cas', edge]));
  events.push([99, 'invoke', 'read', null], [99, 'ok', 'read', 7]);
  const ops = history(events);
  const r = checkLinearizableSync(ops, { model: { name: 'cas-register', options: { initial: 0 } }, timeBudgetMs: 0 });
  assert.equal(r.valid, 'unknown');
  assert.match(r.reason ?? '', /time budget/);
  const m = checkLinearizableSync(ops, {
    model: { name: 'cas-register', options: { initial: 0 } },
    memoryBudgetBytes: 1,
  });
  assert.equal(m.valid, 'unknown');
  assert.match(m.reason ?? '', /memory budget/);
});

test('the checker is registered as linearizable and infers a kv model from keyed ops', async () => {
  const checker = getChecker('linearizable');
  assert.ok(checker !== undefined);
  const ops = history([
    [0, 'invoke', 'write', 1, 'a'],
    [0, 'ok', 'write', 1, 'a'],
    [1, 'invoke', 'read', null, 'b'],
    [1, 'ok', 'read', 1, 'b'],
  ]);
  const r = await checker.check(ops);
  assert.equal(r.valid, false);
  assert.equal(r.anomalies[0]?.key, 'b');
  assert.equal((await checkLinearizable(ops.slice(0, 1))).valid, true);
});

test('partitions that need the search are checked on worker threads for big histories, with the same verdict', async () => {
  // 40 keys x 600 ops whose values repeat (so the zones do not apply), one stale read planted on key k7.
  const events: Ev[] = [];
  for (let round = 0; round < 300; round++) {
    for (let k = 0; k < 40; k++) {
      const key = `k${k}`;
      const v = round % 7;
      events.push([k, 'invoke', 'write', v, key], [k, 'ok', 'write', v, key]);
      const stale = key === 'k7' && round === 150;
      events.push([k, 'invoke', 'read', null, key], [k, 'ok', 'read', stale ? (round + 6) % 7 : v, key]);
    }
  }
  const ops = history(events);
  // Workers from 20k ops here, so the test stays small.
  const parallel = await checkLinearizable(ops, { name: 'kv' }, { workerMinOps: 20_000 });
  const sequential = checkLinearizableSync(ops, { model: { name: 'kv' } });
  assert.equal(parallel.valid, false);
  assert.equal(sequential.valid, false);
  assert.equal(parallel.anomalies[0]?.key, 'k7');
  assert.equal(parallel.anomalies[0]?.ops[0], sequential.anomalies[0]?.ops[0]);
  assert.ok((parallel.stats.workers ?? 0) >= 2, 'the check did not run on worker threads');
  assert.equal(sequential.stats.workers, 0);
  // Further checks reuse the pool (a valid history: no worker is stopped as a straggler after a violation).
  const { poolSize } = await import('./parallel.ts');
  const clean = history(events.map((e) => (e[1] === 'ok' && e[2] === 'read' ? [e[0], e[1], e[2], null, e[4]] : e)));
  const wildcard = { name: 'kv', options: { nilReadIsWildcard: true } };
  const first = await checkLinearizable(clean, wildcard, { workerMinOps: 20_000 });
  const before = poolSize();
  const again = await checkLinearizable(clean, wildcard, { workerMinOps: 20_000 });
  assert.equal(first.valid, true);
  assert.equal(again.valid, true);
  assert.ok((again.stats.workers ?? 0) >= 2);
  assert.equal(poolSize(), before);
});

test('big histories the zones decide stay on the calling thread', async () => {
  // 40 keys x 600 unique-value ops, one stale read planted on key k7.
  const events: Ev[] = [];
  let v = 0;
  for (let round = 0; round < 300; round++) {
    for (let k = 0; k < 40; k++) {
      const key = `k${k}`;
      v++;
      events.push([k, 'invoke', 'write', v, key], [k, 'ok', 'write', v, key]);
      const stale = key === 'k7' && round === 150;
      events.push([k, 'invoke', 'read', null, key], [k, 'ok', 'read', stale ? v - 40 : v, key]);
    }
  }
  const r = await checkLinearizable(history(events), { name: 'kv' }, { workerMinOps: 20_000 });
  assert.equal(r.valid, false);
  assert.equal(r.anomalies[0]?.key, 'k7');
  assert.equal(r.stats.workers, 0);
  assert.equal(r.stats.zonePartitions, 40);
});

test('an info-heavy set history (2,000 ops, 5 keys, 30 % info adds) is decided: every info add is settled', async () => {
  // Before info adds were settled this history ran out of a 30 s budget on every key (135,776 configurations).
  const ops = pairOperations(simulateSetStore({ seed: 1, processes: 10, keys: 5, ops: 2000, infoRate: 0.3 }));
  const info = ops.filter((op) => op.status === 'info').length;
  assert.ok(info > 400, `${info} info adds`);
  const r = await checkLinearizable(ops, { name: 'set' }, { timeBudgetMs: 120_000 });
  assert.equal(r.valid, true, r.reason);
  assert.equal((r.stats.indeterminateDropped ?? 0) + (r.stats.indeterminateBounded ?? 0), info);
  assert.ok((r.stats.indeterminateDropped ?? 0) > 0 && (r.stats.indeterminateBounded ?? 0) > 0);
  // A lost acknowledged add in the same history is still found.
  const lossy = pairOperations(
    simulateSetStore({ seed: 1, processes: 10, keys: 5, ops: 2000, infoRate: 0.3, lossRate: 0.01 }),
  );
  assert.equal((await checkLinearizable(lossy, { name: 'set' }, { timeBudgetMs: 120_000 })).valid, false);
});
