import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listText } from './list.ts';

test('faultline list shows systems, workloads, faults and checkers', async () => {
  const text = await listText();
  for (const section of ['systems', 'workloads', 'faults', 'checkers'])
    assert.match(text, new RegExp(`^\\S*${section}`, 'm'));
  for (const name of ['raft-kv', 'key-value', 'list-append', 'partition', 'clock', 'linearizable', 'sequential']) {
    assert.match(text, new RegExp(`^  ${name} `, 'm'), `${name} is listed`);
  }
});
