// The whole pipeline without Docker: campaign → workload → clients → history → checks → store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findHistoryProblems } from '../../checkers/history.ts';
import { toRunResults } from '../../results/runResults.ts';
import { parseCampaign } from '../campaign/loadCampaign.ts';
import { readHistoryJsonl } from '../history/jsonl.ts';
import { runCampaign } from './runCampaign.ts';
import { seen } from './fixtures/inProcessClusterReady.ts';

const tutorialSystem = fileURLToPath(new URL('../../examples/tutorial-kv/system.ts', import.meta.url));
const inProcess = fileURLToPath(new URL('./fixtures/inProcessRegister.ts', import.meta.url));
const clusterReadySystem = fileURLToPath(new URL('./fixtures/inProcessClusterReady.ts', import.meta.url));

function campaign(dir: string, yaml: string) {
  return parseCampaign(yaml, join(dir, 'campaign.yaml'));
}

const quickPhases = `phases: {warmup: 300ms, faults: 1500ms, heal: 200ms, recovery: 300ms, finalReads: 3s}\n`;

test('a local run of tutorial-kv under pauses stores a complete, checkable run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-run-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const loaded = campaign(
    dir,
    `name: local-pipeline\nsystem: ${tutorialSystem}\nnodes: {backend: local, count: 3}\nworkload: {name: register}\n` +
      `clients: {concurrency: 3, timeout: 500ms}\n${quickPhases}` +
      `nemesis: {faults: [{kind: pause, targets: [one]}], interval: 300ms, hold: 400ms}\ncheckers: [linearizable]\nseed: 42\n`,
  );
  const outcome = await runCampaign({ loaded, storeDir: join(dir, 'store') });
  assert.equal(outcome.status, 'passed', JSON.stringify(outcome.errors));
  assert.equal(outcome.exitCode, 0);
  const runDir = outcome.runDir;
  for (const f of ['campaign.yaml', 'seed', 'history.jsonl', 'results.json', 'harness.log'])
    assert.ok(existsSync(join(runDir, f)), f);
  assert.equal(readFileSync(join(runDir, 'seed'), 'utf8').trim(), '42');
  assert.equal(realpathSync(join(dir, 'store', 'latest')), realpathSync(runDir));
  assert.equal(realpathSync(join(dir, 'store', 'local-pipeline', 'latest')), realpathSync(runDir));
  const history = readHistoryJsonl(join(runDir, 'history.jsonl'));
  assert.equal(history.tornTail, false);
  assert.deepEqual(findHistoryProblems(history.ops), []);
  assert.ok(
    history.ops.some((op) => op.process === 'nemesis' && op.f === 'start-pause'),
    'pauses are recorded',
  );
  const results = toRunResults(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')));
  assert.deepEqual(results.nodes, ['n1', 'n2', 'n3']);
  assert.deepEqual(results.faults.applied, ['pause']);
  assert.ok(results.opCounts.ok > 20, `${results.opCounts.ok} ok ops`);
  assert.equal(results.checks[0]?.checker, 'linearizable');
  assert.equal(results.checks[0]?.valid, true);
  const extra = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as {
    workload: { name: string; model: string };
  };
  assert.deepEqual(extra.workload, { name: 'register', model: 'register' });
  for (const n of ['n1', 'n2', 'n3'])
    assert.match(readFileSync(join(runDir, 'logs', n, 'tutorial-kv.log'), 'utf8'), /listening/);
  // Final reads: every client read once, successfully, at the end.
  assert.ok(history.ops.filter((op) => op.type === 'ok' && op.f === 'read').length >= 3);
});

test('a stale register is caught: exit 1 with the anomaly in results.json', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-run-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const loaded = campaign(
    dir,
    `name: stale\nsystem: {name: ${inProcess}, options: {stale: true}}\nnodes: {backend: local, count: 1}\n` +
      `workload: {name: register, mix: {read: 1, write: 1}}\nclients: {concurrency: 2}\n${quickPhases}checkers: [linearizable]\n`,
  );
  const outcome = await runCampaign({ loaded, storeDir: join(dir, 'store') });
  assert.equal(outcome.exitCode, 1);
  assert.equal(outcome.results.checks[0]?.valid, false);
  assert.ok(outcome.results.checks[0].anomalies.length > 0);
  // The system claims linearizability: results.json says so, for the report to call the claim broken.
  assert.deepEqual(outcome.results.guarantees, ['linearizable']);
});

test('a start that throws fails the run (255) and still stops the system and takes the nodes down', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-run-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const calls: string[] = [];
  (globalThis as { inProcessRegisterCalls?: string[] }).inProcessRegisterCalls = calls;
  const loaded = campaign(
    dir,
    `name: broken\nsystem: {name: ${inProcess}, options: {failStartOn: n2}}\nnodes: {backend: local, count: 3}\n` +
      `workload: {name: register}\n${quickPhases}`,
  );
  const outcome = await runCampaign({ loaded, storeDir: join(dir, 'store') });
  assert.equal(outcome.exitCode, 255);
  assert.equal(outcome.status, 'failed');
  assert.match(String(outcome.errors[0]?.error), /n2: start refused on n2/);
  assert.deepEqual(calls.filter((c) => c.startsWith('stop')).sort(), ['stop n1', 'stop n2', 'stop n3']);
  const results = JSON.parse(readFileSync(join(outcome.runDir, 'results.json'), 'utf8')) as {
    harness: { errors: string[] };
  };
  assert.match(results.harness.errors[0]!, /start refused/);
  assert.ok(
    !existsSync(join(tmpdir(), `faultline-local-${outcome.runDir.split('/').slice(-2).join('-')}`)),
    'local nodes removed',
  );
});

test('an interrupt ends the phases early, tears down and still checks what was recorded', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-run-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const calls: string[] = [];
  (globalThis as { inProcessRegisterCalls?: string[] }).inProcessRegisterCalls = calls;
  const loaded = campaign(
    dir,
    `name: interrupted\nsystem: ${inProcess}\nnodes: {backend: local, count: 2}\nworkload: {name: register}\n` +
      `phases: {warmup: 30s, faults: 30s}\ncheckers: [linearizable]\n`,
  );
  const started = Date.now();
  const outcome = await runCampaign({
    loaded,
    storeDir: join(dir, 'store'),
    interrupted: new Promise((r) => setTimeout(r, 700)),
  });
  assert.ok(Date.now() - started < 10_000, 'stopped long before the phases would have ended');
  assert.equal(outcome.status, 'interrupted');
  assert.equal(outcome.exitCode, 130);
  assert.ok(calls.includes('stop n1') && calls.includes('stop n2'));
  assert.ok(outcome.results.opCounts.ok > 0);
  assert.equal(outcome.results.checks[0]?.valid, true);
});

test("the run's checks get the campaign's budgets, overridden by the command line's, recorded in results.json", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-run-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const loaded = campaign(
    dir,
    `name: budgets\nsystem: ${inProcess}\nnodes: {backend: local, count: 1}\n` +
      `workload: {name: register, mix: {read: 1, write: 1}}\nclients: {concurrency: 2}\n${quickPhases}` +
      `checkers: [linearizable]\nchecking: {timeBudget: 30s, memoryBudget: 512MiB}\n`,
  );
  const progress: string[] = [];
  const phases: string[] = [];
  const outcome = await runCampaign({
    loaded,
    storeDir: join(dir, 'store'),
    reporter: { line: () => undefined, status: (s) => phases.push(s.phase), end: () => undefined },
    checkBudgets: { timeBudgetMs: 60_000 },
    onCheckProgress: (p) => progress.push(`${p.event} ${p.checker} ${p.index}/${p.of}`),
  });
  const stored = JSON.parse(readFileSync(join(outcome.runDir, 'results.json'), 'utf8')) as { budgets?: unknown };
  assert.deepEqual(stored.budgets, { timeBudgetMs: 60_000, memoryBudgetBytes: 512 * 1024 * 1024 });
  assert.deepEqual(progress, ['start linearizable 1/1', 'end linearizable 1/1']);
  // The status line's last word is the phase the run is in when the phases end: checking.
  assert.equal(phases.at(-1), 'checking');
  assert.ok(phases.length > 1, 'the phases sent their own status first');
});

test('clusterReady is polled until true before any traffic; clients are told their workload; servedBy is recorded', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-run-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const loaded = campaign(
    dir,
    `name: cluster-ready\nsystem: ${clusterReadySystem}\nnodes: {backend: local, count: 2}\nworkload: {name: key-value, keys: 2}\n` +
      `clients: {concurrency: 2, timeout: 500ms, rate: 200}\n${quickPhases}checkers: [linearizable]\nseed: 7\n`,
  );
  const outcome = await runCampaign({ loaded, storeDir: join(dir, 'store') });
  assert.equal(outcome.status, 'passed', JSON.stringify(outcome.errors));
  assert.equal(seen.clusterReadyCalls, 3);
  assert.deepEqual(seen.handles, ['n1:function', 'n2:function'], 'every node as a handle, exec included');
  assert.ok(seen.workloads.length >= 2 && seen.workloads.every((w) => w === 'key-value/register'));
  const history = readHistoryJsonl(join(outcome.runDir, 'history.jsonl')).ops;
  assert.ok(seen.readyAt > 0 && seen.firstOpAt >= seen.readyAt, 'no op before the cluster was ready');
  const completions = history.filter((op) => op.process !== 'nemesis' && op.type !== 'invoke');
  assert.ok(completions.every((op) => op.servedBy !== undefined));
  assert.ok(completions.some((op) => op.type === 'ok' && op.servedBy === 'n1' && op.node === 'n2'));
  assert.deepEqual(outcome.results.wrongShape, { count: 0 });
});
