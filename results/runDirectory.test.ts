import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runDirName, runIdOf } from './runDirectory.ts';

test('run directory names sort by start time and differ within one second', () => {
  const a = runDirName(new Date('2026-11-23T20:45:12.100Z'));
  const b = runDirName(new Date('2026-11-23T20:45:12.900Z'));
  assert.match(a, /^20261123T204512Z-[0-9a-f]{4}$/);
  assert.ok(runDirName(new Date('2026-11-23T20:45:11Z')) < a);
  assert.equal(a.slice(0, 16), b.slice(0, 16));
  // 2 random bytes: ten names in one second all alike has odds of 65,536^-9.
  assert.ok(new Set(Array.from({ length: 10 }, () => runDirName(new Date(0)))).size > 1);
});

test('a run id is <campaign>-<run dir name>, whatever the store path and a trailing slash', () => {
  fc.assert(
    fc.property(
      fc.array(fc.stringMatching(/^[a-z0-9_.-]{1,8}$/), { maxLength: 3 }),
      fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
      fc.boolean(),
      (store, campaign, slash) => {
        const dir = runDirName(new Date(0));
        const path = ['', ...store, campaign, dir].join('/') + (slash ? '/' : '');
        assert.equal(runIdOf(path), `${campaign}-${dir}`);
      },
    ),
  );
});
