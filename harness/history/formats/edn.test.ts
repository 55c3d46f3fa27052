import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EdnSyntaxError, parseEdn } from './edn.ts';

test('reads the EDN shapes Jepsen histories use', () => {
  const forms = parseEdn(
    `; a comment
     [{:process 0, :type :invoke, :f :cas, :value [1 2]}
      {:process :nemesis :value #{"a" "b"} :f :start, :time 12N :x 1.5 :s "q\\"uote" :l (1 2) #_ :gone :t #object[foo 1]}]`,
  );
  assert.deepEqual(forms, [
    [
      { process: 0, type: 'invoke', f: 'cas', value: [1, 2] },
      { process: 'nemesis', value: ['a', 'b'], f: 'start', time: 12, x: 1.5, s: 'q"uote', l: [1, 2], t: ['foo', 1] },
    ],
  ]);
});

test('round-trips JSON-like values written as EDN', () => {
  const toEdn = (v: unknown): string =>
    v === null
      ? 'nil'
      : Array.isArray(v)
        ? `[${v.map(toEdn).join(' ')}]`
        : typeof v === 'object'
          ? `{${Object.entries(v)
              .map(([k, x]) => `:${k} ${toEdn(x)}`)
              .join(', ')}}`
          : JSON.stringify(v);
  const key = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/);
  const value = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.string(),
      fc.array(tie('v')),
      fc.dictionary(key, tie('v'), { noNullPrototype: true }),
    ),
  })).v;
  fc.assert(
    fc.property(value, (v) => {
      assert.deepEqual(parseEdn(toEdn(v)), [v]);
    }),
  );
});

test('syntax errors name the line and column', () => {
  assert.throws(
    () => parseEdn('[1 2\n {:a 1 :b}]', 'h.edn'),
    (e: unknown) =>
      e instanceof EdnSyntaxError && e.line === 2 && /h\.edn:2:2: a map needs an even number/.test(e.message),
  );
  assert.throws(() => parseEdn('[1 2', 'h.edn'), /missing '\]'/);
});
