import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { knownBadChecks, knownBadHistory, sampleResults, writeSampleRun } from '../../../results/testing/sampleRuns.ts';

const cli = fileURLToPath(new URL('../../../bin/faultline.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'faultline-report-cli-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

function faultline(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
}

test('faultline report RUN_DIR writes the report and the index of its store', () => {
  const history = knownBadHistory();
  const run = writeSampleRun(
    join(root, 'store', 'register', '20261123T200000'),
    history,
    sampleResults(history, knownBadChecks()),
  );
  const result = faultline('report', run);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /report: .*report\.html/);
  assert.match(readFileSync(join(run, 'report.html'), 'utf8'), /data-checker="linearizable" class="row-violated"/);
  assert.ok(existsSync(join(root, 'store', 'index.html')));
});

test('faultline report explains what it needs when given something else', () => {
  const result = faultline('report', join(root, 'missing'));
  assert.equal(result.status, 64);
  assert.match(result.stderr, /is not a directory/);
  mkdirSync(join(root, 'empty'));
  const empty = faultline('report', join(root, 'empty'));
  assert.equal(empty.status, 64);
  assert.match(empty.stderr, /not a run directory/);
});
