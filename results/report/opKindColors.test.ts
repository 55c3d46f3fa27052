import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { opKindColor } from './opKindColors.ts';

test('an op kind has one colour whatever else the run did, and read and write differ', () => {
  assert.notEqual(opKindColor('read'), opKindColor('write'));
  assert.match(opKindColor('toString'), /^#[0-9a-f]{6}$/);
  fc.assert(
    fc.property(fc.string(), fc.array(fc.string()), (f, others) => {
      const before = opKindColor(f);
      for (const o of others) opKindColor(o);
      assert.equal(opKindColor(f), before);
      assert.match(before, /^#[0-9a-f]{6}$/);
    }),
  );
  // no other name takes read's or write's colour
  fc.assert(
    fc.property(
      fc.string().filter((f) => !['read', 'write'].includes(f)),
      (f) => {
        assert.ok(![opKindColor('read'), opKindColor('write')].includes(opKindColor(f)), f);
      },
    ),
  );
});
