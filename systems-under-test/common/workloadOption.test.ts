import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withServedWorkload } from './workloadOption.ts';

const served = { name: 'rw-register', model: 'rw-register' };

test('the workload option is taken from the client when absent, kept when it agrees, refused when it differs', () => {
  assert.deepEqual(withServedWorkload('pg', { isolation: 'serializable' }, served), {
    isolation: 'serializable',
    workload: 'rw-register',
  });
  assert.deepEqual(withServedWorkload('pg', { workload: 'rw-register' }, served), { workload: 'rw-register' });
  assert.deepEqual(withServedWorkload('pg', { workload: 'list-append' }, undefined), { workload: 'list-append' });
  assert.throws(
    () => withServedWorkload('pg', { workload: 'list-append' }, served),
    /^Error: pg: system option workload "list-append" differs from the campaign's workload.name "rw-register"/,
  );
});
