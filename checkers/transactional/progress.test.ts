// The isolation analysis as the run and `check` run it: it pauses with its progress between stages and in the
// cycle search (so a long check's line moves and a Ctrl-C is heard), and its verdicts are the synchronous ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pairOperations, type Operation } from '../history.ts';
import { readAnyHistory } from '../../harness/history/formats/index.ts';
import { referenceHistoriesDir as root } from '../../test/referenceHistories.ts';
import { formatIsolationProgress } from '../../harness/run/statusLine.ts';
import { analyzeIsolation, analyzeIsolationAsync, type IsolationSearchProgress } from './isolation.ts';

const read = (file: string): Operation[] => pairOperations(readAnyHistory(join(root, file)).ops);

test('the async analysis reports each stage in order, then every component, and agrees with the sync one', async () => {
  const ops = read('elle/huge-scc.edn');
  const seen: IsolationSearchProgress[] = [];
  // A fresh array: the memo is per operations array, so neither call sees the other's result.
  const a = await analyzeIsolationAsync([...ops], { progressEveryMs: 0, onProgress: (p) => seen.push(p) });
  const b = analyzeIsolation([...ops]);
  assert.deepEqual(a.levels, b.levels);
  assert.deepEqual(
    a.anomalies.map((x) => x.type),
    b.anomalies.map((x) => x.type),
  );
  const stages = [...new Set(seen.map((p) => p.stage))];
  assert.deepEqual(stages, ['inference', 'graph', 'weak levels', 'cycles']);
  const cycles = seen.filter((p) => p.stage === 'cycles');
  assert.equal(cycles.length, a.stats.components);
  assert.deepEqual(
    cycles.map((p) => p.componentsSearched),
    cycles.map((_, i) => i),
  );
  assert.ok(cycles.every((p) => p.transactions === a.stats.transactions && p.edges === a.stats.edges));
  const line = formatIsolationProgress({ ...cycles.at(-1)!, budgetLeftMs: 5000 });
  assert.equal(
    line,
    `cycle search: ${(a.stats.components - 1).toLocaleString('en-US')} of ${a.stats.components.toLocaleString('en-US')} components searched ` +
      `(${a.stats.transactions.toLocaleString('en-US')} transactions, ${a.stats.edges.toLocaleString('en-US')} edges), 5.0 s of budget left`,
  );
  assert.match(
    formatIsolationProgress({ ...seen[0]!, budgetLeftMs: null }),
    /^inferring version orders \([\d,]+ transactions\)$/,
  );
});

test('an aborted async analysis stops at its next pause', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    analyzeIsolationAsync(read('elle/huge-scc.edn'), { progressEveryMs: 0, signal: controller.signal }),
    /interrupted/,
  );
});
