// The pure rules of primary-backup: claims order, backups apply exactly the primary's sequence, and failover
// elects the lowest-named live node.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { LogEntry } from './replicaState.ts';
import { applyReplication, compareClaims, executeAtPrimary, initialState, shouldTakeOver } from './replicaState.ts';

test('a higher epoch wins; within an epoch the lower-named primary wins', () => {
  assert.ok(compareClaims({ epoch: 2, primary: 'n3' }, { epoch: 1, primary: 'n1' }) > 0);
  assert.ok(compareClaims({ epoch: 2, primary: 'n1' }, { epoch: 2, primary: 'n2' }) > 0);
  assert.equal(compareClaims({ epoch: 2, primary: 'n2' }, { epoch: 2, primary: 'n2' }), 0);
});

test('a backup fed the primary entries in batches, with duplicates, ends with exactly the primary state', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom('write', 'cas'), fc.constantFrom('x', 'y'), fc.integer({ min: 0, max: 3 }))),
      fc.array(fc.nat({ max: 4 })),
      (ops, cuts) => {
        const primary = initialState('n1');
        const log: LogEntry[] = [];
        for (const [f, key, v] of ops) {
          const outcome = executeAtPrimary(primary, f, key, f === 'cas' ? [v, v + 1] : v);
          if (outcome.kind === 'written') log.push(outcome.entry);
        }
        const backup = initialState('n1');
        let from = 0;
        for (const cut of [...cuts, log.length]) {
          // Resending some already-applied entries must be harmless.
          const start = Math.max(0, from - 1);
          const end = Math.min(log.length, from + cut);
          const reply = applyReplication(backup, {
            claim: primary.claim,
            kind: 'entries',
            entries: log.slice(start, end),
          });
          assert.deepEqual(reply, { kind: 'applied', seq: end });
          from = end;
          if (from === log.length) break;
        }
        assert.deepEqual(backup.data, primary.data);
        assert.equal(backup.seq, primary.seq);
      },
    ),
  );
});

test('a gap, a new primary or a stale primary are answered, not applied', () => {
  const backup = initialState('n1');
  const claim = { epoch: 1, primary: 'n1' };
  assert.deepEqual(applyReplication(backup, { claim, kind: 'entries', entries: [{ seq: 2, key: 'x', value: 1 }] }), {
    kind: 'need-snapshot',
    seq: 0,
  });
  const newer = { epoch: 2, primary: 'n2' };
  assert.equal(applyReplication(backup, { claim: newer, kind: 'entries', entries: [] }).kind, 'need-snapshot');
  assert.deepEqual(applyReplication(backup, { claim, kind: 'entries', entries: [] }), { kind: 'stale', claim: newer });
  assert.deepEqual(applyReplication(backup, { claim: newer, kind: 'snapshot', seq: 5, data: { x: 9 } }), {
    kind: 'applied',
    seq: 5,
  });
  assert.deepEqual(backup.data, { x: 9 });
});

test('a cas that finds another value is refused and changes nothing', () => {
  const state = initialState('n1');
  executeAtPrimary(state, 'write', 'x', 1);
  assert.equal(executeAtPrimary(state, 'cas', 'x', [2, 3]).kind, 'refused');
  assert.deepEqual(state.data, { x: 1 });
  assert.equal(state.seq, 1);
});

test('failover: the lowest-named live node takes over from a silent primary, no one else', () => {
  const claim = { epoch: 1, primary: 'n1' };
  assert.equal(shouldTakeOver('n2', claim, ['n3']), true);
  assert.equal(shouldTakeOver('n3', claim, ['n2']), false);
  assert.equal(shouldTakeOver('n3', claim, []), true);
  assert.equal(shouldTakeOver('n2', claim, ['n1', 'n3']), false);
});
