// The run report in a real browser: it renders with no errors and no network requests, shows the right
// verdicts for a known-bad history, highlights an anomaly's ops when it is clicked, escapes what systems
// returned, plots clock offsets only for a run that skewed clocks, and loads a 100,000-op history in under 3 s.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { writeRunReport } from '../../../results/report/writeRunReport.ts';
import {
  causalCycleChecks,
  clockFaultHistory,
  hostileValue,
  knownBadChecks,
  knownBadHistory,
  sampleResults,
  syntheticRegisterHistory,
  writeSampleRun,
} from '../../../results/testing/sampleRuns.ts';
import { attributeValues, canvasPixels, launchChromium, openPage, poll, screenshot, skipReason } from './chromium.ts';

describe('run report in Chromium', { skip: skipReason }, () => {
  const root = mkdtempSync(join(tmpdir(), 'faultline-report-e2e-'));
  let browser: Browser;
  let smallReport: string;
  let bigReport: string;
  let clockReport: string;
  let causalReport: string;

  before(async () => {
    const history = knownBadHistory();
    smallReport = await writeRunReport(
      writeSampleRun(join(root, 'store', 'register', 'bad'), history, sampleResults(history, knownBadChecks())),
    );
    causalReport = await writeRunReport(
      writeSampleRun(join(root, 'store', 'register', 'causal'), history, sampleResults(history, causalCycleChecks())),
    );
    const clocks = clockFaultHistory();
    clockReport = await writeRunReport(
      writeSampleRun(
        join(root, 'store', 'register', 'clock'),
        clocks,
        sampleResults(clocks, knownBadChecks().slice(1, 2), {
          campaign: 'register-clock',
          faults: { applied: ['clock'], unavailable: [] },
        }),
      ),
    );
    const big = syntheticRegisterHistory(100_000, 10);
    bigReport = await writeRunReport(
      writeSampleRun(
        join(root, 'store', 'register', 'big'),
        big,
        sampleResults(big, knownBadChecks().slice(1, 2), { campaign: 'register-100k' }),
      ),
    );
    browser = await launchChromium();
  });
  after(async () => {
    await browser.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('renders with no console errors and no network requests', async () => {
    const { page, errors, external } = await openPage(browser, smallReport);
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);
    assert.equal(await page.locator('#timeline canvas').count(), 1);
    assert.equal(await page.locator('#perf .uplot').count(), 2);
    assert.equal(await page.locator('.history-row').count(), 8);
    await screenshot(page, 'known-bad-report');
    // a fault window's row zooms the timeline to it
    await page.locator('details.faults summary').click();
    await page.locator('tr[data-fault="0"]').click();
    await poll('the timeline to zoom to the partition', async () =>
      (await page.locator('#timeline .toolbar .grow').innerText()).startsWith('0.011 s – 0.059 s'),
    );
    await page.close();
  });

  test('the profile shows the verdicts of the known-bad history, strongest model first', async () => {
    const { page } = await openPage(browser, smallReport);
    const checkers = await attributeValues(page, 'table.profile tbody tr', 'data-checker');
    const verdicts = (await page.locator('table.profile tbody tr .verdict').allInnerTexts()).map((v) => v.trim());
    const rows = checkers.map((c, i) => [c, verdicts[i]]);
    assert.deepEqual(rows, [
      ['linearizable', '✗ violated'],
      ['sequential', '✓ valid'],
      ['causal-cc', '✓ valid'],
      ['monotonic-reads', '✗ violated'],
      ['read-your-writes', '? unknown'],
    ]);
    // each row links to its explanation, which exists
    await page.locator('tr[data-checker="read-your-writes"] a').click();
    assert.match(await page.locator('#check-read-your-writes').innerText(), /time budget of 0 ms ran out/);
    await screenshot(page, 'profile', '#profile');
    await page.close();
  });

  test('clicking an anomaly highlights its ops on the timeline and in the table', async () => {
    const { page, errors } = await openPage(browser, smallReport);
    const before = await canvasPixels(page, '#timeline canvas');
    const card = page.locator('.anomaly', { hasText: 'monotonic-reads' });
    await card.locator('.explanation').click();
    await poll(
      'ops 4 and 7 to be highlighted',
      async () => (await page.locator('#timeline').getAttribute('data-highlighted')) === '4,7',
    );
    assert.match((await card.getAttribute('class')) ?? '', /selected/);
    // The table redraws on the next animation frame, after the timeline has taken the selection.
    await poll(
      'rows 4 and 7 to be highlighted in the table',
      async () => (await attributeValues(page, '.history-row.highlighted', 'data-op')).join(',') === '4,7',
    );
    await page.waitForTimeout(100); // one animation frame for the canvas
    const after = await canvasPixels(page, '#timeline canvas');
    assert.notEqual(after, before, 'the timeline is redrawn with the ops highlighted');
    await screenshot(page, 'anomaly-highlighted', '#timeline-section');
    // only the highlighted anomaly's ops in the table
    await page.locator('#history-table input[type=checkbox]').check();
    assert.equal(await page.locator('.history-row').count(), 2);
    // clicking it again clears the highlight
    await card.locator('.explanation').click();
    await poll(
      'the highlight to clear',
      async () => (await page.locator('#timeline').getAttribute('data-highlighted')) === '',
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the linearizability anomaly is drawn Porcupine-style', async () => {
    const { page } = await openPage(browser, smallReport);
    const view = page.locator('.anomaly', { hasText: 'nonlinearizable' }).locator('.linearization');
    assert.equal(await view.locator('svg g[data-op]').count(), 5);
    assert.match((await view.locator('g[data-op="3"] text').textContent()) ?? '', /^✗ read\(\) → 1/);
    assert.match((await view.locator('g[data-op="0"] text').textContent()) ?? '', /^1\. write\(1\)/);
    assert.match((await view.locator('g[data-op="2"] text').textContent()) ?? '', /^2\. write\(2\)/);
    // the whole partial linearization is collapsed below the diagram until asked for
    assert.equal(await view.locator('details.lin-paths-all').getAttribute('open'), null);
    await view.locator('details.lin-paths-all summary').click();
    assert.match(await view.locator('.lin-path').innerText(), /write\(1\)\s*⇒ 1\s*write\(2\)\s*⇒ 2\s*✗ read\(\) → 1/);
    // jump to the first anomaly
    await page.locator('a.jump').click();
    // the strongest model's anomaly comes first on the page
    assert.equal(new URL(page.url()).hash, '#anomaly-1');
    assert.equal(await page.locator('#anomaly-1 .anomaly-type').innerText(), 'nonlinearizable');
    await screenshot(page, 'linearization', '#anomalies');
    await page.close();
  });

  test("a causal anomaly's cycle is drawn as an SVG diagram of its ops and relations", async () => {
    const { page, errors, external } = await openPage(browser, causalReport);
    const figure = page.locator('.anomaly', { hasText: 'CyclicCF' }).locator('figure.anomaly-graph');
    await figure.scrollIntoViewIfNeeded();
    assert.equal(await figure.locator('svg g.ag-node').count(), 4);
    assert.equal(await figure.locator('svg g.ag-edge').count(), 6);
    // each op's box is laid out in history order, left to right, and labelled
    const xs: number[] = [];
    for (const op of ['0', '5', '6', '7']) {
      const box = await figure.locator(`g.ag-node[data-op="${op}"] rect`).boundingBox();
      assert.ok(box !== null && box.width > 100 && box.height > 30, `op ${op} is drawn`);
      xs.push(box.x);
    }
    assert.deepEqual(
      xs,
      [...xs].sort((a, b) => a - b),
    );
    assert.equal(await figure.locator('g.ag-node[data-op="6"] text').nth(1).textContent(), 'read() → <script>alert…');
    // every edge is a visible arc with an arrowhead and its relation as a label
    for (let i = 0; i < 6; i++) {
      const edge = figure.locator('g.ag-edge').nth(i);
      const box = await edge.locator('path').boundingBox();
      assert.ok(box !== null && box.width > 50 && box.height > 10, `edge ${i} is drawn`);
      assert.match((await edge.locator('text').textContent()) ?? '', /^(ww|rf|co)$/);
    }
    assert.equal(await figure.locator('marker#ag-arrow-0').count(), 1);
    assert.equal(await page.locator('img').count(), 0);
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);
    await screenshot(page, 'causal-cycle-graph', '.anomaly');
    await page.close();
  });

  test('values a system returned are shown as text, never run', async () => {
    const { page, errors } = await openPage(browser, smallReport);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss), undefined);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('script').count(), 2, 'only the data island and the bundle');
    const cells = await page.locator('.history-row[data-op="6"] > div').allTextContents();
    assert.ok(cells.includes(hostileValue), `the read of ${hostileValue} shows it as text: ${cells.join(' | ')}`);
    assert.match(await page.locator('.anomaly', { hasText: 'monotonic-reads' }).innerText(), /<img src=x onerror=/);
    assert.match((await page.locator('details pre').textContent()) ?? '', /<script>alert\(1\)<\/script>/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a run with clock faults plots one offset line per skewed node; a run without has no clock plot', async () => {
    const { page, errors, external } = await openPage(browser, clockReport);
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);
    const section = page.locator('section#clock');
    assert.equal(await section.locator('h2').innerText(), 'Clock offsets');
    assert.match(await section.locator('p').first().innerText(), /not a measurement/);
    assert.equal(await section.locator('.uplot').count(), 1);
    // uPlot's legend: the time column, then one entry per node
    const legend = (await section.locator('.u-legend .u-series .u-label').allInnerTexts()).map((l) => l.trim());
    assert.deepEqual(legend, ['time', 'n1', 'n2', 'n3']);
    // hovering 35 ms into the 88 ms run reads n1's bump (+250 ms from 12 to 52 ms) off the legend
    await section.scrollIntoViewIfNeeded();
    const plot = (await section.locator('.u-over').boundingBox())!;
    await page.mouse.move(plot.x + (plot.width * 35) / 88, plot.y + plot.height / 2);
    await poll(
      "the legend to show n1's offset",
      async () => (await section.locator('.u-legend .u-series').nth(1).locator('.u-value').innerText()) === '250.0 ms',
    );
    assert.equal(await page.locator('header nav a[href="#clock"]').count(), 1);
    await screenshot(page, 'clock-offsets', 'section#clock');
    await page.close();

    const plain = await openPage(browser, smallReport);
    assert.deepEqual(plain.errors, []);
    assert.equal(await plain.page.locator('section#clock').count(), 0);
    assert.equal(await plain.page.locator('#clock-offsets').count(), 0);
    assert.equal(await plain.page.locator('header nav a[href="#clock"]').count(), 0);
    await plain.page.close();
  });

  test('a 100,000-op report loads in under 3 s and stays usable', async () => {
    // The CI machine is shared (2 cores, many test processes): a load that lost the CPU to a neighbour is
    // measured once more, and the faster of the two must be under 3 s.
    let opened = await openPage(browser, bigReport);
    const times = [opened.loadMs];
    if (opened.loadMs >= 3000) {
      await opened.page.close();
      opened = await openPage(browser, bigReport);
      times.push(opened.loadMs);
    }
    const { page, errors, external } = opened;
    process.stdout.write(`# 100,000-op report ready in ${times.join(' ms, then ')} ms\n`);
    assert.ok(Math.min(...times) < 3000, `loaded in ${times.join(', ')} ms`);
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);
    assert.match(await page.locator('.history-count').innerText(), /^100,000 of 100,000 ops$/);
    assert.ok((await page.locator('.history-row').count()) < 100, 'the table renders only the rows in view');
    // search narrows the table
    await page.locator('#history-table input[type=search]').fill('unavailable');
    await poll(
      'the search to filter',
      async () => !/^100,000 of/.test(await page.locator('.history-count').innerText()),
    );
    const failCount = Number((await page.locator('.history-count').innerText()).split(' ')[0]!.replace(/,/g, ''));
    assert.ok(failCount > 1000 && failCount < 10_000, `${failCount} failed ops match`);
    // zooming in with the wheel narrows the visible range
    const rangeBefore = await page.locator('#timeline .toolbar .grow').innerText();
    await page.locator('#timeline canvas').scrollIntoViewIfNeeded();
    const box = (await page.locator('#timeline canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -1500);
    await poll(
      'the timeline to zoom',
      async () => (await page.locator('#timeline .toolbar .grow').innerText()) !== rangeBefore,
    );
    const rangeAfter = await page.locator('#timeline .toolbar .grow').innerText();
    const opsInView = (text: string) => Number(/([\d,]+) ops in view/.exec(text)![1]!.replace(/,/g, ''));
    assert.ok(opsInView(rangeAfter) < opsInView(rangeBefore), `${rangeAfter} vs ${rangeBefore}`);
    await screenshot(page, 'report-100k');
    await page.close();
  });
});
