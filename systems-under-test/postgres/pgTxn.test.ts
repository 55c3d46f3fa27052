// The PostgreSQL client's pure part: options, SQL per micro-op, reads back into checker values, and which
// errors make a txn `fail` (definitely rolled back) or `info` (may have committed).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  beginStatement,
  microOpStatement,
  pgIsolationOption,
  pgWorkloadOption,
  readValue,
  txnErrorOutcome,
} from './pgTxn.ts';

describe('postgres options', () => {
  it('reads isolation levels as written in campaigns, default serializable', () => {
    assert.equal(pgIsolationOption(undefined), 'serializable');
    assert.equal(pgIsolationOption('repeatable read'), 'repeatable-read');
    assert.equal(pgIsolationOption('READ_COMMITTED'), 'read-committed');
    assert.throws(() => pgIsolationOption('snapshot'), /isolation "snapshot" is not one of read-committed/);
    assert.equal(beginStatement('repeatable-read'), 'BEGIN ISOLATION LEVEL REPEATABLE READ');
  });
  it('the workload option names the table; anything else is refused', () => {
    assert.equal(pgWorkloadOption(undefined), 'list-append');
    assert.equal(pgWorkloadOption('rw-register'), 'rw-register');
    assert.throws(() => pgWorkloadOption('register'), /workload "register"/);
  });
});

describe('postgres micro-ops', () => {
  it('appends by upsert, writes by upsert, reads by key', () => {
    assert.deepEqual(microOpStatement('list-append', ['append', 'k1', 7]).values, ['k1', '7']);
    assert.match(
      microOpStatement('list-append', ['append', 'k1', 7]).text,
      /ON CONFLICT \(k\) DO UPDATE SET v = t\.v \|\| ','/,
    );
    assert.match(microOpStatement('rw-register', ['w', 'k1', 7]).text, /INTO registers .* SET v = EXCLUDED\.v/);
    assert.match(microOpStatement('rw-register', ['r', 'k1', null]).text, /FROM registers/);
    assert.match(microOpStatement('list-append', ['r', 'k1', null]).text, /FROM lists/);
  });
  it("refuses another workload's write and malformed micro-ops", () => {
    assert.throws(() => microOpStatement('list-append', ['w', 'k1', 1]), /does not belong to the list-append/);
    assert.throws(() => microOpStatement('rw-register', ['append', 'k1', 1]), /does not belong to the rw-register/);
    assert.throws(() => microOpStatement('list-append', ['append', 'k1', 'x']), /integer/);
    assert.throws(() => microOpStatement('list-append', ['r', 1, null]), /\[f, key, value\]/);
  });
  it('a stored list reads back as the appended elements in order', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 30 }), (elements) => {
        const stored = elements.length === 0 ? [] : [{ v: elements.join(',') }];
        assert.deepEqual(readValue('list-append', stored), elements);
      }),
    );
    assert.equal(readValue('rw-register', []), null);
    assert.equal(readValue('rw-register', [{ v: '12' }]), 12);
    assert.equal(readValue('rw-register', [{ v: null }]), null);
  });
});

describe('postgres txn outcomes', () => {
  const err = (code?: string): Error => Object.assign(new Error('x'), code === undefined ? {} : { code });
  it("a server's SQLSTATE reply is a definite rollback, before or at COMMIT", () => {
    for (const code of ['40001', '40P01', '23505', '25P02', '57014'])
      for (const commitSent of [false, true]) assert.equal(txnErrorOutcome(err(code), commitSent), 'definite', code);
  });
  it('a lost connection or timeout is definite before COMMIT was sent, unknown after', () => {
    for (const e of [err(), err('ECONNRESET'), err('08006'), err('57P01'), new Error('the op timed out')]) {
      assert.equal(txnErrorOutcome(e, false), 'definite');
      assert.equal(txnErrorOutcome(e, true), 'unknown');
    }
  });
});
