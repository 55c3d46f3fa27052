import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import {
  causalCycleChecks,
  clockFaultHistory,
  hostileExplanation,
  hostileValue,
  knownBadChecks,
  knownBadHistory,
  sampleResults,
  syntheticRegisterHistory,
  writeSampleRun,
} from '../testing/sampleRuns.ts';
import type { ReportData } from './model.ts';
import { writeRunReport } from './writeRunReport.ts';

const root = mkdtempSync(join(tmpdir(), 'faultline-report-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

function knownBadRun(name: string): string {
  const history = knownBadHistory();
  return writeSampleRun(join(root, name), history, sampleResults(history, knownBadChecks()));
}

test('writes a self-contained report.html with the summary, the profile and the explanations', async () => {
  const dir = knownBadRun('bad');
  const path = await writeRunReport(dir);
  assert.equal(path, join(dir, 'report.html'));
  const page = readFileSync(path, 'utf8');
  assert.match(
    page,
    /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'/,
  );
  assert.match(page, /register-partition/);
  assert.match(page, /libfaketime is not installed/);
  for (const [checker, verdict] of [
    ['linearizable', 'violated'],
    ['sequential', 'valid'],
    ['causal-cc', 'valid'],
    ['monotonic-reads', 'violated'],
    ['read-your-writes', 'unknown'],
  ]) {
    assert.match(page, new RegExp(`<tr data-checker="${checker}" class="row-${verdict}">`));
  }
  // strongest model first in the profile
  assert.ok(page.indexOf('data-checker="linearizable"') < page.indexOf('data-checker="monotonic-reads"'));
  assert.match(page, /href="logs\/n1\/server\.log"/);
  assert.match(page, /Jump to the first anomaly/);
  // nothing is fetched: no src or href leaves the file
  assert.doesNotMatch(page, /\s(src|href)="(https?:)?\/\//);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

test('a violated model the system claims is called out as a broken claim; an unclaimed one is not', async () => {
  const history = knownBadHistory();
  const claiming = await writeRunReport(
    writeSampleRun(
      join(root, 'claims'),
      history,
      sampleResults(history, knownBadChecks(), { guarantees: ['sequential'] }),
    ),
  );
  const page = readFileSync(claiming, 'utf8');
  // sequential (claimed) holds; monotonic-reads (implied by the claim) is violated; linearizable is not claimed.
  assert.match(page, /lww-register claims monotonic reads[^<]*, and the checker found\s+it violated/);
  assert.match(page, /<tr data-checker="monotonic-reads"[\s\S]*?yes, broken/);
  assert.match(page, /<tr data-checker="linearizable"[\s\S]*?<td>no<\/td>/);
  assert.match(page, /<tr data-checker="sequential"[\s\S]*?yes, held/);
  const silent = readFileSync(await writeRunReport(knownBadRun('no-claims')), 'utf8');
  assert.doesNotMatch(silent, /and the checker found/);
  assert.match(silent, /no claims declared/);
});

test('a run that skewed clocks gets a clock offsets section and nav link; one that did not gets neither', async () => {
  const history = clockFaultHistory();
  history.find((op) => op.f === 'stop-clock')!.error = hostileValue;
  const page = readFileSync(
    await writeRunReport(writeSampleRun(join(root, 'clock'), history, sampleResults(history, []))),
    'utf8',
  );
  assert.match(page, /<section id="clock">\s*<h2>Clock offsets<\/h2>/);
  assert.match(page, /<a href="#clock">Clocks<\/a>/);
  assert.match(page, /<div id="clock-offsets"><\/div>/);
  // a failed reset's note, with the error escaped
  assert.match(page, /Resetting the clock of n1 failed at 0\.052 s \(&lt;script&gt;alert\(1\)&lt;\/script&gt;\)/);
  const plain = readFileSync(await writeRunReport(knownBadRun('no-clock')), 'utf8');
  assert.doesNotMatch(plain, /id="clock|href="#clock"/);
});

test('values a system returned never appear as markup', async () => {
  const page = readFileSync(await writeRunReport(knownBadRun('hostile')), 'utf8');
  assert.ok(!page.includes(hostileValue), 'the raw <script> value must not appear anywhere');
  assert.ok(!page.includes(hostileExplanation));
  assert.ok(page.includes('&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;'));
  assert.ok(page.includes('\\u003cscript>alert(1)\\u003c/script>'), 'the data island escapes <');
});

test('a run without results.json, or with a torn history, still gets a report saying so', async () => {
  const history = knownBadHistory();
  const dir = writeSampleRun(join(root, 'crashed'), history, null);
  writeFileSync(join(dir, 'history.jsonl'), readFileSync(join(dir, 'history.jsonl'), 'utf8') + '{"index":18,"ti');
  const page = readFileSync(await writeRunReport(dir), 'utf8');
  assert.match(page, /No usable results\.json: results\.json is missing/);
  assert.match(page, /The last line of history\.jsonl was torn/);
  writeFileSync(join(dir, 'results.json'), '{"campaign": 3}');
  assert.match(readFileSync(await writeRunReport(dir), 'utf8'), /not a valid results file/);
});

test('a big history is inlined gzipped', async () => {
  const history = syntheticRegisterHistory(20_000, 8);
  const dir = writeSampleRun(join(root, 'big'), history, sampleResults(history, []));
  const page = readFileSync(await writeRunReport(dir), 'utf8');
  assert.match(page, /<script type="text\/plain" id="faultline-data-gz">[A-Za-z0-9+/=]+<\/script>/);
  assert.doesNotMatch(page, /id="faultline-data"/);
});

test('a history of several read chunks, with characters split between them, is read whole', async () => {
  // Values of multi-byte characters, over 1 MiB chunks: a line, and a character, straddle each boundary.
  const history = syntheticRegisterHistory(30_000, 8).map((op) =>
    typeof op.value === 'string' ? { ...op, value: `é€😀-${op.value}` } : op,
  );
  const dir = writeSampleRun(join(root, 'chunked'), history, sampleResults(history, []));
  assert.ok(statSync(join(dir, 'history.jsonl')).size > 2 * 2 ** 20, 'the history spans chunks');
  const base64 = /id="faultline-data-gz">([A-Za-z0-9+/=]+)</.exec(readFileSync(await writeRunReport(dir), 'utf8'))?.[1];
  const data = JSON.parse(gunzipSync(Buffer.from(base64 ?? '', 'base64')).toString('utf8')) as ReportData;
  const clientOps = history.filter((op) => op.process !== 'nemesis' && op.type === 'invoke').length;
  assert.equal(data.ops.count, clientOps);
  const written = history.find((op) => op.process !== 'nemesis' && typeof op.value === 'string')!;
  assert.ok(data.ops.input.includes(written.value), 'multi-byte values survive the chunk boundaries');
});

test('a caller holding the history and results passes them instead of having them re-read', async () => {
  const history = knownBadHistory();
  const dir = join(root, 'in-memory');
  mkdirSync(dir);
  const page = readFileSync(
    await writeRunReport(dir, { history, results: sampleResults(history, knownBadChecks()) }),
    'utf8',
  );
  assert.match(page, /<tr data-checker="linearizable" class="row-violated">/);
  assert.doesNotMatch(page, /history\.jsonl is missing/);
});

test("the real checkers' results render, the linearizability counterexample with its view", async () => {
  const { checkConsistencyProfile } = await import('../../checkers/profile.ts');
  const { pairOperations } = await import('../../checkers/history.ts');
  const history = knownBadHistory();
  const profile = await checkConsistencyProfile(pairOperations(history), { timeBudgetMs: 10_000 });
  const checks = profile.rows.map(
    (row) =>
      row.result ?? {
        checker: row.checker,
        model: row.model,
        valid: row.valid,
        anomalies: row.anomalies,
        ...(row.reason === undefined ? {} : { reason: row.reason }),
        stats: { ops: 8, timeMs: 0 },
      },
  );
  const dir = writeSampleRun(join(root, 'real-checkers'), history, sampleResults(history, checks));
  const page = readFileSync(await writeRunReport(dir), 'utf8');
  assert.match(page, /<tr data-checker="linearizable" class="row-violated">/);
  const island = /<script type="application\/json" id="faultline-data">(.*?)<\/script>/s.exec(page)?.[1];
  const data = JSON.parse(island ?? '{}') as { anomalies: { checker: string; linearization?: { failedOp: number } }[] };
  const linearizable = data.anomalies.find((a) => a.checker === 'linearizable');
  // The view is anchored on the op the checker's explanation names: one of the two reads of 1 after 2 was
  // written (ops 3 and 7), whichever the checker gives as its evidence.
  const named = checks.find((c) => c.checker === 'linearizable')?.anomalies[0]?.ops[0];
  assert.ok(named === 3 || named === 7, `the checker blamed op ${String(named)}`);
  assert.equal(linearizable?.linearization?.failedOp, named);
});

test("a causal anomaly's cycle is drawn as inline SVG: one box per op, one arrow per edge, values escaped", async () => {
  const history = knownBadHistory();
  const checks = causalCycleChecks();
  // An edge to an op the history does not have is left out rather than drawn to nowhere.
  const graph = (checks[0]!.anomalies[0]!.detail as { graph: { edges: unknown[] } }).graph;
  graph.edges.push({ from: 0, to: 99, relation: 'po' });
  const dir = writeSampleRun(join(root, 'causal-cycle'), history, sampleResults(history, checks));
  const page = readFileSync(await writeRunReport(dir), 'utf8');
  const figure = /<figure class="anomaly-graph" data-graph="0">([\s\S]*?)<\/figure>/.exec(page)?.[1];
  assert.ok(figure, 'the anomaly has a diagram');
  assert.match(figure, /<svg[^>]*viewBox="0 0 \d+ \d+"/);
  assert.equal(figure.match(/<g class="ag-node"/g)?.length, 4);
  assert.equal(figure.match(/<g class="ag-edge/g)?.length, 6);
  assert.equal(figure.match(/marker-end="url\(#ag-arrow-0\)"/g)?.length, 6);
  for (const relation of ['ww', 'rf', 'co']) assert.match(figure, new RegExp(`data-relation="${relation}"`));
  // ops in history order: w1 (op 0) first, r→1 (op 7) last
  const order = [...figure.matchAll(/<g class="ag-node" data-op="(\d+)"/g)].map((m) => Number(m[1]));
  assert.deepEqual(order, [0, 5, 6, 7]);
  assert.match(figure, /#6 · p0/);
  assert.ok(!figure.includes('<script>'), 'the written value is escaped in the labels');
  assert.match(figure, /write\(&lt;script&gt;alert…\)/);
  // anomalies without a graph (the hand-made linearizability one keeps its own view) get no figure
  const plain = readFileSync(await writeRunReport(knownBadRun('no-graph')), 'utf8');
  assert.doesNotMatch(plain, /class="anomaly-graph"/);
});

test('a graph of more than 12 ops is drawn summarised, its first and last ops and a count, all of it listed', async () => {
  const history = knownBadHistory();
  const checks = causalCycleChecks();
  const nodes = Array.from({ length: 8 }, (_, i) => i);
  checks[0]!.anomalies[0]!.detail = {
    graph: { nodes: [...nodes, ...nodes], edges: nodes.slice(1).map((i) => ({ from: i - 1, to: i, relation: 'po' })) },
  };
  const dir = writeSampleRun(join(root, 'graph-dedupe'), history, sampleResults(history, checks));
  const page = readFileSync(await writeRunReport(dir), 'utf8');
  assert.equal(page.match(/<g class="ag-node"/g)?.length, 8, 'duplicate nodes are drawn once');
  assert.doesNotMatch(page, /more ops \(and their edges\) not drawn/);
  const big = syntheticRegisterHistory(40, 4);
  const many = Array.from({ length: 20 }, (_, i) => i);
  const bigChecks = causalCycleChecks();
  bigChecks[0]!.anomalies[0]!.detail = {
    graph: { nodes: many, edges: many.slice(1).map((i) => ({ from: i - 1, to: i, relation: 'po' })) },
  };
  const bigPage = readFileSync(
    await writeRunReport(writeSampleRun(join(root, 'graph-cap'), big, sampleResults(big, bigChecks))),
    'utf8',
  );
  // ops 0-2 and 18-19 drawn, with the po edges among them and two dashed arrows through the elided 15
  assert.deepEqual(
    [...bigPage.matchAll(/<g class="ag-node" data-op="(\d+)"/g)].map((m) => Number(m[1])),
    [0, 1, 2, 18, 19],
  );
  assert.equal(bigPage.match(/<g class="ag-edge rel-po"/g)?.length, 3);
  assert.equal(bigPage.match(/<g class="ag-edge rel-elided"/g)?.length, 2);
  assert.match(bigPage, /… 15 more ops …/);
  const whole = /<details class="whole-cycle">([\s\S]*?)<\/details>/.exec(bigPage)?.[1] ?? '';
  assert.match(whole, /All 19 relations of the 20 ops/);
  assert.equal(whole.match(/<li>/g)?.length, 19);
});

test('how the harness fared is shown: an interrupted run says so', async () => {
  const history = knownBadHistory();
  const results = {
    ...sampleResults(history, knownBadChecks()),
    workload: { name: 'register', model: 'register' },
    harness: { status: 'interrupted', errors: ['fault window: interrupted by <Ctrl-C>'], softErrors: [] },
  };
  const dir = writeSampleRun(join(root, 'interrupted'), history, results);
  const page = readFileSync(await writeRunReport(dir), 'utf8');
  assert.match(page, /The harness interrupted:/);
  assert.match(page, /fault window: interrupted by &lt;Ctrl-C&gt;/);
  assert.match(page, /register \(register\)/);
});
