// Item 6 of issue 16: a signal while checking ends the run as interrupted (130) with the checkers it stopped
// marked unchecked, never valid; a `report` stopped by a signal, or killed, leaves no temporary file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCampaign } from '../../harness/campaign/loadCampaign.ts';
import { runCampaign } from '../../harness/run/runCampaign.ts';
import { silentReporter } from '../../harness/run/statusLine.ts';
import { sampleResults, syntheticRegisterHistory, writeSampleRun } from '../../results/testing/sampleRuns.ts';

const cli = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));
const inProcess = fileURLToPath(new URL('../../harness/run/fixtures/inProcessRegister.ts', import.meta.url));

test('a Ctrl-C while checking: interrupted (130), the stopped checkers unknown and not checked', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-abuse-check-int-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const loaded = parseCampaign(
    `name: int-check\nsystem: ${inProcess}\nnodes: {backend: local, count: 1}\n` +
      `workload: {name: register, mix: {read: 1, write: 1}}\nclients: {concurrency: 2}\n` +
      `phases: {warmup: 300ms, faults: 300ms, heal: 100ms, recovery: 100ms, finalReads: 1s}\n` +
      `checkers: [linearizable, sequential]\n`,
    join(dir, 'campaign.yaml'),
  );
  let interrupt!: () => void;
  const interrupted = new Promise<void>((r) => (interrupt = r));
  const outcome = await runCampaign({
    loaded,
    storeDir: join(dir, 'store'),
    interrupted,
    // The signal arrives as checking starts: after teardown, before any verdict.
    reporter: {
      ...silentReporter,
      line: (m) => {
        if (m.startsWith('checking ')) interrupt();
      },
    },
  });
  assert.equal(outcome.status, 'interrupted');
  assert.equal(outcome.exitCode, 130);
  assert.deepEqual(
    outcome.results.checks.map((c) => [c.checker, c.valid]),
    [
      ['linearizable', 'unknown'],
      ['sequential', 'unknown'],
    ],
  );
  assert.ok(outcome.results.checks.every((c) => c.reason?.includes('not checked')));
  const stored = JSON.parse(readFileSync(join(outcome.runDir, 'results.json'), 'utf8')) as {
    harness: { status: string };
  };
  assert.equal(stored.harness.status, 'interrupted');
});

function sampleRun(root: string): string {
  const history = syntheticRegisterHistory(20_000);
  return writeSampleRun(join(root, 'store', 'big', '20261204T190000Z-abcd'), history, sampleResults(history, []));
}

test('a report stopped by SIGTERM at any point leaves no temporary file', { timeout: 120_000 }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'faultline-abuse-report-'));
  t.after(() => {
    rmSync(root, { recursive: true, force: true });
  });
  const runDir = sampleRun(root);
  for (const delayMs of [300, 900, 1500, 2500]) {
    const child = spawn(process.execPath, [cli, 'report', runDir, '--no-index'], { stdio: 'ignore' });
    // Listen before the signal: a report that finishes first has already exited when the signal is sent.
    const exited = new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, delayMs));
    child.kill('SIGTERM');
    await exited;
    assert.deepEqual(
      readdirSync(runDir).filter((f) => f.endsWith('.tmp')),
      [],
      `after SIGTERM at ${delayMs} ms`,
    );
  }
});

test("a SIGKILLed report's temporary file is removed by the next report", (t) => {
  const root = mkdtempSync(join(tmpdir(), 'faultline-abuse-report-'));
  t.after(() => {
    rmSync(root, { recursive: true, force: true });
  });
  const runDir = sampleRun(root);
  // What a report killed mid-write leaves: its pid is gone (a pid past pid_max cannot be live).
  writeFileSync(join(runDir, 'report.html.4999999.1764874800000.tmp'), 'half a report');
  const r = spawnSync(process.execPath, [cli, 'report', runDir, '--no-index'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    readdirSync(runDir).filter((f) => f.endsWith('.tmp')),
    [],
  );
});
