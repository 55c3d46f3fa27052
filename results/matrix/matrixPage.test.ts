import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeStoreIndex } from '../store/storeIndex.ts';
import { matrixPageCss, renderMatrixPage } from './matrixPage.ts';
import { createMatrixDir, scanMatrices, writeMatrix } from './matrixStore.ts';
import { summarizeMatrix, type MatrixCampaign, type MatrixRun } from './matrixSummary.ts';
import { matrixTable } from './matrixTable.ts';

const campaigns: MatrixCampaign[] = [
  {
    name: 'pg-serializable',
    file: 'examples/real/pg-serializable.yaml',
    checkers: ['serializable'],
    expect: { holds: ['serializable'], violates: [], source: 'PostgreSQL docs, 13.2.3 <Serializable>' },
    runsPlanned: 2,
  },
  {
    name: 'pg-rr',
    file: 'examples/real/pg-rr.yaml',
    checkers: ['serializable', 'snapshot-isolation'],
    expect: { holds: ['snapshot-isolation'], violates: ['serializable'], anomalies: ['G2-item'] },
    runsPlanned: 2,
  },
  { name: 'plain', file: 'plain.yaml', checkers: ['linearizable'], runsPlanned: 1 },
];

function run(
  campaign: string,
  index: number,
  checks: MatrixRun['checks'],
  faults: string[] = ['partition'],
): MatrixRun {
  return {
    campaign,
    index,
    seed: 100 + index,
    runDir: `${campaign}/2026120${index}T000000Z-ab${index}`,
    runId: `${campaign}-2026120${index}T000000Z-ab${index}`,
    status: 'passed',
    exitCode: 0,
    durationMs: 30_000,
    wallMs: 34_000,
    opCounts: { ok: 500, fail: 3, info: 1 },
    faults,
    checks,
    hasReport: true,
  };
}

const runs: MatrixRun[] = [
  run('pg-serializable', 1, [{ checker: 'serializable', model: 'serializability', valid: true, anomalyTypes: [] }]),
  run('pg-serializable', 2, [
    { checker: 'serializable', model: 'serializability', valid: 'unknown', anomalyTypes: [], reason: 'budget' },
  ]),
  run('pg-rr', 1, [
    {
      checker: 'serializable',
      model: 'serializability',
      valid: false,
      anomalyTypes: ['G2-item', '<script>x</script>'],
    },
    { checker: 'snapshot-isolation', model: 'snapshot isolation', valid: true, anomalyTypes: [] },
  ]),
  run(
    'pg-rr',
    2,
    [
      { checker: 'serializable', model: 'serializability', valid: true, anomalyTypes: [] },
      { checker: 'snapshot-isolation', model: 'snapshot isolation', valid: true, anomalyTypes: [] },
    ],
    ['kill'],
  ),
  run('plain', 1, [
    { checker: 'linearizable', model: 'linearizability', valid: false, anomalyTypes: ['nonlinearizable'] },
  ]),
];

test('the matrix page shows each expectation, the catch rate, per fault kind, and links every run, without scripts', () => {
  const summary = summarizeMatrix(campaigns, runs, { requireCatch: false });
  const page = renderMatrixPage(
    summary,
    {
      startedAt: '2026-12-04T21:00:00.000Z',
      state: 'finished',
      command: 'faultline matrix a b',
      exitCode: 2,
      storeRoot: '../..',
    },
    matrixPageCss(),
  );
  assert.doesNotMatch(page, /<script/i, 'readable without JS, and nothing a system returned is markup');
  assert.match(page, /&lt;script&gt;x&lt;\/script&gt;/);
  assert.match(page, /Content-Security-Policy/);
  assert.match(page, /valid in 1 of 2 runs \(1 unknown\)/);
  assert.match(page, /G2-item caught in 1 of 2 runs; seen: &lt;script&gt;x&lt;\/script&gt; ×1, G2-item ×1/);
  assert.match(page, /kill: caught 0 of 1; partition: caught 1 of 1/);
  assert.match(page, /source: PostgreSQL docs, 13.2.3 &lt;Serializable&gt;/);
  assert.match(page, /no expect: verdicts shown, nothing judged/);
  assert.match(page, /exit code 2/);
  for (const r of runs) assert.ok(page.includes(`href="../../${r.runDir}/report.html"`), r.runDir);
  assert.match(page, /href="..\/..\/index.html"/);
  // The unmet claim is listed with its row, not hidden.
  assert.match(page, /<h2>Not met<\/h2>\s*<ul>\s*<li>pg-serializable · serializable \(holds\): valid in 1 of 2 runs/);
});

test('the terminal table says met, missed and not shown, and names the runs of an unmet expectation', () => {
  const text = matrixTable(summarizeMatrix(campaigns, runs, { requireCatch: false }));
  assert.match(text, /serializable\s+holds\s+\? valid in 1 of 2 runs \(1 unknown\)/);
  assert.match(text, /serializable\s+violates\s+✓ G2-item caught in 1 of 2 runs/);
  assert.match(text, /snapshot-isolation\s+holds\s+✓ valid in 2 of 2 runs/);
  assert.match(text, /plain \(no expect: nothing judged\)/);
  assert.match(
    text,
    /claim not shown: pg-serializable serializable: .*runs: pg-serializable\/20261201T000000Z-ab1, pg-serializable\/20261202T000000Z-ab2/,
  );
});

test('a matrix written to the store is listed and linked from the store index, and is not taken for a run', async (t) => {
  const store = mkdtempSync(join(tmpdir(), 'faultline-matrix-store-'));
  t.after(() => {
    rmSync(store, { recursive: true, force: true });
  });
  const dir = createMatrixDir(store, '20261204T210000Z-abcd');
  const summary = summarizeMatrix(campaigns, runs, { requireCatch: false });
  const page = writeMatrix(dir, {
    startedAt: '2026-12-04T21:00:00.000Z',
    command: 'faultline matrix',
    state: 'interrupted',
    exitCode: 130,
    requireCatch: false,
    campaigns,
    runs,
    summary,
  });
  assert.match(readFileSync(page, 'utf8'), /interrupted: the finished runs only/);
  const data = JSON.parse(readFileSync(join(dir, 'matrix.json'), 'utf8')) as { runs: unknown[]; exitCode: number };
  assert.equal(data.runs.length, runs.length);
  assert.equal(data.exitCode, 130);
  assert.deepEqual(scanMatrices(store), [
    {
      page: '_matrix/20261204T210000Z-abcd/index.html',
      name: '20261204T210000Z-abcd',
      startedAt: '2026-12-04T21:00:00.000Z',
      state: 'interrupted',
      exitCode: 130,
      campaigns: 3,
      runs: 5,
    },
  ]);
  const index = readFileSync(await writeStoreIndex(store), 'utf8');
  assert.match(index, /href="_matrix\/20261204T210000Z-abcd\/index.html">2026-12-04T21:00:00.000Z<\/a>/);
  assert.doesNotMatch(index, /data-path="_matrix/, 'the matrix folder is not listed as a run');
});
