// The pure parts of quorum-kv: tag order, replica store, and waiting for a quorum of answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Tag, Versioned } from './versionedStore.ts';
import { compareTags, gatherQuorum, newest, storeIfNewer, writerIds } from './versionedStore.ts';

const tag = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.constantFrom('n1', 'n2', 'n3')) as fc.Arbitrary<Tag>;

test('a replica ends with the highest tag whatever order the stores arrive in', () => {
  fc.assert(
    fc.property(fc.array(tag, { minLength: 1 }), (tags) => {
      const store: Record<string, Versioned> = {};
      for (const t of tags) storeIfNewer(store, 'k', { value: `${t[0]}${t[1]}`, tag: t });
      const best = [...tags].sort(compareTags).at(-1)!;
      assert.deepEqual(store['k']?.tag, best);
      assert.deepEqual(newest(tags.map((t) => ({ value: `${t[0]}${t[1]}`, tag: t }))), store['k']);
    }),
  );
  assert.equal(newest([null, null]), null);
});

test('gatherQuorum resolves with the first k answers, or null once k can no longer be reached', async () => {
  const never = new Promise<number | undefined>(() => undefined);
  assert.deepEqual(await gatherQuorum([Promise.resolve(1), never, Promise.resolve(3)], 2), [1, 3]);
  assert.equal(await gatherQuorum([Promise.resolve(undefined), never, Promise.reject(new Error('x'))], 2), null);
  assert.deepEqual(await gatherQuorum([Promise.resolve(null)], 1), [null]);
});

test('two writes through one coordinator never share a tag, even at the same version', () => {
  const next = writerIds('n1', 'b00t');
  const a: Tag = [7, next()];
  const b: Tag = [7, next()];
  assert.notEqual(compareTags(a, b), 0);
  const again = writerIds('n1', 'other-boot');
  assert.notEqual(compareTags(a, [7, again()]), 0, 'a restarted node does not reuse an id');
  // Replicas that saw the two writes in different orders converge on one value.
  const r1: Record<string, Versioned> = {};
  const r2: Record<string, Versioned> = {};
  storeIfNewer(r1, 'k', { value: 'a', tag: a });
  storeIfNewer(r1, 'k', { value: 'b', tag: b });
  storeIfNewer(r2, 'k', { value: 'b', tag: b });
  storeIfNewer(r2, 'k', { value: 'a', tag: a });
  assert.equal(r1['k']?.value, r2['k']?.value);
});
