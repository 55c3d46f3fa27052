// The transaction dependency graph (Adya's DSG as Elle infers it) in flat typed arrays, so a million
// transactions and their edges fit in a few hundred megabytes: edges are kind bits between txn indices.
export const WW = 1;
export const WR = 2;
export const RW = 4;
export const PROCESS = 8;
export const REALTIME = 16;
export const DATA = WW | WR | RW;

export const kindName: Record<number, string> = {
  [WW]: 'ww',
  [WR]: 'wr',
  [RW]: 'rw',
  [PROCESS]: 'process',
  [REALTIME]: 'realtime',
};

/** Edges as they are inferred: a growable list with the key each data edge is about. */
export class EdgeList {
  from: Int32Array;
  to: Int32Array;
  kind: Uint8Array;
  /** Index into `keys`, -1 for process and realtime edges. */
  key: Int32Array;
  size = 0;

  /** `capacity`: the expected edge count, so a big graph is allocated once instead of doubled and copied. */
  constructor(capacity = 1024) {
    const c = Math.max(16, capacity);
    this.from = new Int32Array(c);
    this.to = new Int32Array(c);
    this.kind = new Uint8Array(c);
    this.key = new Int32Array(c);
  }
  readonly keys: string[] = [];
  private readonly keyIds = new Map<string, number>();

  keyId(key: string): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.keys.push(key);
      this.keyIds.set(key, id);
    }
    return id;
  }

  add(a: number, b: number, kind: number, keyId = -1): void {
    if (a === b) return;
    if (this.size === this.from.length) {
      const grow = <T extends Int32Array | Uint8Array>(x: T, make: (n: number) => T): T => {
        const y = make(Math.ceil(x.length * 1.5));
        y.set(x);
        return y;
      };
      this.from = grow(this.from, (n) => new Int32Array(n));
      this.to = grow(this.to, (n) => new Int32Array(n));
      this.kind = grow(this.kind, (n) => new Uint8Array(n));
      this.key = grow(this.key, (n) => new Int32Array(n));
    }
    const i = this.size++;
    this.from[i] = a;
    this.to[i] = b;
    this.kind[i] = kind;
    this.key[i] = keyId;
  }
}

/** Compressed adjacency: node v's out-edges are edge ids order[start[v] .. start[v+1]). */
export interface Adjacency {
  n: number;
  start: Int32Array;
  /** Edge ids into the EdgeList, grouped by source. */
  order: Int32Array;
  edges: EdgeList;
}

export function adjacency(n: number, edges: EdgeList): Adjacency {
  const start = new Int32Array(n + 1);
  for (let i = 0; i < edges.size; i++) start[edges.from[i]! + 1]!++;
  for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
  const fill = start.slice(0, n);
  const order = new Int32Array(edges.size);
  for (let i = 0; i < edges.size; i++) order[fill[edges.from[i]!]!++] = i;
  return { n, start, order, edges };
}

/**
 * Strongly connected components of the subgraph of `nodes` (all nodes when null) using only edges whose kind
 * is in `mask`: Tarjan's algorithm without recursion. Returns the components with more than one node.
 */
export function stronglyConnected(g: Adjacency, mask: number, nodes: Int32Array | null = null): Int32Array[] {
  const { start, order, edges } = g;
  // Inside a component, per-node state is indexed locally so many small searches stay cheap on a big graph.
  const size = nodes === null ? g.n : nodes.length;
  const localOf = nodes === null ? null : new Map<number, number>();
  if (localOf !== null) nodes!.forEach((v, i) => localOf.set(v, i));
  const at = (v: number): number => (localOf === null ? v : (localOf.get(v) ?? -1));
  const indexOf = new Int32Array(size).fill(-1);
  const low = new Int32Array(size);
  const onStack = new Uint8Array(size);
  const stack: number[] = [];
  const callNode: number[] = [];
  const callEdge: number[] = [];
  const out: Int32Array[] = [];
  let counter = 0;
  const roots = nodes ?? Int32Array.from({ length: g.n }, (_, i) => i);
  for (const root of roots) {
    const r = at(root);
    if (indexOf[r] !== -1) continue;
    indexOf[r] = low[r] = counter++;
    stack.push(root);
    onStack[r] = 1;
    callNode.push(root);
    callEdge.push(start[root]!);
    while (callNode.length > 0) {
      const depth = callNode.length - 1;
      const v = callNode[depth]!;
      const lv = at(v);
      const e = callEdge[depth]!;
      if (e < start[v + 1]!) {
        callEdge[depth] = e + 1;
        const id = order[e]!;
        if ((edges.kind[id]! & mask) === 0) continue;
        const w = edges.to[id]!;
        const lw = at(w);
        if (lw === -1) continue;
        if (indexOf[lw] === -1) {
          indexOf[lw] = low[lw] = counter++;
          stack.push(w);
          onStack[lw] = 1;
          callNode.push(w);
          callEdge.push(start[w]!);
        } else if (onStack[lw] === 1 && indexOf[lw]! < low[lv]!) low[lv] = indexOf[lw]!;
        continue;
      }
      callNode.pop();
      callEdge.pop();
      if (callNode.length > 0) {
        const lp = at(callNode[callNode.length - 1]!);
        if (low[lv]! < low[lp]!) low[lp] = low[lv]!;
      }
      if (low[lv] === indexOf[lv]) {
        const members: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[at(w)] = 0;
          members.push(w);
        } while (w !== v);
        if (members.length > 1) out.push(Int32Array.from(members));
      }
    }
  }
  return out;
}
