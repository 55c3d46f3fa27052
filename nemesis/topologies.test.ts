import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { explicitGrudge, isHealed, visibleFrom, type Grudge } from './grudge.ts';
import {
  bridge,
  grudgeFor,
  isolateNode,
  isolatePrimaries,
  majority,
  partitionHalves,
  partitionMajoritiesRing,
  partitionMinorityThird,
  partitionRandomHalves,
  topologyNames,
  topologyProblems,
} from './topologies.ts';

const nodeList = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const clusters = (min: number, max = 11) => fc.integer({ min, max }).map(nodeList);
const seeds = fc.integer();

/** Every node is a key, nobody drops itself, every name is a cluster node. */
function assertWellFormed(nodes: readonly string[], grudge: Grudge): void {
  assert.deepEqual(Object.keys(grudge).sort(), [...nodes].sort());
  for (const [node, drops] of Object.entries(grudge)) {
    assert.ok(!drops.includes(node), `${node} drops itself`);
    for (const d of drops) assert.ok(nodes.includes(d), `${node} drops unknown ${d}`);
  }
}

/** Symmetric: a drops b exactly when b drops a. */
function assertSymmetric(grudge: Grudge): void {
  for (const [a, drops] of Object.entries(grudge)) {
    for (const b of drops) assert.ok((grudge[b] ?? []).includes(a), `${a} drops ${b} but not the reverse`);
  }
}

/** A complete grudge: "sees" is an equivalence relation whose classes are the components. */
function components(nodes: readonly string[], grudge: Grudge): string[][] {
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const node of nodes) {
    if (seen.has(node)) continue;
    const c = visibleFrom(grudge, nodes, node);
    for (const m of c) {
      assert.deepEqual(visibleFrom(grudge, nodes, m), c, `${node} and ${m} see different sets`);
      seen.add(m);
    }
    out.push(c);
  }
  return out;
}

describe('partition topologies (fast-check, default seed printed on failure)', () => {
  test('isolateNode: the node drops everyone, everyone else drops only it', () => {
    fc.assert(
      fc.property(
        clusters(2).chain((nodes) => fc.tuple(fc.constant(nodes), fc.constantFrom(...nodes))),
        ([nodes, x]) => {
          const g = isolateNode(nodes, x);
          assertWellFormed(nodes, g);
          assertSymmetric(g);
          assert.deepEqual(
            g[x],
            nodes.filter((n) => n !== x),
          );
          for (const n of nodes) if (n !== x) assert.deepEqual(g[n], [x]);
        },
      ),
    );
  });

  test('halves and random halves: two complete components, sizes differ by at most one, smaller first', () => {
    fc.assert(
      fc.property(clusters(2), seeds, (nodes, seed) => {
        for (const g of [partitionHalves(nodes), partitionRandomHalves(nodes, xoroshiro128plus(seed))]) {
          assertWellFormed(nodes, g);
          assertSymmetric(g);
          const cs = components(nodes, g);
          assert.equal(cs.length, 2);
          const sizes = cs.map((c) => c.length).sort((a, b) => a - b);
          assert.equal(sizes[0]! + sizes[1]!, nodes.length);
          assert.ok(sizes[1]! - sizes[0]! <= 1);
        }
        assert.deepEqual(partitionHalves(nodes)[nodes[0]!]!.length, Math.ceil(nodes.length / 2));
      }),
    );
  });

  test('majorities ring: every node sees a majority, no two nodes see the same majority', () => {
    fc.assert(
      fc.property(clusters(3, 15), fc.option(seeds, { nil: undefined }), (nodes, seed) => {
        const g = partitionMajoritiesRing(nodes, seed === undefined ? undefined : xoroshiro128plus(seed));
        assertWellFormed(nodes, g);
        const views = nodes.map((n) => visibleFrom(g, nodes, n));
        for (const v of views) assert.ok(v.length >= majority(nodes.length), `sees ${v.length} of ${nodes.length}`);
        assert.equal(new Set(views.map((v) => v.join(','))).size, nodes.length, 'two nodes share a view');
        assert.ok(!isHealed(g));
        if (nodes.length >= 4) assertSymmetric(g);
      }),
    );
  });

  test('majorities ring refuses clusters too small to have one', () => {
    assert.throws(() => partitionMajoritiesRing(nodeList(2)), /at least 3 nodes/);
  });

  test('bridge: the bridge node sees and is seen by all, the other two groups cannot see each other', () => {
    fc.assert(
      fc.property(clusters(3), fc.option(seeds, { nil: undefined }), (nodes, seed) => {
        const g = bridge(nodes, seed === undefined ? undefined : xoroshiro128plus(seed));
        assertWellFormed(nodes, g);
        assertSymmetric(g);
        const bridges = nodes.filter((n) => visibleFrom(g, nodes, n).length === nodes.length);
        assert.equal(bridges.length, 1);
        const others = nodes.filter((n) => n !== bridges[0]);
        const sides = new Set(others.map((n) => visibleFrom(g, nodes, n).join(',')));
        assert.equal(sides.size, 2);
        for (const n of others) assert.ok(g[n]!.length >= 1, `${n} drops nobody`);
      }),
    );
  });

  test('minority third: a non-empty group smaller than a third splits from the rest', () => {
    fc.assert(
      fc.property(clusters(4, 20), seeds, (nodes, seed) => {
        const g = partitionMinorityThird(nodes, xoroshiro128plus(seed));
        assertWellFormed(nodes, g);
        assertSymmetric(g);
        const cs = components(nodes, g);
        assert.equal(cs.length, 2);
        const small = Math.min(...cs.map((c) => c.length));
        assert.ok(small >= 1 && small < nodes.length / 3, `minority of ${small} in ${nodes.length}`);
      }),
    );
  });

  test('primary: the named primary is alone; everyone else together', () => {
    const nodes = nodeList(5);
    const g = isolatePrimaries(nodes, ['n3']);
    assert.deepEqual(g.n3, ['n1', 'n2', 'n4', 'n5']);
    assert.deepEqual(g.n1, ['n3']);
    assert.throws(() => isolatePrimaries(nodes, []), /named none/);
    assert.throws(() => grudgeFor('primary', nodes, { rng: xoroshiro128plus(1) }), /named none/);
    assert.deepEqual(grudgeFor('primary', nodes, { rng: xoroshiro128plus(1), primary: 'n2' }).n2, [
      'n1',
      'n3',
      'n4',
      'n5',
    ]);
  });

  test('explicit one-way grudge blocks one direction only, and is normalised', () => {
    const nodes = nodeList(3);
    const g = explicitGrudge(nodes, { n1: ['n2', 'n2'] });
    assert.deepEqual(g, { n1: ['n2'], n2: [], n3: [] });
    assert.ok(visibleFrom(g, nodes, 'n2').includes('n1'));
    assert.ok(!visibleFrom(g, nodes, 'n1').includes('n2'));
    assert.throws(() => explicitGrudge(nodes, { n9: ['n1'] }), /not in the cluster/);
    assert.throws(() => explicitGrudge(nodes, { n1: ['n1'] }), /itself/);
  });

  test('the same seed gives the same grudge for every named topology', () => {
    fc.assert(
      fc.property(clusters(4), seeds, fc.constantFrom(...topologyNames), (nodes, seed, name) => {
        const ctx = () => ({ rng: xoroshiro128plus(seed), primary: nodes[1]! });
        assert.deepEqual(grudgeFor(name, nodes, ctx()), grudgeFor(name, nodes, ctx()));
      }),
    );
  });

  test('topologyProblems explains what a cluster is too small for', () => {
    assert.deepEqual(topologyProblems('majorities-ring', nodeList(5)), []);
    assert.match(topologyProblems('minority-third', nodeList(3))[0] ?? '', /at least 4 nodes; the cluster has 3/);
    assert.match(topologyProblems({ grudge: { n7: [] } }, nodeList(3))[0] ?? '', /n7/);
  });
});
