// A list-append txn that reads a key twice and sees another txn's append the second time (PostgreSQL and
// MariaDB do this at read committed) is a non-repeatable read: read committed holds, read atomic, snapshot
// isolation, repeatable read and serializable do not. Reported as internal, it made every real read-committed
// run "violate" read committed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairOperations, type HistoryOp, type Value } from '../history.ts';
import { analyzeIsolation } from './isolation.ts';

type Txn = { process: number; micro: Value[] };

/** `before` run one after another, then `outer` invokes, `inner` runs whole inside it, and `outer` completes. */
function history(before: Txn[], outer: Txn, inner: Txn): ReturnType<typeof pairOperations> {
  const events: HistoryOp[] = [];
  const push = (type: 'invoke' | 'ok', t: Txn) =>
    events.push({ index: events.length, time: events.length, type, process: t.process, f: 'txn', value: t.micro });
  for (const t of before) {
    push('invoke', t);
    push('ok', t);
  }
  push('invoke', outer);
  push('invoke', inner);
  push('ok', inner);
  push('ok', outer);
  return pairOperations(events);
}

test('a non-repeatable read in a list-append txn: read committed holds, read atomic and stronger are violated', () => {
  const a = analyzeIsolation(
    history(
      [{ process: 2, micro: [['append', 'x', 1]] }],
      {
        process: 0,
        micro: [
          ['r', 'x', [1]],
          ['r', 'x', [1, 2]],
        ],
      },
      { process: 1, micro: [['append', 'x', 2]] },
    ),
  );
  assert.equal(a.levels['read-committed'].valid, true, JSON.stringify(a.anomalies));
  assert.ok(a.anomalies.some((x) => x.type === 'non-repeatable-read'));
  assert.ok(!a.anomalies.some((x) => x.type === 'internal'));
  for (const level of ['read-atomic', 'snapshot-isolation', 'repeatable-read', 'serializable'] as const)
    assert.equal(a.levels[level].valid, false, level);
});

test('a second read missing the txn’s own append is still internal, and breaks read committed', () => {
  const a = analyzeIsolation(
    history(
      [],
      {
        process: 0,
        micro: [
          ['r', 'x', []],
          ['append', 'x', 5],
          ['r', 'x', [7]],
        ],
      },
      { process: 1, micro: [['append', 'x', 7]] },
    ),
  );
  assert.ok(a.anomalies.some((x) => x.type === 'internal'));
  assert.equal(a.levels['read-committed'].valid, false);
});

test('read, own append, read showing others’ appends before its own (an update on the newest version) is non-repeatable', () => {
  const a = analyzeIsolation(
    history(
      [{ process: 2, micro: [['append', 'x', 1]] }],
      {
        process: 0,
        micro: [
          ['r', 'x', [1]],
          ['append', 'x', 5],
          ['r', 'x', [1, 2, 5]],
        ],
      },
      { process: 1, micro: [['append', 'x', 2]] },
    ),
  );
  assert.ok(a.anomalies.some((x) => x.type === 'non-repeatable-read'));
  assert.ok(!a.anomalies.some((x) => x.type === 'internal'), JSON.stringify(a.anomalies));
  assert.equal(a.levels['read-committed'].valid, true);
  assert.equal(a.levels['snapshot-isolation'].valid, false);
});
