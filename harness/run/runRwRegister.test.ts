// rw-register runs end to end without Docker: workload → clients → history → isolation checks, against an
// in-process transactional store that is strictly serializable, or that reads stale snapshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findHistoryProblems, pairOperations, type Operation } from '../../checkers/history.ts';
import { checkIsolation } from '../../checkers/transactional/index.ts';
import { parseCampaign } from '../campaign/loadCampaign.ts';
import { readHistoryJsonl } from '../history/jsonl.ts';
import { runCampaign } from './runCampaign.ts';

const store = fileURLToPath(new URL('./fixtures/inProcessTxnStore.ts', import.meta.url));
const phases = `phases: {warmup: 200ms, faults: 1000ms, heal: 100ms, recovery: 200ms, finalReads: 3s}\n`;

async function run(dir: string, options: string) {
  const loaded = parseCampaign(
    `name: rw\nsystem: {name: ${store}, options: {${options}}}\nnodes: {backend: local, count: 1}\n` +
      `workload: {name: rw-register, keys: 3}\nclients: {concurrency: 3, rate: 300}\n${phases}seed: 7\n`,
    join(dir, 'campaign.yaml'),
  );
  const outcome = await runCampaign({ loaded, storeDir: join(dir, 'store') });
  const history = readHistoryJsonl(join(outcome.runDir, 'history.jsonl')).ops;
  return { outcome, history, operations: pairOperations(history) };
}

const okTxns = (operations: readonly Operation[]) => operations.filter((op) => op.status === 'ok' && op.f === 'txn');

test('a serializable store passes rw-register at transactional causal, the default, and no higher level is claimed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-rw-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const { outcome, history, operations } = await run(dir, '');
  assert.equal(outcome.status, 'passed', JSON.stringify(outcome.errors));
  assert.equal(outcome.exitCode, 0);
  assert.deepEqual(findHistoryProblems(history), []);
  // Every completion passed the pool's validation, and each ok txn is its invocation with the reads filled in.
  assert.ok(!history.some((op) => op.error?.startsWith('invalid completion')));
  for (const op of okTxns(operations)) {
    const [input, output] = [op.input as unknown[][], op.output as unknown[][]];
    assert.equal(output.length, input.length);
    input.forEach((m, i) => {
      assert.deepEqual(output[i]!.slice(0, 2), m.slice(0, 2));
      if (m[0] === 'w') assert.equal(output[i]![2], m[2]);
    });
  }
  assert.ok(okTxns(operations).length > 20, `${okTxns(operations).length} ok txns`);
  // Reads were filled in and some saw another txn's write, so the check had something to judge.
  assert.ok(
    okTxns(operations).some((op) =>
      (op.output as unknown[]).some((m) => Array.isArray(m) && m[0] === 'r' && m[2] !== null),
    ),
  );
  assert.deepEqual(
    outcome.results.checks.map((c) => [c.checker, c.valid]),
    [['transactional-causal', true]],
  );
  // Register reads cannot prove the Adya levels: unknown, with the reason, never valid.
  const strict = checkIsolation(operations, 'strict-serializable');
  assert.equal(strict.valid, 'unknown');
  assert.match(strict.reason ?? '', /rw-register/);
});

test('a store whose txns read a stale snapshot is caught at transactional causal', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-rw-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const { outcome, operations } = await run(dir, 'staleReads: true');
  assert.ok(okTxns(operations).length > 20, `${okTxns(operations).length} ok txns`);
  assert.equal(outcome.exitCode, 1);
  const check = outcome.results.checks[0]!;
  assert.equal(check.checker, 'transactional-causal');
  assert.equal(check.valid, false);
  assert.ok(check.anomalies.length > 0);
});
