import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import type { Operation, Value } from '../history.ts';
import { checkUniqueIds, uniqueIdsChecker } from './uniqueIds.ts';
import { fail, info, oneAfterAnother } from '../testing/oneAfterAnother.ts';

/** Generates one after another; an info or failed generate returned nothing. */
function generates(outputs: readonly (Value | typeof info | typeof fail)[]): Operation[] {
  return oneAfterAnother(
    'generate',
    outputs.map((output) => ({ input: null, output })),
  );
}

test('distinct ids are valid; any repeated id among acknowledged generates is caught with every op that returned it', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.oneof(fc.integer(), fc.string()), { minLength: 2, maxLength: 60 }),
      fc.nat(),
      fc.nat(),
      (ids, a, b) => {
        assert.equal(checkUniqueIds(generates(ids)).valid, true);
        // Repeat one id at a later position: exactly that id, and the two ops, are named.
        const from = a % ids.length;
        const to = b % ids.length;
        if (from === to) return;
        const repeated = [...ids];
        repeated[to] = ids[from]!;
        const r = checkUniqueIds(generates(repeated));
        assert.equal(r.valid, false);
        const anomaly = r.anomalies[0]!;
        assert.equal(anomaly.type, 'duplicate-id');
        assert.deepEqual(
          [...anomaly.ops].sort((x, y) => x - y),
          [Math.min(from, to), Math.max(from, to)],
        );
        assert.deepEqual(anomaly.detail, {
          ids: [{ id: ids[from]!, ops: [Math.min(from, to), Math.max(from, to)] }],
          omitted: 0,
        });
      },
    ),
  );
});

test('indeterminate and failed generates returned nothing; the integer 7 and the string "7" are different ids', () => {
  assert.equal(checkUniqueIds(generates(['n1-1', info, fail, 'n2-1', 7, '7'])).valid, true);
  const r = checkUniqueIds(generates(['a', 'b', 'a', 'b', 'a']));
  assert.equal(r.valid, false);
  assert.match(
    r.anomalies[0]!.explanation,
    /^2 ids returned by more than one acknowledged generate: "a" by op 0 at 0\.000 s and op 2 at 0\.002 s and op 4 at 0\.004 s; 1 more ids were returned more than once$/,
  );
});

test('nothing acknowledged, or ops of another workload, is unknown with the reason, never valid', () => {
  const none = checkUniqueIds(generates([info, fail]));
  assert.equal(none.valid, 'unknown');
  assert.match(none.reason ?? '', /no generate was acknowledged/);
  const read: Operation = { ...generates([1])[0]!, f: 'read' };
  assert.equal(checkUniqueIds([read]).valid, 'unknown');
  assert.equal(uniqueIdsChecker.appliesTo!([read]), false);
  assert.equal(uniqueIdsChecker.appliesTo!(generates([1, 2])), true);
  assert.equal(uniqueIdsChecker.appliesTo!([]), false);
});
