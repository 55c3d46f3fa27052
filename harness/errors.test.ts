import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode, UserError, exitCodeForChecks, exitCodeForRun, notBuiltYet } from './errors.ts';

test('each error code maps to its exit code', () => {
  assert.equal(new UserError('m').exitCode, 255);
  assert.equal(new UserError('m', 'h', 'usage').exitCode, 64);
  assert.equal(new UserError('m', undefined, 'interrupted').exitCode, 130);
  assert.throws(
    () => notBuiltYet('x', 'issue 1'),
    (e: unknown) => e instanceof UserError && e.code === 'not-built' && e.exitCode === ExitCode.notBuilt,
  );
});

test('verdicts map to 0, 1 and 2, and a run that did not pass to 255 whatever its checks say', () => {
  assert.equal(exitCodeForChecks([{ valid: true }, { valid: 'unknown' }]), 2);
  assert.equal(exitCodeForChecks([{ valid: 'unknown' }, { valid: false }]), 1);
  assert.equal(exitCodeForChecks([{ valid: true }]), 0);
  assert.equal(exitCodeForRun('passed', [{ valid: false }]), 1);
  assert.equal(exitCodeForRun('failed', [{ valid: true }]), 255);
  assert.equal(exitCodeForRun('interrupted', [{ valid: true }]), 255);
});
