import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode, UserError, exitCodeForRun, notBuiltYet } from './errors.ts';

test('each error code maps to its exit code', () => {
  assert.equal(new UserError('m').exitCode, 255);
  assert.equal(new UserError('m', 'h', 'usage').exitCode, 64);
  assert.equal(new UserError('m', undefined, 'interrupted').exitCode, 130);
  assert.throws(
    () => notBuiltYet('x', 'issue 1'),
    (e: unknown) => e instanceof UserError && e.code === 'not-built' && e.exitCode === ExitCode.notBuilt,
  );
});

test('verdicts map to 0, 1 and 2; a failed run to 255 and an interrupted one to 130 whatever its checks say', () => {
  assert.equal(exitCodeForRun('passed', 1), 1);
  assert.equal(exitCodeForRun('passed', 2), 2);
  assert.equal(exitCodeForRun('failed', 0), 255);
  assert.equal(exitCodeForRun('interrupted', 0), 130);
});
