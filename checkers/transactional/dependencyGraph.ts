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

/**
 * Compressed adjacency: node v's out-edges are edge ids start[v] .. start[v+1]. `adjacency` sorts the EdgeList
 * by source in place (stably, so each node's edges keep their order): a scan of a node's edges then reads the
 * arrays in sequence, with no index array between (a million txns, 14M edges: half the Tarjan time was the
 * random reads through one).
 */
export interface Adjacency {
  n: number;
  start: Int32Array;
  /** The edges, sorted by source: ids into it taken before `adjacency` ran no longer hold. */
  edges: EdgeList;
}

export function adjacency(n: number, edges: EdgeList): Adjacency {
  const start = new Int32Array(n + 1);
  const size = edges.size;
  const { from } = edges;
  let sorted = true;
  for (let i = 0; i < size; i++) {
    start[from[i]! + 1]!++;
    if (i > 0 && from[i]! < from[i - 1]!) sorted = false;
  }
  for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
  if (!sorted) {
    const fill = start.slice(0, n);
    const to = new Int32Array(size);
    const kind = new Uint8Array(size);
    const key = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      const at = fill[from[i]!]!++;
      to[at] = edges.to[i]!;
      kind[at] = edges.kind[i]!;
      key[at] = edges.key[i]!;
    }
    const sortedFrom = new Int32Array(size);
    for (let v = 0; v < n; v++) sortedFrom.fill(v, start[v], start[v + 1]);
    edges.from = sortedFrom;
    edges.to = to;
    edges.kind = kind;
    edges.key = key;
  }
  return { n, start, edges };
}

/**
 * Strongly connected components of the subgraph of `nodes` (all nodes when null) using only edges whose kind
 * is in `mask`: Tarjan's algorithm without recursion. Returns the components with more than one node.
 */
export function stronglyConnected(g: Adjacency, mask: number, nodes: Int32Array | null = null): Int32Array[] {
  const { start } = g;
  const { kind, to } = g.edges;
  // Inside a component, per-node state is indexed locally so many small searches stay cheap on a big graph.
  const size = nodes === null ? g.n : nodes.length;
  const localOf = nodes === null ? null : new Map<number, number>();
  if (localOf !== null) nodes!.forEach((v, i) => localOf.set(v, i));
  const indexOf = new Int32Array(size).fill(-1);
  const low = new Int32Array(size);
  const onStack = new Uint8Array(size);
  // Each node enters the Tarjan stack and the call stack once at most: fixed-size typed stacks suffice.
  const stack = new Int32Array(size);
  let stackTop = 0;
  // The call stack holds local indices and global nodes side by side, and the next edge to scan.
  const callLocal = new Int32Array(size);
  const callNode = new Int32Array(size);
  const callEdge = new Int32Array(size);
  let depth: number;
  const out: Int32Array[] = [];
  let counter = 0;
  for (let r = 0; r < size; r++) {
    if (indexOf[r] !== -1) continue;
    const root = nodes === null ? r : nodes[r]!;
    indexOf[r] = low[r] = counter++;
    stack[stackTop++] = r;
    onStack[r] = 1;
    callLocal[0] = r;
    callNode[0] = root;
    callEdge[0] = start[root]!;
    depth = 1;
    while (depth > 0) {
      const lv = callLocal[depth - 1]!;
      const v = callNode[depth - 1]!;
      const e = callEdge[depth - 1]!;
      if (e < start[v + 1]!) {
        callEdge[depth - 1] = e + 1;
        if ((kind[e]! & mask) === 0) continue;
        const w = to[e]!;
        const lw = localOf === null ? w : (localOf.get(w) ?? -1);
        if (lw === -1) continue;
        if (indexOf[lw] === -1) {
          indexOf[lw] = low[lw] = counter++;
          stack[stackTop++] = lw;
          onStack[lw] = 1;
          callLocal[depth] = lw;
          callNode[depth] = w;
          callEdge[depth] = start[w]!;
          depth++;
        } else if (onStack[lw] === 1 && indexOf[lw]! < low[lv]!) low[lv] = indexOf[lw]!;
        continue;
      }
      depth--;
      if (depth > 0) {
        const lp = callLocal[depth - 1]!;
        if (low[lv]! < low[lp]!) low[lp] = low[lv]!;
      }
      if (low[lv] === indexOf[lv]) {
        let count = 0;
        let w: number;
        do {
          w = stack[--stackTop]!;
          onStack[w] = 0;
          count++;
        } while (w !== lv);
        if (count > 1) {
          // Members in the order Tarjan pops them, as global nodes.
          const members = new Int32Array(count);
          for (let i = 0; i < count; i++) {
            const l = stack[stackTop + count - 1 - i]!;
            members[i] = nodes === null ? l : nodes[l]!;
          }
          out.push(members);
        }
      }
    }
  }
  return out;
}
