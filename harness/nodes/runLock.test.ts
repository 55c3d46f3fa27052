import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { holdRunLock, runLockHeld, runLockPath } from './runLock.ts';

test('a held run lock is seen live; released, it is not', async () => {
  const id = `lock-test-${process.pid}-${Date.now()}`;
  assert.equal(await runLockHeld(id), false);
  const lock = await holdRunLock(id);
  assert.equal(await runLockHeld(id), true);
  await assert.rejects(holdRunLock(id), /already held by a live faultline process/);
  await lock.release();
  assert.equal(await runLockHeld(id), false);
});

test('a SIGKILLed holder leaves the run not live, and the next holder takes the stale socket over', async () => {
  const id = `lock-kill-${process.pid}-${Date.now()}`;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `const { holdRunLock } = await import(${JSON.stringify(new URL('./runLock.ts', import.meta.url).href)}); await holdRunLock(${JSON.stringify(id)}); console.log('held'); setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) =>
    child.stdout.once('data', () => {
      resolve();
    }),
  );
  assert.equal(await runLockHeld(id), true);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.ok(existsSync(runLockPath(id)), 'the socket file stays behind');
  assert.equal(await runLockHeld(id), false, 'but nothing answers on it');
  const lock = await holdRunLock(id);
  assert.equal(await runLockHeld(id), true);
  await lock.release();
});
