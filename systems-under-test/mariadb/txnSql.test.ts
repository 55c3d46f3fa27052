import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commitErrorType, isolationOption, microOpStatement, microOps, readValue, workloadTable } from './txnSql.ts';

test('micro-ops become one statement each, on the workload’s table', () => {
  assert.deepEqual(microOpStatement(['r', 'k1', null], 'lists'), {
    sql: 'SELECT v FROM lists WHERE k = ?',
    params: ['k1'],
  });
  assert.deepEqual(microOpStatement(['append', 'k1', 7], 'lists').params, ['k1', '7', '7']);
  assert.match(microOpStatement(['append', 'k1', 7], 'lists').sql, /ON DUPLICATE KEY UPDATE v = CONCAT\(v, ',', \?\)/);
  assert.deepEqual(microOpStatement(['w', 'k2', 9], 'registers').params, ['k2', 9, 9]);
  assert.match(microOpStatement(['r', 'k2', null], 'registers').sql, /FROM registers/);
});

test('reads: a list from the stored text (empty when no row), a register’s number or null', () => {
  assert.deepEqual(readValue([{ v: '3,1,8' }], 'lists'), [3, 1, 8]);
  assert.deepEqual(readValue([{ v: Buffer.from('4') }], 'lists'), [4]);
  assert.deepEqual(readValue([], 'lists'), []);
  assert.equal(readValue([{ v: 12 }], 'registers'), 12);
  assert.equal(readValue([], 'registers'), null);
});

test('bad input is named: a txn that is not micro-ops, an unknown isolation level, a missing workload', () => {
  assert.throws(() => microOps([['x', 'k1', 1]]), /micro-op 0 is not/);
  assert.throws(() => microOps([['append', 'k1', null]]), /micro-op 0/);
  assert.deepEqual(microOps([['r', 'k1', null]]), [['r', 'k1', null]]);
  assert.equal(isolationOption({}), 'repeatable-read');
  assert.equal(isolationOption({ isolation: 'serializable' }), 'serializable');
  assert.throws(() => isolationOption({ isolation: 'snapshot' }), /isolation must be one of/);
  assert.equal(workloadTable({ workload: 'rw-register' }), 'registers');
  assert.throws(() => workloadTable({}), /workload must be list-append or rw-register/);
});

test('an error answering COMMIT: a deadlock (Galera: certification failure) rolled back, anything else unknown', () => {
  assert.equal(commitErrorType(1213), 'fail');
  assert.equal(commitErrorType(1180), 'info');
  assert.equal(commitErrorType(undefined), 'info');
});
