import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import type { Operation } from '../history.ts';
import { analyseCounter, checkCounter, isCounterHistory } from './counter.ts';

const s = 1_000_000_000;

interface Spec {
  f: 'add' | 'read';
  value: number;
  status: 'ok' | 'info' | 'fail';
  call: number;
  length: number;
  key: number;
}

/** Ops straight from intervals (seconds), each by its own process: only real time matters to a counter. */
function ops(specs: readonly Spec[]): Operation[] {
  return specs.map((sp, id) => {
    const call = sp.call * s;
    const ret = sp.status === 'info' ? Infinity : (sp.call + sp.length) * s;
    const op: Operation = {
      id,
      process: id,
      f: sp.f,
      input: sp.f === 'add' ? sp.value : null,
      output: sp.f === 'read' ? sp.value : sp.value,
      status: sp.f === 'read' && sp.status !== 'ok' ? 'ok' : sp.status,
      call,
      ret: sp.f === 'read' ? (sp.call + sp.length) * s : ret,
      invokeIndex: 2 * id,
      completeIndex: sp.status === 'info' ? null : 2 * id + 1,
      key: `c${sp.key}`,
    };
    return op;
  });
}

const add = (value: number, call: number, length: number, status: Spec['status'] = 'ok'): Spec => ({
  f: 'add',
  value,
  status,
  call,
  length,
  key: 0,
});
const read = (value: number, call: number, length = 1): Spec => ({
  f: 'read',
  value,
  status: 'ok',
  call,
  length,
  key: 0,
});

test('a read below the acknowledged sum is a violation, with the bounds in seconds and op ids', () => {
  const r = checkCounter(ops([add(1, 0, 1), add(1, 2, 1), read(1, 4)]));
  assert.equal(r.valid, false);
  const a = r.anomalies[0]!;
  assert.equal(a.type, 'counter-read-too-low');
  assert.equal(
    a.explanation,
    '1 read of counter c0 outside the bounds the increments allow: the read op 2 at 4.000 s returned 1, below the bounds [2, 2] (2 adds acknowledged before it began make at least 2)',
  );
  assert.deepEqual(a.ops, [2]);
});

test('concurrent and indeterminate adds may or may not count; failed adds never do', () => {
  const history = ops([add(1, 0, 1), add(5, 2, 10), add(3, 2, 1, 'info'), add(7, 2, 1, 'fail'), read(1, 3)]);
  const [k] = analyseCounter(history);
  assert.deepEqual({ lower: k!.reads[0]!.lower, upper: k!.reads[0]!.upper }, { lower: 1, upper: 9 });
  assert.equal(checkCounter(history).valid, true);
  const high = checkCounter(ops([add(1, 0, 1), add(7, 2, 1, 'fail'), read(8, 3)]));
  assert.equal(high.valid, false);
  assert.equal(high.anomalies[0]!.type, 'counter-read-too-high');
});

test('no read, other ops, or non-numeric reads are never valid', () => {
  assert.equal(checkCounter(ops([add(1, 0, 1)])).valid, 'unknown');
  assert.equal(checkCounter([]).valid, 'unknown');
  const junk = ops([add(1, 0, 1), read(1, 3)]);
  junk[1]!.output = 'one\n';
  const r = checkCounter(junk);
  assert.equal(r.valid, false);
  assert.match(r.anomalies[0]!.explanation, /returned one\\n$/);
  const w = ops([add(1, 0, 1)]);
  w[0]!.f = 'write';
  assert.equal(checkCounter(w).valid, 'unknown');
  assert.equal(isCounterHistory(w), false);
  const set = ops([add(1, 0, 1), read(1, 3)]);
  set[1]!.output = [1];
  assert.equal(isCounterHistory(set), false);
  assert.equal(isCounterHistory(ops([add(1, 0, 1), read(1, 3)])), true);
});

const spec = (deltas: fc.Arbitrary<number>): fc.Arbitrary<Spec[]> =>
  fc.array(
    fc.record({
      f: fc.constantFrom<Spec['f']>('add', 'add', 'read'),
      value: deltas,
      status: fc.constantFrom<Spec['status']>('ok', 'ok', 'ok', 'info', 'fail'),
      call: fc.integer({ min: 0, max: 30 }),
      length: fc.integer({ min: 1, max: 8 }),
      key: fc.integer({ min: 0, max: 1 }),
    }),
    { minLength: 1, maxLength: 12 },
  );

/** Every sum a read could see: the certain adds plus any subset of the possible ones. */
function achievable(history: readonly Operation[], r: Operation): number[] {
  const same = history.filter((o) => o.f === 'add' && o.status !== 'fail' && o.key === r.key);
  const certain = same.filter((o) => o.status === 'ok' && o.ret < r.call);
  const possible = same.filter((o) => !certain.includes(o) && o.call < r.ret);
  const base = certain.reduce((sum, o) => sum + (o.input as number), 0);
  const sums: number[] = [];
  for (let mask = 0; mask < 1 << possible.length; mask++) {
    let v = base;
    possible.forEach((o, i) => {
      if (mask & (1 << i)) v += o.input as number;
    });
    sums.push(v);
  }
  return sums;
}

test('bounds are the least and greatest sums some subset of possible adds gives (brute force, property)', () => {
  fc.assert(
    fc.property(spec(fc.integer({ min: -3, max: 4 })), (specs) => {
      const history = ops(specs);
      for (const k of analyseCounter(history)) {
        for (const b of k.reads) {
          const sums = achievable(history, b.read);
          assert.equal(b.lower, Math.min(...sums));
          assert.equal(b.upper, Math.max(...sums));
        }
      }
      // Soundness: a read whose value some subset explains is never reported.
      const reported = new Set(checkCounter(history).anomalies.flatMap((a) => a.ops));
      for (const o of history) {
        if (o.f === 'read' && achievable(history, o).includes(o.output as number)) assert.ok(!reported.has(o.id));
      }
    }),
    { numRuns: 500 },
  );
});

test('with increments of 1 the bounds are exact: a read is flagged iff no subset of possible adds explains it', () => {
  fc.assert(
    fc.property(spec(fc.constant(1)), fc.array(fc.integer({ min: -1, max: 8 }), { maxLength: 12 }), (specs, values) => {
      const history = ops(specs);
      history.forEach((o, i) => {
        if (o.f === 'read') o.output = values[i] ?? 0;
      });
      const reported = new Set(checkCounter(history).anomalies.flatMap((a) => a.ops));
      for (const o of history) {
        if (o.f !== 'read') continue;
        assert.equal(reported.has(o.id), !achievable(history, o).includes(o.output as number));
      }
    }),
    { numRuns: 500 },
  );
});
