// The run's checks go through the one analysis entry: nothing checked or observed is unknown (exit 2), and the
// model used is returned for results.json, so `faultline check RUN_DIR` repeats it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HistoryOp } from '../../checkers/history.ts';
import { pairOperations } from '../../checkers/history.ts';
import { listCheckers } from '../../checkers/index.ts';
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
  const { analysis, model } = await analyzeRun(pairOperations(history(['ok', 'info'])), ['linearizable']);
  assert.deepEqual([analysis.valid, analysis.exitCode], [true, 0]);
  assert.equal(model.name, 'register');
  assert.equal(analysis.results[0]?.checker, 'linearizable');
});

test('the default checkers name only registered ones: workloads without a checker get none', () => {
  assert.deepEqual(defaultCheckers('register', ['read', 'write', 'cas']), ['linearizable']);
  const known = new Set(listCheckers().map((c) => c.name));
  for (const model of ['register', 'set', 'counter', 'list-append'])
    for (const name of defaultCheckers(model)) assert.ok(known.has(name), `${model}: ${name} is registered`);
});

/**
 * A linearizable register history with two values and long, overlapping ops: nothing prunes it, so only the
 * general search decides it (some thousands of configurations). Deterministic from the seed.
 */
function concurrentRegisterHistory(processes: number, opsPerProcess: number, seed: number): HistoryOp[] {
  let s = seed;
  const rand = (n: number): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % n;
  };
  const ops: { at: number; process: number; f: 'read' | 'write'; value: number | null; invoke: number; end: number }[] =
    [];
  for (let process = 0; process < processes; process++) {
    let t = rand(10);
    for (let i = 0; i < opsPerProcess; i++) {
      const end = t + 20 + rand(2000);
      ops.push({
        at: t + 1 + rand(end - t - 1),
        process,
        f: rand(2) === 0 ? 'read' : 'write',
        value: rand(2),
        invoke: t,
        end,
      });
      t = end + 1 + rand(5);
    }
  }
  // Each op takes effect at its `at`, inside its interval: reads return what the last write before it wrote.
  let state: number | null = null;
  for (const op of [...ops].sort((a, b) => a.at - b.at)) {
    if (op.f === 'write') state = op.value;
    else op.value = state;
  }
  const events = ops.flatMap((op) => [
    {
      time: op.invoke,
      type: 'invoke' as const,
      process: op.process,
      f: op.f,
      value: op.f === 'write' ? op.value : null,
    },
    { time: op.end, type: 'ok' as const, process: op.process, f: op.f, value: op.value },
  ]);
  events.sort((a, b) => a.time - b.time);
  return events.map((e, index) => ({ index, ...e }));
}

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
