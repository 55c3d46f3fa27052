// What each quorum-kv replica stores: per key, the value with the highest tag it has seen. A tag is
// [timestamp, writer]: a wall-clock time in last-writer-wins mode, a logical version in ABD mode. The writer's
// name breaks ties, so two writes never share a tag.
import type { Value } from '../../harness/plugin.ts';

export type Tag = [number, string];

export interface Versioned {
  value: Value;
  tag: Tag;
}

/** Negative when a < b. A missing tag (never written) is lower than every tag. */
export function compareTags(a: Tag | null, b: Tag | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (a[0] !== b[0]) return a[0] - b[0];
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** Stores `incoming` unless the replica already holds a higher or equal tag; returns whether it changed. */
export function storeIfNewer(store: Record<string, Versioned>, key: string, incoming: Versioned): boolean {
  const current = store[key];
  if (current !== undefined && compareTags(current.tag, incoming.tag) >= 0) return false;
  store[key] = { value: incoming.value, tag: [incoming.tag[0], incoming.tag[1]] };
  return true;
}

/** The reply with the highest tag among replicas' answers (null entries: the replica never saw the key). */
export function newest(replies: readonly (Versioned | null)[]): Versioned | null {
  let best: Versioned | null = null;
  for (const reply of replies) if (reply !== null && compareTags(reply.tag, best?.tag ?? null) > 0) best = reply;
  return best;
}

/** Waits for `needed` successes among `calls`; resolves with them, or with null once that has become impossible. */
export function gatherQuorum<T>(calls: readonly Promise<T | undefined>[], needed: number): Promise<T[] | null> {
  return new Promise((resolve) => {
    const successes: T[] = [];
    let failures = 0;
    if (needed <= 0) {
      resolve([]);
      return;
    }
    for (const call of calls) {
      void call.then(
        (result) => {
          if (result === undefined) failures++;
          else successes.push(result);
          if (successes.length === needed) resolve([...successes]);
          else if (calls.length - failures < needed) resolve(null);
        },
        () => {
          failures++;
          if (calls.length - failures < needed) resolve(null);
        },
      );
    }
  });
}

/**
 * Writer ids for tags: unique per write, not per node. Two concurrent writes through one coordinator read
 * the same highest version; with the node's name alone they got equal tags, replicas kept whichever
 * arrived first, and reads disagreed forever (found by the verdict matrix). `boot` keeps ids unique across
 * restarts of the same node.
 */
export function writerIds(node: string, boot: string): () => string {
  let seq = 0;
  return () => `${node}/${boot}/${++seq}`;
}
