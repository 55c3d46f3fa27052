// The run's checks go through the one analysis entry: nothing checked or observed is unknown (exit 2), and the
// model used is returned for results.json, so `faultline check RUN_DIR` repeats it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HistoryOp } from '../../checkers/history.ts';
import { pairOperations } from '../../checkers/history.ts';
import { listCheckers } from '../../checkers/index.ts';
import { concurrentRegisterHistory } from '../../checkers/testing/concurrentRegister.ts';
import { parseCampaign } from '../campaign/loadCampaign.ts';
import { analyzeRun, checkBudgets, defaultCheckers } from './runChecks.ts';

function history(types: readonly ('ok' | 'info' | 'fail')[]): HistoryOp[] {
  return types.flatMap((type, i): HistoryOp[] => [
    { index: 2 * i, time: 2 * i, type: 'invoke', process: i, f: 'write', value: i },
    { index: 2 * i + 1, time: 2 * i + 1, type, process: i, f: 'write', value: i },
  ]);
}

test('a run that recorded nothing, or saw every op time out, is unknown with exit 2 and the reason', async () => {
  const names = defaultCheckers('register', ['read', 'write']);
  const empty = await analyzeRun([], names);
  assert.deepEqual([empty.analysis.valid, empty.analysis.exitCode], ['unknown', 2]);
  assert.match(empty.analysis.reason ?? '', /the history is empty/);
  const timedOut = await analyzeRun(pairOperations(history(['info', 'info', 'fail'])), names);
  assert.deepEqual([timedOut.analysis.valid, timedOut.analysis.exitCode], ['unknown', 2]);
  assert.match(timedOut.analysis.reason ?? '', /no operation completed ok/);
  const none = await analyzeRun(pairOperations(history(['ok'])), []);
  assert.deepEqual([none.analysis.valid, none.analysis.exitCode], ['unknown', 2]);
});

test('a run that observed something is judged, and the model it was judged by is returned', async () => {
  // Writes alone observe nothing (unknown, as above): an ok read of the ok write makes it judged.
  const read: HistoryOp[] = [
    { index: 4, time: 4, type: 'invoke', process: 5, f: 'read', value: null },
    { index: 5, time: 5, type: 'ok', process: 5, f: 'read', value: 0 },
  ];
  const ops = pairOperations([...history(['ok', 'info']), ...read]);
  const { analysis, model } = await analyzeRun(ops, ['linearizable']);
  assert.deepEqual([analysis.valid, analysis.exitCode], [true, 0]);
  assert.equal(model.name, 'register');
  assert.equal(analysis.results[0]?.checker, 'linearizable');
});

test('the default checkers name only registered ones: workloads without a checker get none', () => {
  assert.deepEqual(defaultCheckers('register', ['read', 'write', 'cas']), ['linearizable']);
  const known = new Set(listCheckers().map((c) => c.name));
  for (const model of ['register', 'set', 'counter', 'list-append', 'rw-register'])
    for (const name of defaultCheckers(model)) assert.ok(known.has(name), `${model}: ${name} is registered`);
});

test("the campaign's time budget reaches the checks: a history the search decides ends unknown when it runs out", async () => {
  const operations = pairOperations(concurrentRegisterHistory(50, 100, 7));
  const { campaign } = parseCampaign(
    'name: demo\nsystem: raft-kv\nworkload:\n  name: register\nchecking:\n  timeBudget: 1ms\n',
    'c.yaml',
  );
  const tight = await analyzeRun(operations, ['linearizable'], checkBudgets(campaign.checking));
  assert.deepEqual([tight.analysis.valid, tight.analysis.exitCode], ['unknown', 2]);
  assert.match(tight.analysis.results[0]?.reason ?? '', /time budget ran out/);
  // The same history with time enough is decided: the unknown above was the budget's.
  const ample = await analyzeRun(
    operations,
    ['linearizable'],
    checkBudgets(campaign.checking, { timeBudgetMs: 120_000 }),
  );
  assert.equal(ample.analysis.valid, true);
});

test('check budgets: the campaign sets them, the command line overrides each one, absent ones stay absent', () => {
  assert.deepEqual(checkBudgets(undefined), {});
  assert.deepEqual(checkBudgets({ timeBudget: '2m', memoryBudget: '2GiB' }), {
    timeBudgetMs: 120_000,
    memoryBudgetBytes: 2 * 1024 ** 3,
  });
  assert.deepEqual(checkBudgets({ timeBudget: '2m', memoryBudget: '512MiB' }, { timeBudgetMs: 5000 }), {
    timeBudgetMs: 5000,
    memoryBudgetBytes: 512 * 1024 ** 2,
  });
  assert.deepEqual(checkBudgets({}, { memoryBudgetBytes: 1024 }), { memoryBudgetBytes: 1024 });
});
