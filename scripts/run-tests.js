#!/usr/bin/env node
// The one command that runs every check: types, lint, formatting, then all tests (unit, property, Docker
// end-to-end and browser tests; those whose prerequisites are missing skip with the reason printed).
// Flags: --unit runs only the tests outside test/e2e; --no-static skips typecheck/lint/format;
// any other argument is a test file or folder to run.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const noStatic = args.includes('--no-static') || unitOnly;
const targets = args.filter((a) => !a.startsWith('--'));
const skipDirs = new Set(['node_modules', '.git', 'store', 'test-artifacts', 'fixtures']);

function findTests(dir, out) {
  for (const name of readdirSync(dir)) {
    if (skipDirs.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

// Tests match the CLI's words; picocolors colours output whenever CI is set, so ask for plain text.
const testEnv = { ...process.env, NO_COLOR: '1' };
delete testEnv.FORCE_COLOR;

function step(title, cmd, cmdArgs) {
  process.stdout.write(`\n== ${title}: ${cmd} ${cmdArgs.join(' ')}\n`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env: testEnv });
  return r.status ?? 1;
}

let failedStatic = [];
if (!noStatic) {
  const bin = (name) => join(root, 'node_modules', '.bin', name);
  if (step('typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']) !== 0) failedStatic.push('typecheck');
  if (step('typecheck (browser code)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.browser.json']) !== 0)
    failedStatic.push('typecheck-browser');
  if (step('lint', bin('eslint'), ['.']) !== 0) failedStatic.push('lint');
  if (step('format', bin('prettier'), ['--check', '.']) !== 0) failedStatic.push('format');
}

let files =
  targets.length > 0
    ? targets.flatMap((t) => (statSync(t).isDirectory() ? findTests(t, []) : [t]))
    : findTests(root, []);
if (unitOnly) files = files.filter((f) => !f.startsWith('test/e2e/'));
files.sort();
const status = step(`tests (${files.length} files)`, process.execPath, [
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  `--test-concurrency=${process.env.FAULTLINE_TEST_CONCURRENCY ?? '2'}`,
  ...files,
]);
if (failedStatic.length > 0) process.stdout.write(`\nstatic checks failed: ${failedStatic.join(', ')}\n`);
process.exit(status !== 0 || failedStatic.length > 0 ? 1 : 0);
