// One causal-kv replica's state, without I/O: vector clocks, the textbook causal delivery condition, and
// last-writer-wins by (Lamport time, origin) for concurrent writes to a key. Lamport time grows along every
// causal chain, so that order is one total order extending causality, which all replicas agree on (CCv).
import type { Value } from '../../harness/plugin.ts';

/** Per origin node, how many of its writes are included. */
export type VectorClock = Record<string, number>;

export interface Update {
  origin: string;
  /** The origin's own write counter: this is its seq-th write. */
  seq: number;
  /** The origin's vector clock right after this write: what it causally depends on, plus itself. */
  deps: VectorClock;
  lamport: number;
  key: string;
  value: Value;
}

interface Stored {
  value: Value;
  lamport: number;
  origin: string;
}

/** True when every causal predecessor of `update` is in `clock` and it is the next write from its origin. */
export function isDeliverable(clock: VectorClock, update: Update): boolean {
  if (update.seq !== (clock[update.origin] ?? 0) + 1) return false;
  for (const [node, count] of Object.entries(update.deps)) {
    if (node !== update.origin && count > (clock[node] ?? 0)) return false;
  }
  return true;
}

export class CausalReplica {
  readonly name: string;
  readonly clock: VectorClock = {};
  /** Every update applied here, in the order applied (a causal order): what anti-entropy forwards. */
  readonly applied: Update[] = [];
  private readonly data = new Map<string, Stored>();
  private pending: Update[] = [];
  private lamport = 0;

  constructor(name: string) {
    this.name = name;
  }

  read(key: string): Value {
    return this.data.get(key)?.value ?? null;
  }

  /** A client's write at this replica: applied at once. Returns the update to persist and broadcast. */
  write(key: string, value: Value): Update {
    const seq = (this.clock[this.name] ?? 0) + 1;
    const update: Update = {
      origin: this.name,
      seq,
      deps: { ...this.clock, [this.name]: seq },
      lamport: this.lamport + 1,
      key,
      value,
    };
    this.apply(update);
    return update;
  }

  /**
   * Takes updates from another replica: duplicates are ignored, the rest wait until deliverable. Returns the
   * updates applied now, in the order applied.
   */
  receive(updates: readonly Update[]): Update[] {
    for (const update of updates) {
      if (update.seq > (this.clock[update.origin] ?? 0)) this.pending.push(update);
    }
    const delivered: Update[] = [];
    let progress = true;
    while (progress) {
      progress = false;
      const waiting: Update[] = [];
      for (const update of this.pending) {
        if (update.seq <= (this.clock[update.origin] ?? 0)) continue;
        if (isDeliverable(this.clock, update)) {
          this.apply(update);
          delivered.push(update);
          progress = true;
        } else {
          waiting.push(update);
        }
      }
      this.pending = waiting;
    }
    return delivered;
  }

  /** How many received updates are buffered, waiting for a causal predecessor. */
  get buffered(): number {
    return this.pending.length;
  }

  /** Updates a replica whose clock is `peer` lacks, in applied order, at most `limit`. */
  missingFrom(peer: VectorClock, limit: number): Update[] {
    const out: Update[] = [];
    for (const update of this.applied) {
      if (update.seq > (peer[update.origin] ?? 0)) out.push(update);
      if (out.length >= limit) break;
    }
    return out;
  }

  private apply(update: Update): void {
    this.clock[update.origin] = update.seq;
    this.lamport = Math.max(this.lamport, update.lamport);
    this.applied.push(update);
    const current = this.data.get(update.key);
    if (
      current === undefined ||
      update.lamport > current.lamport ||
      (update.lamport === current.lamport && update.origin > current.origin)
    ) {
      this.data.set(update.key, { value: update.value, lamport: update.lamport, origin: update.origin });
    }
  }
}
