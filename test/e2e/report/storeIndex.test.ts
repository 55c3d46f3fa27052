// The store index in a real browser: every run listed, filtering by text and verdict, sorting by column.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { writeRunReport } from '../../../results/report/writeRunReport.ts';
import { writeStoreIndex } from '../../../results/store/storeIndex.ts';
import { knownBadChecks, knownBadHistory, sampleResults, writeSampleRun } from '../../../results/testing/sampleRuns.ts';
import { attributeValues, launchChromium, openPage, screenshot, skipReason, waitUntilReady } from './chromium.ts';

describe('store index in Chromium', { skip: skipReason }, () => {
  const store = mkdtempSync(join(tmpdir(), 'faultline-index-e2e-'));
  let browser: Browser;
  let index: string;

  before(async () => {
    const history = knownBadHistory();
    const checks = knownBadChecks();
    const runs: [string, string, number, typeof checks][] = [
      ['register-partition', '2026-11-20T10:00:00.000Z', 61_000, checks],
      ['register-partition', '2026-11-21T10:00:00.000Z', 59_000, checks.slice(1, 2)],
      ['queue-kill', '2026-11-22T10:00:00.000Z', 300_000, [checks[0]!, checks[4]!]],
    ];
    for (const [campaign, startedAt, durationMs, c] of runs) {
      const dir = writeSampleRun(
        join(store, campaign, startedAt.replace(/[-:]/g, '')),
        history,
        sampleResults(history, c, {
          campaign,
          startedAt,
          durationMs,
          system: campaign.startsWith('queue') ? 'gossip-queue' : 'lww-register',
        }),
      );
      await writeRunReport(dir);
    }
    writeSampleRun(join(store, 'queue-kill', '20261123T100000.000Z'), history, null);
    index = await writeStoreIndex(store);
    browser = await launchChromium();
  });
  after(async () => {
    await browser.close();
    rmSync(store, { recursive: true, force: true });
  });

  const startedColumn = (page: import('playwright-core').Page) =>
    page.locator('#runs tbody tr:not([hidden]) td:first-child').allInnerTexts();

  test('lists every run newest first, with its verdicts, and filters and sorts them', async () => {
    const { page, errors, external } = await openPage(browser, index);
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);
    assert.deepEqual(await startedColumn(page), [
      '2026-11-23 10:00:00 UTC',
      '2026-11-22 10:00:00 UTC',
      '2026-11-21 10:00:00 UTC',
      '2026-11-20 10:00:00 UTC',
    ]);
    assert.deepEqual(await attributeValues(page, '#runs tbody tr', 'data-verdict'), [
      'incomplete',
      'violated',
      'valid',
      'violated',
    ]);
    await screenshot(page, 'store-index');

    await page.locator('#verdict-filter').selectOption('violated');
    assert.deepEqual(await startedColumn(page), ['2026-11-22 10:00:00 UTC', '2026-11-20 10:00:00 UTC']);
    await page.locator('#filter').fill('gossip');
    assert.deepEqual(await startedColumn(page), ['2026-11-22 10:00:00 UTC']);
    assert.equal(await page.locator('#run-count').innerText(), '1 of 4 runs');

    await page.locator('#filter').fill('');
    await page.locator('#verdict-filter').selectOption('');
    await page.locator('#runs th', { hasText: 'Duration' }).click();
    assert.deepEqual((await startedColumn(page))[1], '2026-11-21 10:00:00 UTC'); // shortest first, after the run with none
    await page.locator('#runs th', { hasText: 'Duration' }).click();
    assert.deepEqual((await startedColumn(page))[0], '2026-11-22 10:00:00 UTC');

    // a run's link opens its report
    await page.locator('#runs a', { hasText: '2026-11-20 10:00:00 UTC' }).click();
    await waitUntilReady(page);
    assert.match(page.url(), /register-partition\/20261120T100000\.000Z\/report\.html$/);
    assert.deepEqual(external, []);
    await page.close();
  });
});
