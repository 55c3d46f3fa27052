// Ctrl-C during a run: the first SIGINT stops the run, heals, stops the system, removes the nodes and still
// checks and stores what was recorded, exiting 130. Uses local nodes (real processes), so it needs no Docker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { repo, tutorialProject } from './tutorialProject.ts';

test('the first Ctrl-C tears the run down, checks what was recorded and exits 130', { timeout: 120_000 }, async (t) => {
  const dir = tutorialProject(
    'faultline-e2e-interrupt-',
    'name: interrupt-me\nsystem: ./system.ts\nnodes: {backend: local, count: 3}\nworkload: {name: register}\n' +
      'phases: {warmup: 60s, faults: 60s}\ncheckers: [linearizable]\n',
  );
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const child = spawn(
    process.execPath,
    [join(repo, 'bin', 'faultline.js'), 'run', 'campaign.yaml', '--progress', 'plain'],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
  const campaignDir = join(dir, 'store', 'interrupt-me');
  const deadline = Date.now() + 60_000;
  for (;;) {
    assert.ok(Date.now() < deadline, `the run never got going:\n${out}`);
    const run = existsSync(campaignDir) ? readdirSync(campaignDir).find((d) => d !== 'latest') : undefined;
    const history = run === undefined ? '' : join(campaignDir, run, 'history.jsonl');
    if (history !== '' && existsSync(history) && readFileSync(history, 'utf8').split('\n').length > 50) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const interruptedAt = Date.now();
  child.kill('SIGINT');
  const code = await exit;
  assert.equal(code, 130, out);
  assert.ok(Date.now() - interruptedAt < 30_000, 'it did not wait for the phases to end');
  const runDir = realpathSync(join(campaignDir, 'latest'));
  const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as {
    harness: { status: string };
    checks: { valid: unknown }[];
  };
  assert.equal(results.harness.status, 'interrupted');
  assert.equal(results.checks[0]?.valid, true);
  assert.match(out, /interrupted: faults healed and nodes torn down/);
  // The nodes' folders are gone and no server of this run is left running.
  const runId = `${basename(campaignDir)}-${basename(runDir)}`;
  assert.ok(!existsSync(join(tmpdir(), `faultline-local-${runId}`)), 'local nodes removed');
  const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
  assert.ok(!ps.includes(`faultline-local-${runId}`), 'no server process left');
});
