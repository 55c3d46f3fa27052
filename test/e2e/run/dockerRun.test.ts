// `faultline run` on real containers: a ~20 s campaign against a trivial system (the tutorial's tutorial-kv)
// under a partition schedule stores a complete history, results and node logs and removes its containers;
// a harness killed with SIGKILL mid-run leaves a history that `faultline check` reads.
// Skips, saying why, when no Docker engine answers. Cleans up its containers even when it fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { findHistoryProblems } from '../../../checkers/history.ts';
import { readHistoryJsonl } from '../../../harness/history/jsonl.ts';
import { removeRunResources } from '../../../harness/nodes/cluster.ts';
import { dockerClient, engineAnswers, RUN_LABEL } from '../../../harness/nodes/dockerEngine.ts';
import { toRunResults } from '../../../results/runResults.ts';
import { repo, tutorialProject } from './tutorialProject.ts';

const cli = join(repo, 'bin', 'faultline.js');
const noEngine = (await engineAnswers()) ? false : 'no Docker engine answers (run `bash docker/ensure-engine.sh`)';
if (noEngine !== false) process.stdout.write(`# skipping docker run tests: ${noEngine}\n`);

const tutorialDir = (campaign: string): string => tutorialProject('faultline-e2e-run-', campaign);

const campaignText = (name: string, faults: string): string =>
  `name: ${name}\nsystem: ./system.ts\nnodes: {backend: docker, count: 3}\nworkload: {name: register}\n` +
  `clients: {concurrency: 4, timeout: 1s}\nphases: {warmup: 2s, faults: ${faults}, heal: 1s, recovery: 2s, finalReads: 5s}\n` +
  `nemesis:\n  faults: [{kind: partition, topologies: [one, halves]}]\n  interval: 2s\n  hold: 3s\ncheckers: [linearizable]\nseed: 7\n`;

/** The run id the harness gives docker resources: <campaign>-<run dir name>. */
function runIdOf(runDir: string): string {
  return `${basename(join(runDir, '..'))}-${basename(runDir)}`;
}

async function containersOf(runId: string): Promise<string[]> {
  const list = await dockerClient().listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
  return list.map((c) => c.Names[0] ?? c.Id);
}

test(
  'a ~20 s partition campaign on docker nodes stores history, results and logs, and removes its nodes',
  { skip: noEngine, timeout: 600_000 },
  async (t) => {
    const name = `e2e-run-partition-${process.pid}`;
    const dir = tutorialDir(campaignText(name, '14s'));
    const latest = join(dir, 'store', name, 'latest');
    t.after(async () => {
      if (existsSync(latest)) await removeRunResources({ runId: runIdOf(realpathSync(latest)) });
      rmSync(dir, { recursive: true, force: true });
    });
    const r = spawnSync(process.execPath, [cli, 'run', 'campaign.yaml', '--progress', 'plain', '--no-report'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 500_000,
    });
    const out = `${r.stdout}${r.stderr}`;
    const runDir = realpathSync(latest);
    assert.equal(r.status, 0, out);
    const history = readHistoryJsonl(join(runDir, 'history.jsonl'));
    assert.deepEqual(findHistoryProblems(history.ops), []);
    const nemesis = history.ops.filter((op) => op.process === 'nemesis');
    assert.ok(
      nemesis.some((op) => op.f === 'start-partition'),
      `partitions were applied:\n${out}`,
    );
    assert.equal(
      nemesis.filter((op) => op.f === 'start-partition').length,
      nemesis.filter((op) => op.f === 'stop-partition').length,
      'every partition was stopped',
    );
    const results = toRunResults(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')));
    assert.deepEqual(results.faults.applied, ['partition']);
    assert.equal(results.checks[0]?.valid, true);
    assert.ok(results.opCounts.ok > 20);
    for (const n of ['n1', 'n2', 'n3'])
      assert.match(readFileSync(join(runDir, 'logs', n, 'tutorial-kv.log'), 'utf8'), /listening/);
    assert.deepEqual(await containersOf(runIdOf(runDir)), [], 'the containers are gone');
  },
);

test(
  'SIGKILL of the harness mid-run leaves a history that `faultline check` reads',
  { skip: noEngine, timeout: 600_000 },
  async (t) => {
    const name = `e2e-run-sigkill-${process.pid}`;
    const dir = tutorialDir(campaignText(name, '120s'));
    let runDir: string | undefined;
    t.after(async () => {
      if (runDir !== undefined) await removeRunResources({ runId: runIdOf(runDir) });
      rmSync(dir, { recursive: true, force: true });
    });
    const child = spawn(process.execPath, [cli, 'run', 'campaign.yaml', '--progress', 'plain'], {
      cwd: dir,
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        resolve();
      }),
    );
    // Wait until the run is well into its traffic, then kill the harness without any chance to clean up.
    const deadline = Date.now() + 400_000;
    for (;;) {
      assert.ok(Date.now() < deadline, 'the run never got going');
      const campaignDir = join(dir, 'store', name);
      const runs = existsSync(campaignDir) ? readdirSync(campaignDir).filter((d) => d !== 'latest') : [];
      if (runs[0] !== undefined) {
        runDir = join(campaignDir, runs[0]);
        const history = join(runDir, 'history.jsonl');
        if (existsSync(history) && readFileSync(history, 'utf8').split('\n').length > 200) break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    child.kill('SIGKILL');
    await exited;
    assert.ok(!existsSync(join(runDir, 'results.json')), 'the harness died before writing results');
    const check = spawnSync(process.execPath, [cli, 'check', runDir], { encoding: 'utf8', timeout: 120_000 });
    const out = `${check.stdout}${check.stderr}`;
    assert.ok(check.status === 0, `faultline check exits 0 on the killed run's history (got ${check.status}):\n${out}`);
    assert.match(out, /valid/i);
  },
);
