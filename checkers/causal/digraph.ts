// A compact directed graph (CSR arrays) with a label per edge, for the acyclicity checks of the causal,
// session and sequential checkers. Iterative algorithms only: histories have 100,000s of ops.

export class EdgeList {
  from: number[] = [];
  to: number[] = [];
  label: number[] = [];
  add(from: number, to: number, label: number): void {
    this.from.push(from);
    this.to.push(to);
    this.label.push(label);
  }
}

export interface Digraph {
  n: number;
  /** Successors of u: target[start[u] .. start[u+1]), with edgeLabel at the same positions. */
  start: Int32Array;
  target: Int32Array;
  edgeLabel: Int32Array;
}

export function buildDigraph(n: number, edges: EdgeList): Digraph {
  const m = edges.from.length;
  const start = new Int32Array(n + 1);
  for (let i = 0; i < m; i++) start[edges.from[i]! + 1]!++;
  for (let u = 0; u < n; u++) start[u + 1]! += start[u]!;
  const fill = start.slice(0, n);
  const target = new Int32Array(m);
  const edgeLabel = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const at = fill[edges.from[i]!]!++;
    target[at] = edges.to[i]!;
    edgeLabel[at] = edges.label[i]!;
  }
  return { n, start, target, edgeLabel };
}

export interface TopologicalResult {
  /** Nodes in topological order; shorter than n when the graph has a cycle. */
  order: Int32Array;
  /** Nodes left over by Kahn's algorithm: each lies on or downstream of a cycle. */
  cyclic: boolean;
}

export function topologicalOrder(g: Digraph): TopologicalResult {
  const indegree = new Int32Array(g.n);
  for (let i = 0; i < g.target.length; i++) indegree[g.target[i]!]!++;
  const order = new Int32Array(g.n);
  let head = 0;
  let tail = 0;
  for (let u = 0; u < g.n; u++) if (indegree[u] === 0) order[tail++] = u;
  while (head < tail) {
    const u = order[head++]!;
    for (let e = g.start[u]!; e < g.start[u + 1]!; e++) {
      const v = g.target[e]!;
      if (--indegree[v]! === 0) order[tail++] = v;
    }
  }
  return { order: order.subarray(0, tail), cyclic: tail < g.n };
}

export interface CycleStep {
  node: number;
  /** Label of the edge from this node to the next one in the cycle (the last wraps to the first). */
  label: number;
}

/**
 * A shortest cycle through some node of a cyclic graph, or null when acyclic. Kahn's leftovers all have a
 * leftover predecessor, so walking predecessors must revisit a node; a BFS from it finds the shortest cycle.
 */
export function findCycle(g: Digraph): CycleStep[] | null {
  const { order, cyclic } = topologicalOrder(g);
  if (!cyclic) return null;
  const done = new Uint8Array(g.n);
  for (const u of order) done[u] = 1;
  const predecessor = new Int32Array(g.n).fill(-1);
  for (let u = 0; u < g.n; u++) {
    if (done[u]) continue;
    for (let e = g.start[u]!; e < g.start[u + 1]!; e++) {
      const v = g.target[e]!;
      if (!done[v]) predecessor[v] = u;
    }
  }
  let u = 0;
  while (done[u]) u++;
  const seen = new Uint8Array(g.n);
  while (!seen[u]) {
    seen[u] = 1;
    u = predecessor[u]!;
  }
  return shortestCycleThrough(g, u, done);
}

/** BFS from `start` back to itself, avoiding nodes marked in `excluded`. */
export function shortestCycleThrough(g: Digraph, start: number, excluded?: Uint8Array): CycleStep[] | null {
  const parentEdge = new Int32Array(g.n).fill(-1);
  const parentNode = new Int32Array(g.n).fill(-1);
  const visited = new Uint8Array(g.n);
  const queue = new Int32Array(g.n);
  let head = 0;
  let tail = 0;
  queue[tail++] = start;
  visited[start] = 1;
  while (head < tail) {
    const u = queue[head++]!;
    for (let e = g.start[u]!; e < g.start[u + 1]!; e++) {
      const v = g.target[e]!;
      if (excluded?.[v]) continue;
      if (v === start) {
        const steps: CycleStep[] = [{ node: u, label: g.edgeLabel[e]! }];
        let w = u;
        while (w !== start) {
          steps.push({ node: parentNode[w]!, label: g.edgeLabel[parentEdge[w]!]! });
          w = parentNode[w]!;
        }
        return steps.reverse();
      }
      if (visited[v]) continue;
      visited[v] = 1;
      parentNode[v] = u;
      parentEdge[v] = e;
      queue[tail++] = v;
    }
  }
  return null;
}

/** Strongly connected components (iterative Tarjan); returns the component id of each node. */
export function stronglyConnectedComponents(g: Digraph): Int32Array {
  const index = new Int32Array(g.n).fill(-1);
  const low = new Int32Array(g.n);
  const component = new Int32Array(g.n).fill(-1);
  const onStack = new Uint8Array(g.n);
  const stack: number[] = [];
  const callNode: number[] = [];
  const callEdge: number[] = [];
  let counter = 0;
  let components = 0;
  for (let root = 0; root < g.n; root++) {
    if (index[root] !== -1) continue;
    callNode.push(root);
    callEdge.push(g.start[root]!);
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (callNode.length > 0) {
      const u = callNode[callNode.length - 1]!;
      const e = callEdge[callEdge.length - 1]!;
      if (e < g.start[u + 1]!) {
        callEdge[callEdge.length - 1] = e + 1;
        const v = g.target[e]!;
        if (index[v] === -1) {
          index[v] = low[v] = counter++;
          stack.push(v);
          onStack[v] = 1;
          callNode.push(v);
          callEdge.push(g.start[v]!);
        } else if (onStack[v]) {
          low[u] = Math.min(low[u]!, index[v]!);
        }
        continue;
      }
      callNode.pop();
      callEdge.pop();
      const parent = callNode[callNode.length - 1];
      if (parent !== undefined) low[parent] = Math.min(low[parent]!, low[u]!);
      if (low[u] === index[u]) {
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component[w] = components;
        } while (w !== u);
        components++;
      }
    }
  }
  return component;
}

/** A shortest path from `from` to some node accepted by `isTarget` (other than `from`), within `allowed`. */
export function shortestPath(
  g: Digraph,
  from: number,
  isTarget: (node: number) => boolean,
  allowed: (node: number) => boolean,
): CycleStep[] | null {
  const parentEdge = new Map<number, number>();
  const parentNode = new Map<number, number>();
  const queue = [from];
  const visited = new Set<number>([from]);
  for (let head = 0; head < queue.length; head++) {
    const u = queue[head]!;
    for (let e = g.start[u]!; e < g.start[u + 1]!; e++) {
      const v = g.target[e]!;
      if (visited.has(v) || !allowed(v)) continue;
      visited.add(v);
      parentNode.set(v, u);
      parentEdge.set(v, e);
      if (isTarget(v)) {
        // Steps from `from` up to (not including) v; v itself closes the path.
        const steps: CycleStep[] = [];
        let w = v;
        while (w !== from) {
          const p = parentNode.get(w)!;
          steps.push({ node: p, label: g.edgeLabel[parentEdge.get(w)!]! });
          w = p;
        }
        return steps.reverse().concat([{ node: v, label: -1 }]);
      }
      queue.push(v);
    }
  }
  return null;
}
