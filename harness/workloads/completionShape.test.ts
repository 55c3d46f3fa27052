import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ClientOp, Value } from '../plugin.ts';
import { getWorkload, listWorkloads, OpGenerator } from './index.ts';

function ops(name: string, seed: number, n: number): ClientOp[] {
  const w = getWorkload(name)!;
  const gen = new OpGenerator(
    w.create({ keys: 3, mix: w.defaultMix, uniqueValues: true, valueRange: 5, maxTxnLength: 4 }),
    seed,
  );
  return [...Array.from({ length: n }, (_, i) => gen.next(i % 4)), ...gen.finalReads()];
}

/** What a correct store could answer: reads filled with a value of the contract's shape. */
function wellFormed(name: string, op: ClientOp, read: number): Value {
  const list = name === 'set' || name === 'list-append';
  if (op.f === 'txn')
    return (op.value as [string, string, Value][]).map(([f, k, v]) =>
      f === 'r' ? [f, k, list ? [read] : read] : [f, k, v],
    );
  if (op.f === 'read') return list ? [read, read + 1] : read;
  if (op.f === 'generate') return `n1-${read}`;
  return op.value;
}

const names = listWorkloads().map((w) => w.name);

test('every workload accepts what a correct store answers, null for what was never written included', () => {
  fc.assert(
    fc.property(fc.constantFrom(...names), fc.nat(2 ** 31 - 1), fc.nat(1000), (name, seed, read) => {
      const w = getWorkload(name)!;
      for (const op of ops(name, seed, 30)) {
        assert.equal(w.checkCompletion(op, wellFormed(name, op, read)), undefined, JSON.stringify(op));
        if (op.f === 'read') assert.equal(w.checkCompletion(op, null), undefined);
      }
    }),
  );
});

test('a read of the wrong type is named with the op, the key, what came back and what was expected', () => {
  const kv = getWorkload('key-value')!;
  assert.equal(
    kv.checkCompletion({ f: 'read', key: 'k3', value: null }, '5'),
    'read of key k3 returned a string ("5"), expected an integer or null',
  );
  assert.match(
    getWorkload('register')!.checkCompletion({ f: 'read', value: null }, 1.5)!,
    /^read returned the non-integer/,
  );
  assert.match(
    getWorkload('set')!.checkCompletion({ f: 'read', key: 'k0', value: null }, 3)!,
    /expected a list of integers/,
  );
  assert.match(getWorkload('set')!.checkCompletion({ f: 'read', key: 'k0', value: null }, [1, '2'])!, /a list/);
  assert.match(getWorkload('counter')!.checkCompletion({ f: 'read', key: 'k0', value: null }, [1])!, /integer or null/);
  // Writes, cas and adds: the checkers read the invoked value, so the ok value is free.
  assert.equal(kv.checkCompletion({ f: 'write', key: 'k1', value: 4 }, null), undefined);
  assert.equal(kv.checkCompletion({ f: 'cas', key: 'k1', value: [1, 2] }, 'done'), undefined);
});

test('a txn must come back as invoked, with reads filled in and writes unchanged', () => {
  const la = getWorkload('list-append')!;
  const rw = getWorkload('rw-register')!;
  const txn: ClientOp = {
    f: 'txn',
    value: [
      ['r', 'k0', null],
      ['append', 'k1', 7],
    ],
  };
  assert.equal(
    la.checkCompletion(txn, [
      ['r', 'k0', [1, 2]],
      ['append', 'k1', 7],
    ]),
    undefined,
  );
  assert.match(la.checkCompletion(txn, 'ok')!, /^txn returned a string/);
  assert.match(la.checkCompletion(txn, [['r', 'k0', [1]]])!, /1 micro-ops for the 2 invoked/);
  assert.match(
    la.checkCompletion(txn, [
      ['r', 'k0', 5],
      ['append', 'k1', 7],
    ])!,
    /read of key k0 in a txn returned the integer 5/,
  );
  assert.match(
    la.checkCompletion(txn, [
      ['r', 'k9', [1]],
      ['append', 'k1', 7],
    ])!,
    /micro-op 1 .* expected \["r", "k0", value\]/,
  );
  assert.match(
    la.checkCompletion(txn, [
      ['r', 'k0', [1]],
      ['append', 'k1', 8],
    ])!,
    /append of 7 to key k1 .* expected the value written/,
  );
  const rwTxn: ClientOp = {
    f: 'txn',
    value: [
      ['r', 'k0', null],
      ['w', 'k0', 3],
    ],
  };
  assert.equal(
    rw.checkCompletion(rwTxn, [
      ['r', 'k0', null],
      ['w', 'k0', 3],
    ]),
    undefined,
  );
  assert.match(
    rw.checkCompletion(rwTxn, [
      ['r', 'k0', [3]],
      ['w', 'k0', 3],
    ])!,
    /expected an integer or null/,
  );
});
