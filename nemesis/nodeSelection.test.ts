import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { nodeSelectorNames, nodeSelectorProblems, selectNodes } from './nodeSelection.ts';

const nodeList = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);

test('node selectors pick the right number of distinct cluster nodes, deterministically per seed', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 12 }),
      fc.integer(),
      fc.constantFrom(...nodeSelectorNames),
      (n, seed, sel) => {
        const nodes = nodeList(n);
        if (nodeSelectorProblems(sel, nodes).length > 0) {
          assert.throws(() => selectNodes(sel, nodes, { rng: xoroshiro128plus(seed) }));
          return;
        }
        const ctx = () => ({ rng: xoroshiro128plus(seed), primary: 'n1' });
        const got = selectNodes(sel, nodes, ctx());
        assert.deepEqual(got, selectNodes(sel, nodes, ctx()));
        assert.equal(new Set(got).size, got.length);
        assert.ok(got.length >= 1 && got.every((g) => nodes.includes(g)));
        const half = n / 2;
        if (sel === 'minority') assert.ok(got.length < half);
        if (sel === 'majority') assert.ok(got.length > half);
        if (sel === 'all') assert.equal(got.length, n);
        if (sel === 'one' || sel === 'primary') assert.equal(got.length, 1);
        if (sel === 'minority-third') assert.ok(got.length < n / 3);
      },
    ),
  );
});

test('explicit lists and the primary', () => {
  const nodes = nodeList(3);
  const rng = xoroshiro128plus(1);
  assert.deepEqual(selectNodes(['n3', 'n1'], nodes, { rng }), ['n1', 'n3']);
  assert.throws(() => selectNodes(['n9'], nodes, { rng }), /n9/);
  assert.throws(() => selectNodes('primary', nodes, { rng }), /named none/);
  assert.match(nodeSelectorProblems('minority', ['n1'])[0] ?? '', /selects no node/);
});
