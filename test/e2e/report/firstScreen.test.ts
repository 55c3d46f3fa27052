// The report as a person opening it at 1400 px would check it: the verdicts and the first violation's sentence
// on the first screen (also with JavaScript off), no diagram clipped, no two labels of a diagram on one another,
// and a report with 50 anomalies or a 200-step cycle still of a readable size. Screenshots of each go to
// test-artifacts/report-screenshots/ to be looked at.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { pairOperations } from '../../../checkers/history.ts';
import { checkCounter } from '../../../checkers/counter/counter.ts';
import { checkSet } from '../../../checkers/set/index.ts';
import { simulateSetStore } from '../../../checkers/testing/setStores.ts';
import { checkIsolation, isolationLevels } from '../../../checkers/transactional/index.ts';
import { readAnyHistory } from '../../../harness/history/formats/index.ts';
import { referenceHistoriesDir } from '../../referenceHistories.ts';
import type { CheckResult } from '../../../checkers/result.ts';
import type { HistoryOp } from '../../../checkers/history.ts';
import { writeRunReport } from '../../../results/report/writeRunReport.ts';
import {
  causalCycleChecks,
  knownBadChecks,
  knownBadHistory,
  longCycleChecks,
  longLinearizationChecks,
  manyAnomalyChecks,
  sampleResults,
  syntheticCounterHistory,
  syntheticRegisterHistory,
  writeSampleRun,
} from '../../../results/testing/sampleRuns.ts';
import { artifactsDir, launchChromium, openPage, skipReason } from './chromium.ts';
import { diagrams, intersect } from './diagramGeometry.ts';

const screenshotsDir = join(artifactsDir, '..', 'report-screenshots');
const width = 1400;
const firstScreen = 900;

async function assertDiagramsReadable(page: Page, name: string): Promise<number> {
  const found = await diagrams(page, 'figure.anomaly-graph svg');
  found.forEach((d, i) => {
    const { viewBox: v, content: c } = d;
    assert.ok(
      c.x >= v.x - 0.5 &&
        c.y >= v.y - 0.5 &&
        c.x + c.width <= v.x + v.width + 0.5 &&
        c.y + c.height <= v.y + v.height + 0.5,
      `${name}: diagram ${i}'s content ${JSON.stringify(c)} is clipped by its viewBox ${JSON.stringify(v)}`,
    );
    for (let a = 0; a < d.labels.length; a++)
      for (let b = a + 1; b < d.labels.length; b++)
        assert.ok(
          !intersect(d.labels[a]!.box, d.labels[b]!.box),
          `${name}: diagram ${i}'s labels "${d.labels[a]!.text}" and "${d.labels[b]!.text}" overlap`,
        );
  });
  // Nor the first screen's pictures of the proving ops, whose numbers and relation labels never overlap.
  for (const [i, d] of (await diagrams(page, 'figure.proving-ops svg')).entries()) {
    const { viewBox: v, content: c } = d;
    assert.ok(
      c.x >= v.x - 0.5 &&
        c.y >= v.y - 0.5 &&
        c.x + c.width <= v.x + v.width + 0.5 &&
        c.y + c.height <= v.y + v.height + 0.5,
      `${name}: proving-ops picture ${i}'s content ${JSON.stringify(c)} is clipped by its viewBox ${JSON.stringify(v)}`,
    );
    const labels = d.labels.filter((l) => !/^p\d+$/.test(l.text));
    for (let a = 0; a < labels.length; a++)
      for (let b = a + 1; b < labels.length; b++)
        assert.ok(
          !intersect(labels[a]!.box, labels[b]!.box),
          `${name}: proving-ops picture ${i}'s labels "${labels[a]!.text}" and "${labels[b]!.text}" overlap`,
        );
  }
  // The Porcupine-style view is not clipped either (its op labels are clipped to their bars on purpose, so
  // only the bars and lanes are measured).
  for (const [i, d] of (await diagrams(page, '.linearization svg')).entries()) {
    const { viewBox: v, content: c } = d;
    assert.ok(
      c.x >= v.x - 0.5 && c.y >= v.y - 0.5 && c.y + c.height <= v.y + v.height + 0.5,
      `${name}: linearization ${i}'s content ${JSON.stringify(c)} is clipped by its viewBox ${JSON.stringify(v)}`,
    );
  }
  // Nor is a diagram cut off by the page: each one's drawing fits in its figure.
  const fits = await page
    .locator('figure.anomaly-graph')
    .evaluateAll((figures: { scrollWidth: number; clientWidth: number }[]) =>
      figures.map((f) => f.scrollWidth <= f.clientWidth + 1),
    );
  assert.ok(
    fits.every((f) => f),
    `${name}: a diagram is wider than its figure`,
  );
  return found.length;
}

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotsDir, { recursive: true });
  await page.screenshot({ path: join(screenshotsDir, `${name}-first-screen.png`) });
  await page.screenshot({ path: join(screenshotsDir, `${name}-full.png`), fullPage: true });
}

interface Sample {
  name: string;
  history: HistoryOp[];
  checks: CheckResult[];
  /** The verdict badges the first screen must show, strongest model first. */
  verdicts: [string, string][];
  /** How many cycle diagrams its first screen and explanations draw. */
  diagrams: number;
}

const knownBad = knownBadHistory();
const samples: Sample[] = [
  {
    name: 'valid',
    history: knownBad,
    checks: knownBadChecks().filter((c) => c.valid === true),
    verdicts: [
      ['sequential', 'valid'],
      ['causal-cc', 'valid'],
    ],
    diagrams: 0,
  },
  {
    name: 'linearizability-failure',
    history: knownBad,
    checks: knownBadChecks().filter((c) => c.checker !== 'monotonic-reads'),
    verdicts: [
      ['linearizable', 'violated'],
      ['sequential', 'valid'],
      ['causal-cc', 'valid'],
      ['read-your-writes', 'unknown'],
    ],
    diagrams: 0,
  },
  {
    name: 'session-failure',
    history: knownBad,
    checks: [...knownBadChecks().filter((c) => c.checker === 'sequential'), ...manyAnomalyChecks(50)],
    verdicts: [
      ['sequential', 'valid'],
      ['monotonic-reads', 'violated'],
    ],
    diagrams: 1,
  },
  {
    name: 'causal-failure',
    history: knownBad,
    checks: causalCycleChecks(),
    verdicts: [['causal-ccv', 'violated']],
    diagrams: 1,
  },
];

describe('the report at a glance, in Chromium at 1400 px', { skip: skipReason }, () => {
  const root = mkdtempSync(join(tmpdir(), 'faultline-first-screen-e2e-'));
  const reports = new Map<string, string>();
  let browser: Browser;
  let setCheck: CheckResult;
  let counterCheck: CheckResult;

  before(async () => {
    for (const s of samples)
      reports.set(
        s.name,
        await writeRunReport(
          writeSampleRun(join(root, 'store', 'register', s.name), s.history, sampleResults(s.history, s.checks)),
        ),
      );
    const long = syntheticRegisterHistory(400, 4);
    reports.set(
      'long-cycle',
      await writeRunReport(
        writeSampleRun(join(root, 'store', 'register', 'long-cycle'), long, sampleResults(long, longCycleChecks(200))),
      ),
    );
    reports.set(
      'long-linearization',
      await writeRunReport(
        writeSampleRun(
          join(root, 'store', 'register', 'long-linearization'),
          long,
          sampleResults(long, longLinearizationChecks(300, 350)),
        ),
      ),
    );
    // Elle's paper example, checked by the real isolation checkers: a G-single cycle of three transactions.
    const txns = readAnyHistory(join(referenceHistoriesDir, 'elle/paper-example.edn')).ops;
    const txnChecks = isolationLevels.map((level) => checkIsolation(pairOperations(txns), level));
    reports.set(
      'transactional-failure',
      await writeRunReport(
        writeSampleRun(join(root, 'store', 'list-append', 'paper'), txns, sampleResults(txns, txnChecks)),
      ),
    );
    // A set store that forgets acknowledged adds, and a counter that over-counts, checked by the real checkers.
    const setHistory = simulateSetStore({ seed: 3, processes: 4, keys: 2, ops: 600, lossRate: 0.02 });
    setCheck = checkSet(pairOperations(setHistory));
    reports.set(
      'set-failure',
      await writeRunReport(
        writeSampleRun(join(root, 'store', 'set', 'lost'), setHistory, sampleResults(setHistory, [setCheck])),
      ),
    );
    const counterHistory = syntheticCounterHistory(600);
    counterCheck = checkCounter(pairOperations(counterHistory));
    reports.set(
      'counter-failure',
      await writeRunReport(
        writeSampleRun(
          join(root, 'store', 'counter', 'over'),
          counterHistory,
          sampleResults(counterHistory, [counterCheck]),
        ),
      ),
    );
    browser = await launchChromium();
  });
  after(async () => {
    await browser.close();
    rmSync(root, { recursive: true, force: true });
  });

  for (const sample of samples) {
    test(`${sample.name}: verdicts and the first violation on the first screen, diagrams readable`, async () => {
      const { page, errors, external } = await openPage(browser, reports.get(sample.name)!, width, firstScreen);
      assert.deepEqual(errors, []);
      assert.deepEqual(external, []);
      const glance = page.locator('#at-a-glance');
      const shown: [string, string][] = [];
      for (const item of await glance.locator('[data-glance-verdict]').all())
        shown.push([
          (await item.getAttribute('data-glance-verdict')) ?? '',
          (await item.locator('.verdict').innerText()).replace(/^\S+\s/, ''),
        ]);
      assert.deepEqual(shown, sample.verdicts);
      const glanceBox = (await glance.boundingBox())!;
      assert.ok(glanceBox.y + glanceBox.height <= firstScreen || sample.verdicts.length > 8, 'the verdicts fit');
      if (sample.verdicts.some(([, v]) => v === 'violated')) {
        const sentence = glance.locator('.finding-sentence').first();
        const box = (await sentence.boundingBox())!;
        assert.ok(
          box.y >= 0 && box.y + box.height <= firstScreen,
          `the first violation's sentence ends at ${box.y + box.height} px`,
        );
        assert.ok((await sentence.innerText()).length > 20);
        // Each violation's finding draws the ops that prove it, within the first screen for the first one.
        const pictures = glance.locator('.finding figure.proving-ops');
        assert.equal(await pictures.count(), sample.verdicts.filter(([, v]) => v === 'violated').length);
        const picture = (await pictures.first().boundingBox())!;
        assert.ok(
          picture.y + picture.height <= firstScreen,
          `the first picture ends at ${picture.y + picture.height} px`,
        );
      } else {
        assert.match(await glance.innerText(), /No violation/);
      }
      assert.equal(await assertDiagramsReadable(page, sample.name), sample.diagrams, 'diagrams checked');
      assert.equal(
        await page.locator('.linearization svg').count(),
        sample.name === 'linearizability-failure' ? 1 : 0,
        'Porcupine-style views checked',
      );
      // Fifty anomalies: the first shown, the rest collapsed, so the explanations stay a few screens tall.
      const explanations = (await page.locator('#anomalies').boundingBox())!;
      assert.ok(explanations.height < 3 * firstScreen, `the explanations are ${explanations.height} px tall`);
      await shoot(page, sample.name);
      await page.close();
    });
  }

  test('with JavaScript off, the verdicts and the violations are in the page', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: firstScreen } });
    try {
      for (const sample of samples) {
        const page = await context.newPage();
        await page.goto(pathToFileURL(reports.get(sample.name)!).href);
        const badges = await page.locator('#at-a-glance [data-glance-verdict] .verdict').allInnerTexts();
        assert.deepEqual(
          badges.map((b) => b.replace(/^\S+\s/, '')),
          sample.verdicts.map(([, v]) => v),
          sample.name,
        );
        const violated = sample.verdicts.filter(([, v]) => v === 'violated').length;
        assert.equal(await page.locator('#at-a-glance .finding-sentence').count(), violated, sample.name);
        if (violated > 0) {
          const box = (await page.locator('#at-a-glance .finding-sentence').first().boundingBox())!;
          assert.ok(box.y + box.height <= firstScreen, `${sample.name}: the sentence is below the first screen`);
        }
        if (sample.name === 'causal-failure') await assertDiagramsReadable(page, 'causal-failure without JS');
        await page.screenshot({ path: join(screenshotsDir, `${sample.name}-no-js.png`) });
        await page.close();
      }
    } finally {
      await context.close();
    }
  });

  test('the linearization view is reached from the first screen, large, and scrolled to the op that cannot be placed', async () => {
    const { page, errors } = await openPage(browser, reports.get('long-linearization')!, width, firstScreen);
    assert.deepEqual(errors, []);
    await page.locator('#at-a-glance a.lin-link').click();
    assert.equal(new URL(page.url()).hash, '#linearization-0');
    const view = page.locator('#linearization-0');
    const scroller = view.locator('.lin-scroll');
    const box = (await scroller.boundingBox())!;
    assert.ok(box.y >= 0 && box.y < firstScreen, `the view starts at ${box.y} px, off the screen`);
    // The failed op's bar is in the visible part of the (horizontally scrolled) view, and so is its label.
    const failed = (await view.locator('g[data-op="350"] > rect').boundingBox())!;
    assert.ok(
      failed.x >= box.x && failed.x + failed.width <= box.x + box.width,
      `the failed op's bar (x ${failed.x}) is outside the view (${box.x} to ${box.x + box.width})`,
    );
    assert.match((await view.locator('g[data-op="350"] text').textContent()) ?? '', /^✗ /);
    // Drawn at its own size, not shrunk to the page: bars tall enough to read a 12 px label.
    assert.ok(failed.height >= 24, `bars are ${failed.height} px tall`);
    // The 300-step prefix is not drawn from its start; its last step is.
    assert.equal(await view.locator('g[data-op="0"]').count(), 0);
    assert.equal(await view.locator('g[data-op="299"]').count(), 1);
    await page.screenshot({ path: join(screenshotsDir, 'long-linearization.png') });
    await page.close();
  });

  test("a transactional failure: one finding per distinct anomaly, the cycle with each txn's micro-ops", async () => {
    const { page, errors } = await openPage(browser, reports.get('transactional-failure')!, width, firstScreen);
    assert.deepEqual(errors, []);
    const glance = page.locator('#at-a-glance');
    // Eight isolation levels are violated by two anomalies: two findings, each naming every level it breaks.
    assert.equal(await glance.locator('[data-glance-verdict] .verdict-violated').count(), 8);
    const findings = glance.locator('.finding');
    assert.equal(await findings.count(), 2);
    const gSingle = findings.filter({ hasText: 'G-single' });
    assert.match(
      await gSingle.locator('b').first().innerText(),
      /^serializability, snapshot isolation, repeatable read$/,
    );
    const picture = gSingle.locator('figure.proving-ops');
    assert.deepEqual(
      (
        await picture
          .locator('g.po-edge')
          .evaluateAll((gs: { getAttribute(n: string): string | null }[]) =>
            gs.map((g) => g.getAttribute('data-relation')),
          )
      ).sort(),
      ['rw', 'wr', 'ww'],
    );
    assert.match(await picture.locator('.proving-list').innerText(), /append 255 8 · r 253 \[1 3 4\]/);
    const box = (await picture.boundingBox())!;
    assert.ok(box.y + box.height <= firstScreen, `the G-single picture ends at ${box.y + box.height} px`);
    // The explanation's cycle diagram writes each transaction's micro-ops one a line.
    const diagram = page.locator('#check-serializable figure.anomaly-graph');
    assert.deepEqual(await diagram.locator('g.ag-node[data-op="1"] text').allTextContents(), [
      '#1 · p0',
      'append 255 8',
      'r 253 [1 3 4]',
    ]);
    await assertDiagramsReadable(page, 'transactional-failure');
    // And the history table shows them the same way, not as JSON.
    assert.match(await page.locator('#history-table').innerText(), /append 255 8 · r 253 \[1 3 4\]/);
    await shoot(page, 'transactional-failure');
    await page.close();
  });

  test("a set failure: each set's lost elements counted, and listed with the ops that prove them", async () => {
    assert.equal(setCheck.valid, false, 'the simulated store lost elements');
    const { page, errors } = await openPage(browser, reports.get('set-failure')!, width, firstScreen);
    assert.deepEqual(errors, []);
    const lost = setCheck.anomalies.filter((a) => a.type === 'lost');
    assert.ok(lost.length > 0);
    const summary = page.locator('#check-set table.set-keys');
    for (const a of lost) {
      const elements = (a.detail as { elements: unknown[] }).elements.length;
      const row = summary.locator('tbody tr', { has: page.locator('code', { hasText: new RegExp(`^${a.key}$`) }) });
      assert.equal(await row.locator('td').nth(1).innerText(), String(elements), `lost elements of ${a.key}`);
    }
    // The first lost anomaly's table: one row per element (up to ten shown), each with its add.
    const table = page.locator('#anomaly-0 .set-elements > table');
    const firstElements = (lost[0]!.detail as { elements: { addOp: number }[] }).elements;
    assert.equal(await table.locator('tbody tr').count(), Math.min(10, firstElements.length));
    assert.match(await table.locator('tbody tr').first().innerText(), new RegExp(`#${firstElements[0]!.addOp} at `));
    // On the first screen, the read that misses the first lost element for good is marked among the adds.
    const missing = (lost[0]!.detail as { elements: { element: number; firstMissingOp: number }[] }).elements[0]!;
    const picture = page.locator('#at-a-glance figure.proving-ops').first();
    assert.equal(await picture.locator(`g.po-failed[data-op="${missing.firstMissingOp}"]`).count(), 1);
    assert.match(
      await picture.locator('.po-failed-item').innerText(),
      new RegExp(`misses ${missing.element}, as every later read does`),
    );
    await shoot(page, 'set-failure');
    await page.locator('#check-set').screenshot({ path: join(screenshotsDir, 'set-failure-explanation.png') });
    await page.close();
  });

  test('a counter failure: every read against its bounds over time, the reads outside in red', async () => {
    assert.equal(counterCheck.valid, false, 'the synthetic counter over-counts');
    const { page, errors } = await openPage(browser, reports.get('counter-failure')!, width, firstScreen);
    assert.deepEqual(errors, []);
    const chart = page.locator('#check-counter figure.counter-bounds:not(.counter-relative)');
    assert.equal(await chart.count(), 1);
    const relative = page.locator('#check-counter figure.counter-relative');
    assert.equal(await relative.locator('g.cb-outside').count(), await chart.locator('g.cb-outside').count());
    const outside = counterCheck.anomalies.reduce((n, a) => n + (a.detail as { reads: unknown[] }).reads.length, 0);
    assert.equal(await chart.locator('g.cb-outside').count(), outside);
    assert.equal(await chart.locator('g.cb-read').count(), Number(counterCheck.stats['reads']));
    const [geometry] = await diagrams(page, '#check-counter figure.counter-relative svg');
    const { viewBox: v, content: c } = geometry!;
    assert.ok(
      c.x >= v.x - 0.5 &&
        c.y >= v.y - 0.5 &&
        c.x + c.width <= v.x + v.width + 0.5 &&
        c.y + c.height <= v.y + v.height + 0.5,
      `the counter chart's content ${JSON.stringify(c)} is clipped by ${JSON.stringify(v)}`,
    );
    await page.locator('#check-counter').screenshot({ path: join(screenshotsDir, 'counter-failure-explanation.png') });
    await page.close();
  });

  test('a 200-step cycle is drawn summarised, the whole of it on demand', async () => {
    const { page, errors } = await openPage(browser, reports.get('long-cycle')!, width, firstScreen);
    assert.deepEqual(errors, []);
    const figure = page.locator('figure.anomaly-graph');
    assert.equal(await figure.count(), 1);
    assert.equal(await figure.locator('g.ag-node').count(), 5);
    assert.match((await figure.locator('g.ag-elided text').textContent()) ?? '', /… 195 more ops …/);
    await assertDiagramsReadable(page, 'long-cycle');
    const whole = figure.locator('details.whole-cycle');
    assert.equal(await whole.getAttribute('open'), null);
    await whole.locator('summary').click();
    assert.equal(await whole.locator('ol.cycle-steps li').count(), 200);
    // The long explanation shows its first clause; the rest is collapsed.
    assert.match(
      await page.locator('#anomaly-0 > .explanation').innerText(),
      /^No total order of the ops respects every process's order and every read…$/,
    );
    await figure.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(screenshotsDir, 'long-cycle.png'), fullPage: true });
    await page.close();
  });
});
