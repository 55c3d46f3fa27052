// Collections: a grow-only set (add, read of the whole set) and a FIFO queue (enqueue, dequeue).
import type { Value } from '../history.ts';
import { canonicalKey, describeValue } from './model.ts';
import type { Model } from './model.ts';

/** The set's members as sorted canonical keys, so two reads of one set compare equal whatever their order. */
type SetState = readonly string[];

/** Knossos' set: `add v`; `read` returns every member (any order, no duplicates); a nil read is unknown. */
export function setModel(): Model<SetState> {
  return {
    name: 'set',
    init: () => [],
    step(members, op) {
      if (op.f === 'add') {
        const k = canonicalKey(op.input);
        if (members.includes(k)) return [members];
        return [[...members, k].sort()];
      }
      if (op.f === 'read') {
        if (op.status !== 'ok' || op.output === null) return [members];
        if (!Array.isArray(op.output)) return [];
        const seen = op.output.map(canonicalKey).sort();
        return seen.length === members.length && seen.every((k, i) => k === members[i]) ? [members] : [];
      }
      return [];
    },
    key: (members) => members.join('\u0000'),
    readOnly: (op) => op.f === 'read',
    describeState: (members) => `{${members.join(', ')}}`,
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
