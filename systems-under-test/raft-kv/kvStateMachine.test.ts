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
