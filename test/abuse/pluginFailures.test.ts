// Item 1 of issue 16: every plug-in failure (an unhandled rejection, a throw in a callback, a completion JSON
// cannot hold) and every history write failure ends the run as a harness error (255) after full teardown,
// with results.json and report.html saying what failed, and every op recorded before it kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findHistoryProblems } from '../../checkers/history.ts';
import { HistoryRecorder } from '../../harness/history/recorder.ts';
import { readHistoryJsonl } from '../../harness/history/jsonl.ts';

const cli = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));
const buggy = fileURLToPath(new URL('./fixtures/buggySystem.ts', import.meta.url));

/** Runs `faultline run` on a local 2-node campaign with the given bug; returns the exit code, output and run. */
function runWithBug(bug: string): { code: number | null; out: string; runDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-abuse-'));
  try {
    const file = join(dir, 'campaign.yaml');
    writeFileSync(
      file,
      `name: bug-${bug}\nsystem: {name: ${buggy}, options: {bug: ${bug}, after: 20}}\nnodes: {backend: local, count: 2}\n` +
        `workload: {name: register, mix: {read: 1, write: 1}}\nclients: {concurrency: 2, timeout: 500ms}\n` +
        `phases: {warmup: 5s, faults: 5s, heal: 1s, recovery: 1s, finalReads: 2s}\ncheckers: [linearizable]\nseed: 7\n`,
    );
    const r = spawnSync(process.execPath, [cli, 'run', file, '--store', join(dir, 'store'), '--progress', 'plain'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const runDir = realpathSync(join(dir, 'store', 'latest'));
    const copy = mkdtempSync(join(tmpdir(), 'faultline-abuse-run-'));
    spawnSync('cp', ['-r', `${runDir}/.`, copy]);
    return { code: r.status, out: r.stdout + r.stderr, runDir: copy };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [bug, expected] of [
  ['bigint', /cannot be written as JSON: .*BigInt/],
  ['circular', /cannot be written as JSON: .*circular/i],
  ['toJSON', /cannot be written as JSON: toJSON refuses/],
  ['getter', /cannot be written as JSON: getter refuses/],
  ['unhandled', /unhandled promise rejection .*forgotten promise in the client adapter .*buggySystem\.ts/],
  ['uncaught', /uncaught exception .*thrown in a timer of the client adapter .*buggySystem\.ts/],
] as const) {
  test(`a plug-in bug (${bug}) is a harness error after teardown, with results, report and the ops before it`, (t) => {
    const { code, out, runDir } = runWithBug(bug);
    t.after(() => {
      rmSync(runDir, { recursive: true, force: true });
    });
    assert.equal(code, 255, out);
    assert.doesNotMatch(out, /^\s+at /m, 'no stack trace');
    const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as {
      harness: { status: string; errors: string[] };
      opCounts: { ok: number };
      checks: { valid: unknown }[];
    };
    assert.equal(results.harness.status, 'failed');
    assert.match(results.harness.errors.join('\n'), expected);
    assert.match(results.harness.errors.join('\n'), /run the workload/);
    // Full teardown: the system was stopped on every node and the nodes' folder is gone.
    const log = readFileSync(join(runDir, 'harness.log'), 'utf8');
    assert.match(log, /teardown: install and start the system/);
    assert.match(log, /teardown: provision local nodes/);
    // Every op before the failure is kept and checked.
    const history = readHistoryJsonl(join(runDir, 'history.jsonl'));
    assert.deepEqual(findHistoryProblems(history.ops), []);
    assert.ok(results.opCounts.ok >= 20, `${results.opCounts.ok} ok ops kept`);
    assert.ok(results.checks.length > 0);
    const report = readFileSync(join(runDir, 'report.html'), 'utf8');
    assert.match(report, /The harness failed/);
  });
}

test('a history write that fails (a full disk) stops recording, keeps a clean prefix and is reported', () => {
  if (!existsSync('/dev/full')) return;
  const failures: Error[] = [];
  const rec = new HistoryRecorder('/dev/full');
  rec.onFailure((e) => failures.push(e));
  rec.record({ type: 'invoke', process: 0, f: 'write', value: 1 });
  rec.record({ type: 'ok', process: 0, f: 'write', value: 1 });
  rec.close();
  assert.equal(failures.length, 1, 'reported once');
  assert.match(failures[0]!.message, /writing the history \/dev\/full failed at op 0 .*ENOSPC/);
  assert.equal(rec.failure, failures[0]);
});
