import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { combineExitCodes } from '../../errors.ts';

const cli = fileURLToPath(new URL('../../../bin/faultline.js', import.meta.url));

test('a bad campaign exits 64 listing every problem with file:line:col', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-cli-run-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(
    join(dir, 'c.yaml'),
    'name: x\nsystem: raft-kv\nworkload:\n  name: regster\nclients:\n  concurency: 3\n',
  );
  const r = spawnSync(process.execPath, [cli, 'run', 'c.yaml'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 64, r.stderr);
  assert.match(r.stderr, /c\.yaml:4:9 workload\.name: /);
  assert.match(r.stderr, /c\.yaml:6:3 clients\.concurency: unknown field "concurency"/);
});

test('an unknown system is a usage error (64) naming the built-in ones, and leaves no run folder', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-cli-run-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(
    join(dir, 'c.yaml'),
    'name: x\nsystem: raft-kb\nnodes: {backend: local, count: 1}\nworkload: {name: register}\n',
  );
  const r = spawnSync(process.execPath, [cli, 'run', 'c.yaml', '--store', join(dir, 'store'), '--no-report'], {
    cwd: dir,
    encoding: 'utf8',
  });
  assert.equal(r.status, 64, r.stdout + r.stderr);
  assert.match(r.stderr, /c\.yaml:2:9 system: "raft-kb" is not a built-in system/);
  assert.match(r.stderr, /built-in systems: .*raft-kv/);
  assert.ok(!existsSync(join(dir, 'store')), 'no run folder');
});

test('a budget that is not a positive number is a usage error (64) naming the option, before any run', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-cli-run-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(
    join(dir, 'c.yaml'),
    'name: x\nsystem: raft-kv\nnodes: {backend: local, count: 1}\nworkload: {name: register}\n',
  );
  for (const [option, value, unit] of [
    ['--time-budget', '0', 'seconds'],
    ['--time-budget', '2m', 'seconds'],
    ['--memory-budget', '-5', 'MiB'],
  ] as const) {
    const r = spawnSync(process.execPath, [cli, 'run', 'c.yaml', '--store', join(dir, 'store'), option, value], {
      cwd: dir,
      encoding: 'utf8',
    });
    assert.equal(r.status, 64, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`${option} must be a positive number of ${unit}, not '${value}'`));
    assert.ok(!existsSync(join(dir, 'store')), 'no run folder');
  }
});

test('repetitions combine to the worst exit code', () => {
  assert.equal(combineExitCodes([0, 0]), 0);
  assert.equal(combineExitCodes([0, 2, 0]), 2);
  assert.equal(combineExitCodes([2, 1]), 1);
  assert.equal(combineExitCodes([1, 255]), 255);
  assert.equal(combineExitCodes([1, 130]), 130);
  assert.equal(combineExitCodes([130, 255]), 255);
});
