// Collections: a grow-only set (add, read of the whole set) and a FIFO queue (enqueue, dequeue).
import type { Operation, Value } from '../history.ts';
import { canonicalKey, describeValue } from './model.ts';
import type { Model } from './model.ts';
import { plural, valueList } from '../explanationText.ts';

/** An element as settling compares it: numbers as they are (most sets hold integers), others canonical. */
function memberKey(v: Value): string | number {
  return typeof v === 'number' ? v : canonicalKey(v);
}

/** The first index whose member is not below `k`. */
function lowerBound(members: readonly string[], k: string): number {
  let lo = 0;
  let hi = members.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (members[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A read's members, tagged and sorted, computed once per read: the search steps the same read many times.
 * Keyed by the read's output array, which belongs to one op (so to one key's tag).
 */
const sortedReads = new WeakMap<readonly Value[], readonly string[]>();
function sortedRead(t: string, output: readonly Value[]): readonly string[] {
  let seen = sortedReads.get(output);
  if (seen === undefined) {
    seen = output.map((v) => t + canonicalKey(v)).sort();
    sortedReads.set(output, seen);
  }
  return seen;
}

/** The set's members as sorted canonical keys, so two reads of one set compare equal whatever their order. */
type SetState = readonly string[];

/**
 * Knossos' set: `add v`; `read` returns every member (any order, no duplicates); a nil read is unknown.
 * Ops with a key act on that key's own set (the set workload spreads its ops over keys). Partitioned (the
 * default) each key is checked apart; unpartitioned, one state holds every key's members tagged with their
 * key (and keys commute), so both read a key's set alone. Before keys were told apart, a correct multi-key
 * history failed at its first read (issue 14).
 */
export function setModel(options: { partitioned?: boolean } = {}): Model<SetState> {
  const keyed = options.partitioned ?? true;
  // Members are `${key}\u0001${canonical value}`: sorted, one key's members are contiguous.
  const tag = (op: { key?: string }): string => `${op.key ?? ''}\u0001`;
  return {
    name: 'set',
    ...(keyed ? { partition: (op: Operation) => op.key ?? '' } : { commutationClass: (op: Operation) => op.key ?? '' }),
    init: () => [],
    step(members, op) {
      const t = tag(op);
      if (op.f === 'add') {
        const k = t + canonicalKey(op.input);
        // Sorted: a binary search and one copy, where a sort per add made long histories crawl (issue 14).
        const at = lowerBound(members, k);
        if (members[at] === k) return [members];
        const next = members.slice();
        next.splice(at, 0, k);
        return [next];
      }
      if (op.f === 'read') {
        if (op.status !== 'ok' || op.output === null) return [members];
        if (!Array.isArray(op.output)) return [];
        const seen = sortedRead(t, op.output);
        // One key's members are contiguous: when the first and last are this key's, all are (no copy).
        const all = members.length === 0 || (members[0]!.startsWith(t) && members.at(-1)!.startsWith(t));
        const mine = all ? members : members.filter((m) => m.startsWith(t));
        if (seen.length !== mine.length) return [];
        for (let i = 0; i < seen.length; i++) if (seen[i] !== mine[i]) return [];
        return [members];
      }
      return [];
    },
    key: (members) => members.join('\u0000'),
    readOnly: (op) => op.f === 'read',
    // Settling indeterminate adds (linearizable/indeterminate.ts). An ok read that returned no array is
    // illegal in every state (step above), so it observes nothing.
    members: {
      access(op) {
        const set = op.key ?? '';
        if (op.f === 'add') return { set, kind: 'add', element: memberKey(op.input) };
        if (op.f !== 'read') return { set, kind: 'other' };
        if (op.status !== 'ok' || !Array.isArray(op.output)) return { set, kind: 'read', elements: [] };
        // Numbers are their own keys: a big read is not copied.
        const output = op.output;
        const elements = output.every((v) => typeof v === 'number') ? output : output.map(memberKey);
        return { set, kind: 'read', elements };
      },
    },
    // A big set is summarised (ranges of integers, or the first few members), never printed whole.
    describeState: (members) => {
      const shown = members.map((m) => m.slice(m.indexOf('\u0001') + 1));
      const all = shown.every((m) => /^-?\d+$/.test(m)) ? shown.map(Number) : shown;
      return `{${valueList(all)}}${shown.length > 8 ? ` (${plural(shown.length, 'member')})` : ''}`;
    },
  };
}

/** A FIFO queue: `enqueue v`; `dequeue` returns the head, or nil when the queue is empty. */
export function queueModel(): Model<readonly Value[]> {
  return {
    name: 'queue',
    init: () => [],
    step(items, op) {
      if (op.f === 'enqueue') return [[...items, op.input]];
      if (op.f === 'dequeue') {
        if (items.length === 0) return op.status !== 'ok' || op.output === null ? [items] : [];
        if (op.status !== 'ok') return [items.slice(1)];
        return canonicalKey(op.output) === canonicalKey(items[0] ?? null) ? [items.slice(1)] : [];
      }
      return [];
    },
    key: (items) => canonicalKey([...items]),
    describeState: (items) => `[${items.map(describeValue).join(', ')}]`,
  };
}
