import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { HistoryOp } from '../history.ts';
import { pairOperations } from '../history.ts';
import { getChecker } from '../registry.ts';
import type { SessionGuarantee } from './sessionGuarantees.ts';
import { SESSION_GUARANTEES, checkSessionGuarantees } from './sessionGuarantees.ts';
import './sessionCheckers.ts';
import { historyFromSessions } from '../testing/sessionNotation.ts';
import type { Guarantee } from '../testing/definitionOracles.ts';
import { sessionByDefinition } from '../testing/definitionOracles.ts';
import { renderSmallHistory, showSmallHistory, smallHistoryArbitrary } from '../testing/smallHistories.ts';

const short: Record<SessionGuarantee, Guarantee> = {
  'monotonic-reads': 'MR',
  'monotonic-writes': 'MW',
  'read-your-writes': 'RYW',
  'writes-follow-reads': 'WFR',
};

function check(guarantees: readonly SessionGuarantee[], history: HistoryOp[]) {
  return checkSessionGuarantees(guarantees, pairOperations(history), { initialValue: 0 });
}

// checking.md §4.2 test vectors: [history, MR, RYW, MW, WFR, all four].
const vectors: [string, boolean, boolean, boolean, boolean, boolean][] = [
  ['w1, w2 | r1, r2, r1', false, true, true, true, false],
  ['w1, r0', true, false, true, true, false],
  ['w1 | w2 | r1, r2 | r2, r1', false, true, true, true, false],
  ['w1, r2 | w2, r1', true, false, true, true, false],
  ['r2, w1 | r1, w2', true, true, true, false, false],
  ['w1, w2 | r2, r1', true, true, true, true, false],
  ['w1, w2 | r2, w3 | r3, r1', true, true, true, true, false],
];

for (const [text, mr, ryw, mw, wfr, all] of vectors) {
  test(`checking.md §4.2 vector "${text}"`, async () => {
    const history = historyFromSessions(text);
    const expected: [string, boolean][] = [
      ['monotonic-reads', mr],
      ['read-your-writes', ryw],
      ['monotonic-writes', mw],
      ['writes-follow-reads', wfr],
      ['session', all],
    ];
    for (const [name, valid] of expected) {
      const checker = getChecker(name);
      assert.ok(checker, `${name} is registered`);
      const result = await checker.check(pairOperations(history), { initialValue: 0 } as never);
      assert.equal(result.valid, valid, `${name}: ${JSON.stringify(result.anomalies)}`);
      assert.equal(result.checker, name);
      if (!valid) {
        const a = result.anomalies[0]!;
        assert.ok(a.ops.length >= 2 && a.indices!.length >= 2);
        assert.match(a.explanation, /process \d+ (read|wrote)/);
      }
    }
  });
}

test('a monotonic-reads violation is explained with both reads and the write order they force', () => {
  const result = check(['monotonic-reads'], historyFromSessions('w1, w2 | r1, r2, r1'));
  const a = result.anomalies[0]!;
  assert.equal(a.type, 'monotonic-reads');
  assert.match(
    a.explanation,
    /process 1 read 2 \(op 3 at \d+\.\d{3} s\) and later read 1 \(op 4 at \d+\.\d{3} s\), so the write of 2 \(op 1 at \d+\.\d{3} s\) must come before the write of 1 \(op 0 at \d+\.\d{3} s\)/,
  );
  assert.deepEqual(new Set(a.ops), new Set([2, 3, 4]));
});

test('guarantees are per key: reads of different keys never constrain each other', () => {
  const result = check(SESSION_GUARANTEES, historyFromSessions('w x1, w y1 | r y1, r x0'));
  assert.equal(result.valid, true);
  const bad = check(SESSION_GUARANTEES, historyFromSessions('w x1, w y1 | r x1, r x0'));
  assert.equal(bad.valid, false);
  assert.equal(bad.anomalies[0]?.key, 'x');
});

test('an indeterminate write that was read counts; a failed one read is an aborted read', () => {
  const base: HistoryOp[] = [
    { index: 0, time: 0, type: 'invoke', process: 0, f: 'write', value: 1 },
    { index: 1, time: 1, type: 'info', process: 0, f: 'write', value: 1 },
    { index: 2, time: 2, type: 'invoke', process: 1, f: 'read', value: null },
    { index: 3, time: 3, type: 'ok', process: 1, f: 'read', value: 1 },
    { index: 4, time: 4, type: 'invoke', process: 1, f: 'read', value: null },
    { index: 5, time: 5, type: 'ok', process: 1, f: 'read', value: 0 },
  ];
  const stale = check(['monotonic-reads'], base);
  assert.equal(stale.valid, false);
  assert.equal(stale.anomalies[0]?.type, 'monotonic-reads');
  const aborted = check(
    ['read-your-writes'],
    base.map((e) => (e.type === 'info' ? { ...e, type: 'fail' as const } : e)),
  );
  assert.equal(aborted.valid, false);
  assert.equal(aborted.anomalies[0]?.type, 'AbortedRead');
});

const seed = Number(process.env['FC_SEED'] ?? Date.now() % 1_000_000);
const subsets = fc.subarray([...SESSION_GUARANTEES], { minLength: 1 });
test(`every subset of the session guarantees agrees with brute force over write orders (seed ${seed})`, () => {
  fc.assert(
    fc.property(
      smallHistoryArbitrary({ maxOps: 8, keys: 1, faults: true, thinAir: true }),
      subsets,
      (h, guarantees) => {
        const got = check(guarantees, renderSmallHistory(h)).valid;
        const expected = sessionByDefinition(
          h,
          guarantees.map((g) => short[g]),
        );
        assert.equal(got, expected, `${guarantees.join('+')} on ${showSmallHistory(h)}`);
      },
    ),
    { numRuns: 600, seed },
  );
});
