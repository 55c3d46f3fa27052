// Transactional causal consistency: dbcop's non_cc.yaml and Plume's 14 TAP cases (every one forbidden by
// TCC) are invalid, and histories of a store that applies transactions atomically in one order are valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { pairOperations, type HistoryOp, type Value } from '../history.ts';
import { checkTransactionalCausal } from './transactionalCausal.ts';
import { readAnyHistory } from '../../harness/history/formats/index.ts';
import { referenceHistoriesDir as root } from '../../test/referenceHistories.ts';

test('dbcop non_cc.yaml is not causally consistent, with the causal path explained', () => {
  const r = checkTransactionalCausal(pairOperations(readAnyHistory(join(root, 'dbcop/non_cc.yaml')).ops));
  assert.equal(r.valid, false);
  assert.equal(r.anomalies[0]?.type, 'WriteCOInitRead');
  assert.match(
    r.anomalies[0].explanation,
    /process 2 .* read x0 = the initial value, but it causally follows the txn of process 0/,
  );
  assert.equal(r.anomalies[0].ops.length, 3);
});

test("Plume's 14 transactional anomalous patterns are all invalid under TCC", () => {
  const dir = join(root, 'plume-taps/text');
  const files = readdirSync(dir).sort();
  assert.equal(files.length, 14);
  for (const file of files) {
    const r = checkTransactionalCausal(pairOperations(readAnyHistory(join(dir, file)).ops));
    assert.equal(r.valid, false, `${file}: ${JSON.stringify(r)}`);
    assert.ok(r.anomalies.length > 0 && r.anomalies.every((a) => a.explanation.length > 20), file);
  }
});

test('a store applying each transaction atomically, in one global order, is always causally consistent', () => {
  const txnArb = fc.array(
    fc.record({
      process: fc.nat(3),
      micro: fc.array(fc.tuple(fc.constantFrom('r', 'w'), fc.constantFrom('x', 'y', 'z')), {
        minLength: 1,
        maxLength: 4,
      }),
    }),
    { maxLength: 25 },
  );
  fc.assert(
    fc.property(txnArb, (txns) => {
      const store = new Map<string, Value>();
      const ops: HistoryOp[] = [];
      let n = 0;
      for (const t of txns) {
        const done = t.micro.map(([f, k]): Value => {
          if (f === 'w') {
            const v = ++n;
            store.set(k, v);
            return ['w', k, v];
          }
          return ['r', k, store.get(k) ?? null];
        });
        ops.push({ index: ops.length, time: ops.length, type: 'invoke', process: t.process, f: 'txn', value: done });
        ops.push({ index: ops.length, time: ops.length, type: 'ok', process: t.process, f: 'txn', value: done });
      }
      const r = checkTransactionalCausal(pairOperations(ops));
      assert.equal(r.valid, true, JSON.stringify(r.anomalies));
    }),
    { numRuns: 200 },
  );
});

test('a non-txn history is refused with the reason, not passed', () => {
  const ops: HistoryOp[] = [
    { index: 0, time: 0, type: 'invoke', process: 0, f: 'read', value: null },
    { index: 1, time: 1, type: 'ok', process: 0, f: 'read', value: 1 },
  ];
  const r = checkTransactionalCausal(pairOperations(ops));
  assert.equal(r.valid, 'unknown');
  assert.match(r.reason ?? '', /not a txn/);
});
