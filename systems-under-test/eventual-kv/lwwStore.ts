// What each eventual-kv replica holds: per key, the value with the latest wall-clock stamp it has seen, the
// writing node's name breaking ties. Merging two stores this way is commutative, associative and idempotent,
// so replicas that keep gossiping converge, whatever order the gossip arrives in.
import type { Value } from '../../harness/plugin.ts';

export interface Stamped {
  value: Value;
  /** Date.now() at the writing node: skewable, and ordered only by that. */
  time: number;
  origin: string;
}

export type LwwStore = Record<string, Stamped>;

export function isNewer(a: Stamped, b: Stamped | undefined): boolean {
  return b === undefined || a.time > b.time || (a.time === b.time && a.origin > b.origin);
}

/** Merges `incoming` into `store`; returns how many keys changed. */
export function mergeInto(store: LwwStore, incoming: LwwStore): number {
  let changed = 0;
  for (const [key, entry] of Object.entries(incoming)) {
    if (isNewer(entry, store[key])) {
      store[key] = { value: entry.value, time: entry.time, origin: entry.origin };
      changed++;
    }
  }
  return changed;
}
