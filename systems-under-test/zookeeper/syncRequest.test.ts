import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { syncRequestBytes } from './syncRequest.ts';

test('a sync request on the wire: length, xid, opcode 9, then the path as a length-prefixed string', () => {
  assert.deepEqual(
    [...syncRequestBytes(7, '/faultline-k')],
    [...[0, 0, 0, 24], ...[0, 0, 0, 7], ...[0, 0, 0, 9], ...[0, 0, 0, 12], ...Buffer.from('/faultline-k')],
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      (xid, key) => {
        const path = `/faultline-${key}`;
        const bytes = syncRequestBytes(xid, path);
        assert.equal(bytes.readInt32BE(0), bytes.length - 4);
        assert.equal(bytes.readInt32BE(4), xid);
        assert.equal(bytes.readInt32BE(8), 9);
        const pathLength = bytes.readInt32BE(12);
        assert.equal(bytes.subarray(16, 16 + pathLength).toString('utf8'), path);
        assert.equal(16 + pathLength, bytes.length);
      },
    ),
  );
});
