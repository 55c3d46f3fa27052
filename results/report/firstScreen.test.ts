// The report's first screen, as static HTML: every model's verdict and one sentence per violation come before
// everything else, times count from the first op, and what is beyond the first anomaly of a kind is collapsed.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import {
  historyFromRows,
  knownBadChecks,
  knownBadHistory,
  manyAnomalyChecks,
  sampleResults,
  writeSampleRun,
} from '../testing/sampleRuns.ts';
import { headline, microOpsText } from './format.ts';
import { writeRunReport } from './writeRunReport.ts';

const root = mkdtempSync(join(tmpdir(), 'faultline-first-screen-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

function section(page: string, id: string): string {
  return new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(page)?.[1] ?? '';
}

test('a headline is a prefix of the explanation, at most max characters and an ellipsis', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 600 }), fc.integer({ min: 30, max: 300 }), (text, max) => {
      const h = headline(text, max);
      const body = h.endsWith('…') ? h.slice(0, -1) : h;
      assert.ok(text.trim().startsWith(body), `${JSON.stringify(h)} starts ${JSON.stringify(text)}`);
      assert.ok(h.length <= max, `${h.length} > ${max}`);
    }),
  );
  assert.equal(headline('p1 read 2. Then p1 read 1.'), 'p1 read 2.');
  assert.equal(headline(`a cycle of 200 steps: ${'op 1 po op 2, '.repeat(40)}`), `a cycle of 200 steps…`);
  assert.equal(
    headline('4 elements lost; e.g. element 59 is missing. The rest.'),
    '4 elements lost; e.g. element 59 is missing.',
  );
  // A colon inside brackets is not a clause break: "T3 (process 0, ok op 6: …)" is not cut after "op 6".
  const txn = `T3 (process 0, ok op 6: append 10 to 250, read 253 = [1 3 4]) read 255 without T1's write: ${'x'.repeat(300)}`;
  assert.equal(
    headline(txn),
    "T3 (process 0, ok op 6: append 10 to 250, read 253 = [1 3 4]) read 255 without T1's write…",
  );
});

test("a transaction's micro-ops read as Elle prints them; other values are not taken for them", () => {
  assert.equal(
    microOpsText([
      ['r', 'x', [1, 2]],
      ['append', 'y', 3],
      ['w', 7, null],
    ]),
    'r x [1 2] · append y 3 · w 7 nil',
  );
  assert.equal(microOpsText(['0-12', '2-14']), null);
  assert.equal(microOpsText([['cas', 'x', 1]]), null);
  assert.equal(microOpsText([['r', 'x']]), null);
  assert.equal(microOpsText([]), null);
  assert.equal(microOpsText(3), null);
});

test('the first screen names every verdict and each violation in a sentence, before the summary', async () => {
  const history = knownBadHistory();
  const page = readFileSync(
    await writeRunReport(writeSampleRun(join(root, 'bad'), history, sampleResults(history, knownBadChecks()))),
    'utf8',
  );
  assert.ok(page.indexOf('id="at-a-glance"') < page.indexOf('id="summary"'));
  const glance = section(page, 'at-a-glance');
  for (const [checker, verdict] of [
    ['linearizable', 'violated'],
    ['sequential', 'valid'],
    ['monotonic-reads', 'violated'],
    ['read-your-writes', 'unknown'],
  ])
    assert.match(glance, new RegExp(`data-glance-verdict="${checker}"><span class="verdict verdict-${verdict}">`));
  assert.match(glance, /Process 2 read 1 \(op 3, invoked at 40 ms\)[^<]*real time\./);
  // op 2 was invoked 20 ms after the first op (op 0, at 0 ms), op 3 completed at 50 ms
  assert.match(glance, /between 0\.020 s and 0\.050 s from the first op/);
  assert.match(glance, /read your writes<\/b>: unknown, time budget of 0 ms ran out/);
});

test('times count from the first op, not from the harness start', async () => {
  // The same known-bad ops, 30 s later: node start-up took 30 s before the first op.
  const late = historyFromRows(
    knownBadHistory().map((op) => [op.time / 1e6 + 30_000, op.type, op.process, op.f, op.value]),
  );
  const page = readFileSync(
    await writeRunReport(writeSampleRun(join(root, 'late'), late, sampleResults(late, knownBadChecks()))),
    'utf8',
  );
  assert.match(section(page, 'at-a-glance'), /between 0\.020 s and 0\.050 s from the first op/);
});

test('a check with 50 anomalies shows the first and collapses the other 49', async () => {
  const history = knownBadHistory();
  const page = readFileSync(
    await writeRunReport(writeSampleRun(join(root, 'many'), history, sampleResults(history, manyAnomalyChecks(50)))),
    'utf8',
  );
  assert.match(section(page, 'at-a-glance'), /anomaly 1 of 50\)[\s\S]*\(and 49 more\)/);
  const explanations = /<section id="anomalies">([\s\S]*)<section id="history">/.exec(page)?.[1] ?? '';
  const collapsed = /<details class="more-anomalies">([\s\S]*?)<\/details>/.exec(explanations)?.[1] ?? '';
  assert.match(collapsed, /<summary>49 more monotonic reads anomalies<\/summary>/);
  assert.equal(collapsed.match(/class="anomaly"/g)?.length, 49);
  const before = explanations.slice(0, explanations.indexOf('<details class="more-anomalies">'));
  assert.equal(before.match(/class="anomaly"/g)?.length, 1);
});

test('a run the analysis calls unknown never reads as free of violations at a glance', async () => {
  const history = knownBadHistory();
  const results = sampleResults(
    history,
    knownBadChecks().filter((c) => c.valid === true),
    { verdict: { valid: 'unknown', reason: 'no operation completed ok: nothing was observed' } },
  );
  const page = readFileSync(await writeRunReport(writeSampleRun(join(root, 'unknown'), history, results)), 'utf8');
  const glance = section(page, 'at-a-glance');
  assert.match(glance, /Unknown: no operation completed ok: nothing was observed\. This is not a pass\./);
  assert.doesNotMatch(glance, /No violation/);
  const valid = sampleResults(
    history,
    knownBadChecks().filter((c) => c.valid === true),
  );
  const validPage = readFileSync(await writeRunReport(writeSampleRun(join(root, 'valid'), history, valid)), 'utf8');
  assert.match(section(validPage, 'at-a-glance'), /No violation: every model checked holds on the 7 ok ops/);
});
