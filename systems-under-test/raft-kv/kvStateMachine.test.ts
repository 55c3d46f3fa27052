import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { invalidOp, KvStateMachine } from './kvStateMachine.ts';
import type { Json } from './kvStateMachine.ts';

test('a read returns the last write or successful cas of its key, null before any', () => {
  const op = fc.oneof(
    fc.record({ f: fc.constant('read'), key: fc.constantFrom('a', 'b'), value: fc.constant(null) }),
    fc.record({ f: fc.constant('write'), key: fc.constantFrom('a', 'b'), value: fc.integer({ min: 0, max: 3 }) }),
    fc.record({
      f: fc.constant('cas'),
      key: fc.constantFrom('a', 'b'),
      value: fc.tuple(fc.option(fc.integer({ min: 0, max: 3 })), fc.integer({ min: 0, max: 3 })),
    }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const machine = new KvStateMachine();
      const model = new Map<string, Json>();
      for (const o of ops) {
        const result = machine.apply(o);
        const current = model.get(o.key) ?? null;
        if (o.f === 'read') assert.deepEqual(result, { type: 'ok', value: current });
        if (o.f === 'write') model.set(o.key, o.value);
        if (o.f === 'cas') {
          const [from, to] = o.value;
          assert.equal(result.type, current === from ? 'ok' : 'fail');
          if (current === from) model.set(o.key, to);
        }
      }
    }),
  );
});

test('malformed ops are refused before they reach the log', () => {
  assert.equal(invalidOp({ f: 'read', value: null }), undefined);
  assert.match(invalidOp({ f: 'delete', value: null }) ?? '', /unknown f/);
  assert.match(invalidOp({ f: 'cas', value: 3 }) ?? '', /cas value/);
  assert.match(invalidOp({ f: 'read', key: 4, value: null }) ?? '', /key/);
  assert.match(invalidOp(null) ?? '', /object/);
});

test('a txn applies its micro-ops in order, all at once: reads see earlier micro-ops of the same txn', () => {
  const micro = fc.oneof(
    fc.tuple(fc.constant('r' as const), fc.constantFrom('a', 'b'), fc.constant(null)),
    fc.tuple(fc.constant('append' as const), fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 99 })),
  );
  fc.assert(
    fc.property(fc.array(fc.array(micro, { minLength: 1, maxLength: 5 }), { maxLength: 20 }), (txns) => {
      const machine = new KvStateMachine();
      const model = new Map<string, number[]>();
      for (const txn of txns) {
        const expected = txn.map(([f, key, value]): Json => {
          if (f === 'r') return ['r', key, model.has(key) ? [...model.get(key)!] : null];
          model.set(key, [...(model.get(key) ?? []), value]);
          return [f, key, value];
        });
        assert.deepEqual(machine.apply({ f: 'txn', value: txn }), { type: 'ok', value: expected });
      }
    }),
  );
});

test('rw-register txns write and read registers; a list read earlier does not change under its reader', () => {
  const machine = new KvStateMachine();
  assert.deepEqual(
    machine.apply({
      f: 'txn',
      value: [
        ['w', 'x', 1],
        ['r', 'x', null],
        ['r', 'y', null],
      ],
    }),
    {
      type: 'ok',
      value: [
        ['w', 'x', 1],
        ['r', 'x', 1],
        ['r', 'y', null],
      ],
    },
  );
  const first = machine.apply({
    f: 'txn',
    value: [
      ['append', 'l', 1],
      ['r', 'l', null],
    ],
  });
  machine.apply({ f: 'txn', value: [['append', 'l', 2]] });
  assert.deepEqual(first, {
    type: 'ok',
    value: [
      ['append', 'l', 1],
      ['r', 'l', [1]],
    ],
  });
  assert.deepEqual(machine.apply({ f: 'txn', value: [['r', 'l', null]] }), { type: 'ok', value: [['r', 'l', [1, 2]]] });
});

test('a txn that cannot apply changes nothing', () => {
  const machine = new KvStateMachine();
  machine.apply({ f: 'write', key: 'x', value: 5 });
  const refused = machine.apply({
    f: 'txn',
    value: [
      ['append', 'y', 1],
      ['append', 'x', 2],
    ],
  });
  assert.equal(refused.type, 'fail');
  assert.match(refused.type === 'fail' ? refused.error : '', /append to x, which holds 5/);
  assert.deepEqual(machine.apply({ f: 'txn', value: [['r', 'y', null]] }), { type: 'ok', value: [['r', 'y', null]] });
});

test('malformed txns are refused before they reach the log', () => {
  assert.equal(
    invalidOp({
      f: 'txn',
      value: [
        ['r', 'x', null],
        ['append', 'x', 1],
      ],
    }),
    undefined,
  );
  assert.match(invalidOp({ f: 'txn', value: [] }) ?? '', /non-empty list/);
  assert.match(invalidOp({ f: 'txn', value: [['r', 3, null]] }) ?? '', /string key/);
  assert.match(invalidOp({ f: 'txn', value: [['cas', 'x', 1]] }) ?? '', /unknown f "cas"/);
  assert.match(
    invalidOp({
      f: 'txn',
      value: [
        ['w', 'x', 1],
        ['append', 'y', 2],
      ],
    }) ?? '',
    /mixes append and w/,
  );
});
