// Property tests of the graph core the isolation checker stands on: adjacency sorts the edge list by source
// without losing, adding or reordering a node's edges; Tarjan's components equal mutual reachability (brute
// force); realtime edges reach exactly the pairs "completed before invoked"; committed txns in invoke order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Operation } from '../history.ts';
import { EdgeList, PROCESS, REALTIME, RW, WR, WW, adjacency, stronglyConnected } from './dependencyGraph.ts';
import { addRealtimeEdges, committedByInvoke } from './inference.ts';
import type { Txn } from './transactions.ts';

const kinds = [WW, WR, RW, PROCESS, REALTIME];
const graphArb = fc.integer({ min: 1, max: 9 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    edges: fc.array(
      fc.record({
        from: fc.nat(n - 1),
        to: fc.nat(n - 1),
        kind: fc.constantFrom(...kinds),
        key: fc.integer({ min: -1, max: 3 }),
      }),
      { maxLength: 30 },
    ),
  }),
);

function edgeList(edges: readonly { from: number; to: number; kind: number; key: number }[]): EdgeList {
  const list = new EdgeList(4);
  for (const e of edges) list.add(e.from, e.to, e.kind, e.key);
  return list;
}

const rows = (l: EdgeList) =>
  Array.from({ length: l.size }, (_, i) => `${l.from[i]} ${l.to[i]} ${l.kind[i]} ${l.key[i]}`);

test('adjacency sorts edges by source, keeping every edge and each source edges in their order', () => {
  fc.assert(
    fc.property(graphArb, ({ n, edges }) => {
      const list = edgeList(edges);
      const before = rows(list);
      const g = adjacency(n, list);
      const after = rows(list);
      assert.equal(g.start[n], list.size);
      for (let v = 0; v < n; v++) {
        for (let i = g.start[v]!; i < g.start[v + 1]!; i++) assert.equal(list.from[i], v);
        // A stable sort: node v's edges in the order they were added.
        assert.deepEqual(
          after.slice(g.start[v], g.start[v + 1]),
          before.filter((r) => r.startsWith(`${v} `)),
        );
      }
    }),
  );
});

/** Components (more than one node) of the subgraph of `nodes` by mutual reachability, brute force. */
function bruteComponents(n: number, list: EdgeList, mask: number, nodes: readonly number[]): string[] {
  const inside = new Set(nodes);
  const reach = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => i === j));
  for (let i = 0; i < list.size; i++)
    if ((list.kind[i]! & mask) !== 0 && inside.has(list.from[i]!) && inside.has(list.to[i]!))
      reach[list.from[i]!]![list.to[i]!] = true;
  for (let k = 0; k < n; k++)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (reach[i]![k] && reach[k]![j]) reach[i]![j] = true;
  const out = new Set<string>();
  for (const v of nodes) {
    const c = nodes.filter((w) => reach[v]![w] && reach[w]![v]).sort((a, b) => a - b);
    if (c.length > 1) out.add(c.join(','));
  }
  return [...out].sort();
}

test('stronglyConnected finds the mutually reachable sets, over all nodes or a subset, by edge kind', () => {
  fc.assert(
    fc.property(
      graphArb,
      fc.constantFrom(WW | WR | RW, WW | WR | RW | PROCESS, WW | WR | RW | PROCESS | REALTIME, WW),
      fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
      ({ n, edges }, mask, pick) => {
        const list = edgeList(edges);
        const g = adjacency(n, list);
        const shown = (cs: Int32Array[]) => cs.map((c) => [...c].sort((a, b) => a - b).join(',')).sort();
        const all = Array.from({ length: n }, (_, i) => i);
        assert.deepEqual(shown(stronglyConnected(g, mask)), bruteComponents(n, list, mask, all));
        const subset = all.filter((v) => pick[v]);
        assert.deepEqual(
          shown(stronglyConnected(g, mask, Int32Array.from(subset))),
          bruteComponents(n, list, mask, subset),
        );
      },
    ),
  );
});

/** Txns from (status, invoke, complete) with distinct history indices: each op takes two, in a shuffled order. */
const txnsArb = fc
  .array(
    fc.record({ status: fc.constantFrom<Operation['status'][]>('ok', 'ok', 'info', 'fail'), process: fc.nat(2) }),
    {
      minLength: 1,
      maxLength: 8,
    },
  )
  .chain((specs) =>
    fc
      .shuffledSubarray(
        Array.from({ length: specs.length * 2 }, (_, i) => i),
        { minLength: specs.length * 2, maxLength: specs.length * 2 },
      )
      .map((indices) =>
        specs.map((s, i): Txn => {
          const [a, b] = [indices[2 * i]!, indices[2 * i + 1]!].sort((x, y) => x - y);
          const status = s.status;
          const op: Operation = {
            id: i,
            process: s.process,
            f: 'txn',
            input: [],
            output: [],
            status,
            call: a!,
            ret: status === 'info' ? Infinity : b!,
            invokeIndex: a!,
            completeIndex: status === 'info' ? null : b!,
          };
          return { index: i, op, status, process: s.process, micro: [] };
        }),
      ),
  );

test('realtime edges reach exactly the pairs where an ok txn completed before a committed one was invoked, with no edge implied by two others', () => {
  fc.assert(
    fc.property(txnsArb, (txns) => {
      const n = txns.length;
      const list = new EdgeList(4);
      addRealtimeEdges(txns, list);
      const reach = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
      for (let i = 0; i < list.size; i++) reach[list.from[i]!]![list.to[i]!] = true;
      // A transitive reduction: no edge a → b where a → c → b (c reached by an edge, reaching b by one).
      for (let i = 0; i < list.size; i++)
        for (let c = 0; c < n; c++)
          assert.ok(
            !(reach[list.from[i]!]![c] && reach[c]![list.to[i]!]),
            `edge T${list.from[i]} → T${list.to[i]} is implied through T${c}`,
          );
      for (let k = 0; k < n; k++)
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (reach[i]![k] && reach[k]![j]) reach[i]![j] = true;
      for (const a of txns)
        for (const b of txns) {
          const before = a.status === 'ok' && b.status !== 'fail' && a.op.completeIndex! < b.op.invokeIndex && a !== b;
          assert.equal(reach[a.index]![b.index], before, `T${a.index} → T${b.index}`);
        }
    }),
  );
});

test('committedByInvoke lists the committed txns by invoke index, as a sort does', () => {
  fc.assert(
    fc.property(txnsArb, (txns) => {
      const expected = txns.filter((t) => t.status !== 'fail').sort((a, b) => a.op.invokeIndex - b.op.invokeIndex);
      assert.deepEqual(
        committedByInvoke(txns).map((t) => t.index),
        expected.map((t) => t.index),
      );
    }),
  );
  // Repeated invoke indices (a malformed history) fall back to the stable sort.
  const [t0, t1] = [0, 1].map((i): Txn => ({
    index: i,
    op: {
      id: i,
      process: i,
      f: 'txn',
      input: [],
      output: [],
      status: 'ok',
      call: 0,
      ret: 1,
      invokeIndex: 5,
      completeIndex: 6 + i,
    },
    status: 'ok',
    process: i,
    micro: [],
  }));
  assert.deepEqual(
    committedByInvoke([t0!, t1!]).map((t) => t.index),
    [0, 1],
  );
});
