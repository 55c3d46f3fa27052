import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ClientOp } from '../plugin.ts';
import { getWorkload, listWorkloads, OpGenerator } from './index.ts';
import type { WorkloadParams } from './workload.ts';

const params = (over: Partial<WorkloadParams> = {}): WorkloadParams => ({
  keys: 3,
  mix: {},
  uniqueValues: true,
  valueRange: 5,
  maxTxnLength: 4,
  ...over,
});

function draw(name: string, p: WorkloadParams, seed: number, procs: readonly number[]): ClientOp[] {
  const w = getWorkload(name)!;
  const gen = new OpGenerator(w.create({ ...p, mix: Object.keys(p.mix).length > 0 ? p.mix : w.defaultMix }), seed);
  return procs.map((proc) => gen.next(proc));
}

/** Every value a write-like op writes. */
function written(op: ClientOp): number[] {
  if (op.f === 'write' || op.f === 'add') return typeof op.value === 'number' ? [op.value] : [];
  if (op.f === 'cas' && Array.isArray(op.value)) return [op.value[1] as number];
  if (op.f === 'txn' && Array.isArray(op.value))
    return op.value.flatMap((m) => (Array.isArray(m) && (m[0] === 'append' || m[0] === 'w') ? [m[2] as number] : []));
  return [];
}

const names = listWorkloads().map((w) => w.name);
const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const procsArb = fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 200 });

test('the eight workloads exist with distinct names', () => {
  assert.deepEqual(names.sort(), [
    'counter',
    'echo',
    'key-value',
    'list-append',
    'register',
    'rw-register',
    'set',
    'unique-ids',
  ]);
});

test('unique-ids asks for ids and holds its systems to returning a string or an integer', () => {
  const w = getWorkload('unique-ids')!;
  const gen = new OpGenerator(w.create(params({ keys: 1, mix: w.defaultMix })), 1);
  const ops = Array.from({ length: 5 }, () => gen.next(0));
  assert.deepEqual(ops, Array(5).fill({ f: 'generate', value: null }));
  assert.deepEqual(gen.finalReads(), []);
  assert.equal(w.checkCompletion({ f: 'generate', value: null }, 'n1-7'), undefined);
  assert.equal(w.checkCompletion({ f: 'generate', value: null }, 7), undefined);
  assert.equal(
    w.checkCompletion({ f: 'generate', value: null }, 7.5),
    'generate returned the non-integer number 7.5, expected an id (a string or an integer)',
  );
  assert.match(w.checkCompletion({ f: 'generate', value: null }, null) ?? '', /returned null, expected an id/);
});

test('echo sends a payload unique in the run and accepts any reply, for the echo checker to judge', () => {
  const w = getWorkload('echo')!;
  const gen = new OpGenerator(w.create(params({ keys: 1, mix: w.defaultMix })), 1);
  const ops = Array.from({ length: 50 }, () => gen.next(0));
  assert.ok(ops.every((op) => op.f === 'echo' && typeof op.value === 'string' && op.key === undefined));
  assert.equal(new Set(ops.map((op) => op.value)).size, 50);
  assert.deepEqual(gen.finalReads(), []);
  // A reply unlike the payload is no misfit of shape: recorded as info, the checker would never see it.
  assert.equal(w.checkCompletion(ops[0]!, 'something else'), undefined);
  assert.equal(w.checkCompletion(ops[0]!, null), undefined);
});

test('same seed and same request order give the same ops', () => {
  fc.assert(
    fc.property(fc.constantFrom(...names), seedArb, procsArb, (name, seed, procs) => {
      assert.deepEqual(draw(name, params(), seed, procs), draw(name, params(), seed, procs));
    }),
  );
});

test('written values are unique by default (register, key-value, set, list-append, rw-register)', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('register', 'key-value', 'set', 'list-append', 'rw-register'),
      seedArb,
      procsArb,
      (name, seed, procs) => {
        const values = draw(name, params(), seed, procs).flatMap(written);
        assert.equal(new Set(values).size, values.length, `duplicate written value in ${JSON.stringify(values)}`);
      },
    ),
  );
});

test('ops use only the fs in the mix, and keys within range', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('register', 'key-value'),
      fc.subarray(['read', 'write', 'cas'], { minLength: 1 }),
      fc.integer({ min: 1, max: 10 }),
      seedArb,
      procsArb,
      (name, fs, keys, seed, procs) => {
        const mix = Object.fromEntries(fs.map((f) => [f, 1]));
        for (const op of draw(name, params({ mix, keys }), seed, procs)) {
          assert.ok(fs.includes(op.f), `${op.f} not in ${fs.join(',')}`);
          if (name === 'register') assert.equal(op.key, undefined);
          else assert.ok(Number(op.key?.slice(1)) < keys, `key ${op.key} out of ${keys}`);
        }
      },
    ),
  );
});

test('cas expects a value recently written to the same key', () => {
  const ops = draw(
    'key-value',
    params({ mix: { write: 1, cas: 1 } }),
    7,
    Array.from({ length: 300 }, () => 0),
  );
  const seen = new Map<string, Set<number>>();
  let casFromSeen = 0;
  for (const op of ops) {
    const k = op.key!;
    const s = seen.get(k) ?? new Set<number>();
    if (op.f === 'cas' && Array.isArray(op.value) && s.has(op.value[0] as number)) casFromSeen++;
    for (const v of written(op)) s.add(v);
    seen.set(k, s);
  }
  assert.ok(casFromSeen > 50, `only ${casFromSeen} cas ops expected a written value`);
});

test('non-unique values stay within valueRange', () => {
  const ops = draw(
    'register',
    params({ uniqueValues: false, valueRange: 3, mix: { write: 1 } }),
    1,
    Array(100).fill(0),
  );
  assert.ok(ops.every((op) => typeof op.value === 'number' && op.value >= 0 && op.value < 3));
});

test('final reads cover every key', () => {
  const w = getWorkload('set')!;
  const gen = new OpGenerator(w.create(params({ keys: 4, mix: w.defaultMix })), 1);
  assert.deepEqual(
    gen.finalReads().map((op) => op.key),
    ['k0', 'k1', 'k2', 'k3'],
  );
});

test('rw-register txns are [r, k, null] / [w, k, v] micro-ops over the keys, never writing null', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 8 }),
      seedArb,
      procsArb,
      (keys, maxTxnLength, seed, procs) => {
        for (const op of draw('rw-register', params({ keys, maxTxnLength }), seed, procs)) {
          assert.equal(op.f, 'txn');
          assert.ok(Array.isArray(op.value) && op.value.length >= 1 && op.value.length <= maxTxnLength);
          for (const m of op.value) {
            assert.ok(Array.isArray(m) && m.length === 3, JSON.stringify(m));
            const [f, k, v] = m;
            assert.ok(typeof k === 'string' && Number(k.slice(1)) < keys, `key ${JSON.stringify(k)} out of ${keys}`);
            if (f === 'r') assert.equal(v, null);
            else assert.ok(f === 'w' && typeof v === 'number', JSON.stringify(m));
          }
        }
      },
    ),
  );
});

test('rw-register final reads read every key in one txn', () => {
  const w = getWorkload('rw-register')!;
  const gen = new OpGenerator(w.create(params({ keys: 3, mix: w.defaultMix })), 1);
  assert.deepEqual(gen.finalReads(), [
    {
      f: 'txn',
      value: [
        ['r', 'k0', null],
        ['r', 'k1', null],
        ['r', 'k2', null],
      ],
    },
  ]);
});
