import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import type { Operation, Value } from '../history.ts';
import { checkEcho, echoChecker } from './echo.ts';
import { fail, info, oneAfterAnother } from '../testing/oneAfterAnother.ts';
import { nothingJudged } from '../analyze.ts';

/** Echoes one after another, each sending `sent[i]` and getting `received[i]` back. */
function echoes(sent: readonly Value[], received: readonly (Value | typeof info | typeof fail)[]): Operation[] {
  return oneAfterAnother(
    'echo',
    sent.map((input, i) => ({ input, output: received[i]! })),
  );
}

const payload = fc.jsonValue() as fc.Arbitrary<Value>;

test('echoes that return their payload are valid; any one that differs is caught, naming it and both payloads', () => {
  fc.assert(
    fc.property(fc.array(payload, { minLength: 1, maxLength: 40 }), fc.nat(), payload, (sent, at, other) => {
      assert.equal(checkEcho(echoes(sent, sent)).valid, true);
      const i = at % sent.length;
      if (JSON.stringify(other) === JSON.stringify(sent[i])) return;
      const received = sent.map((v, j) => (j === i ? other : v));
      const r = checkEcho(echoes(sent, received));
      assert.equal(r.valid, false);
      assert.equal(r.anomalies[0]!.type, 'echo-mismatch');
      assert.deepEqual(r.anomalies[0]!.ops, [i]);
      assert.deepEqual(r.anomalies[0]!.detail, { echoes: [{ op: i, sent: sent[i], received: other }], omitted: 0 });
    }),
  );
});

test('the explanation names the first mismatched op with what it sent and got; the string "7" is not 7', () => {
  const r = checkEcho(echoes(['a', 7, 'c', { x: 1, y: [2] }], ['a', '7', 'd', { y: [2], x: 1 }]));
  assert.equal(r.valid, false);
  assert.equal(
    r.anomalies[0]!.explanation,
    '2 acknowledged echoes returned something other than what was sent: op 1 at 0.001 s sent 7 and got back "7"',
  );
  assert.deepEqual(r.anomalies[0]!.ops, [1, 2], 'an object with its keys in another order is the same payload');
});

test('indeterminate and failed echoes are not checked; none acknowledged, or another workload, is unknown, never valid', () => {
  const partly = checkEcho(echoes(['a', 'b', 'c'], [info, fail, 'c']));
  assert.equal(partly.valid, true);
  assert.equal(partly.stats['echoed'], 1);
  assert.equal(partly.stats['unchecked'], 2);
  const none = checkEcho(echoes(['a', 'b'], [info, fail]));
  assert.equal(none.valid, 'unknown');
  assert.match(none.reason ?? '', /no echo was acknowledged/);
  const read: Operation = { ...echoes([1], [1])[0]!, f: 'read' };
  assert.equal(checkEcho([read]).valid, 'unknown');
  assert.equal(echoChecker.appliesTo!([read]), false);
  assert.equal(echoChecker.appliesTo!(echoes([1], [1])), true);
  assert.equal(echoChecker.appliesTo!([]), false);
  // The analysis counts an acknowledged echo as an observation, so a run of echoes is judged, not unknown.
  assert.equal(nothingJudged(echoes(['a'], ['a']), 'echo'), null);
  assert.notEqual(nothingJudged(echoes(['a'], [info]), 'echo'), null);
});
