// A Maelstrom run's report as a person opening it at 1400 px would check it: the tell-once broadcast node of
// examples/maelstrom/ caught losing messages (a real run, local nodes, no Docker), its Network section with
// the figures results.json holds, and the message diagram around the lost elements: drawn at a readable size,
// not clipped, no label on another. Screenshots go to test-artifacts/report-screenshots/ to be looked at.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { parseRunResults } from '../../../results/runResults.ts';
import type { RunResults } from '../../../results/runResults.ts';
import { artifactsDir, launchChromium, openPage, skipReason as noChromium } from './chromium.ts';
import { diagrams, intersect } from './diagramGeometry.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const screenshotsDir = join(artifactsDir, '..', 'report-screenshots');
const python = spawnSync('python3', ['--version']).status === 0;
const skip =
  noChromium !== false ? noChromium : python ? false : 'python3 is not installed: the example node is Python';

describe('a Maelstrom run with a violation, its report in Chromium at 1400 px', { skip }, () => {
  const store = mkdtempSync(join(tmpdir(), 'faultline-maelstrom-report-e2e-'));
  let browser: Browser;
  let report = '';
  let results: RunResults;
  let out = '';
  let status: number | null = null;

  before(async () => {
    const r = spawnSync(
      process.execPath,
      [join(repo, 'bin', 'faultline.js'), 'run', join(repo, 'examples/maelstrom/broadcast-once.yaml')].concat([
        '--progress',
        'plain',
        '--store',
        store,
      ]),
      { cwd: store, encoding: 'utf8', timeout: 120_000 },
    );
    out = `${r.stdout}${r.stderr}`;
    status = r.status;
    const runDir = /run directory: (\S+)/.exec(out)?.[1] ?? '';
    results = parseRunResults(readFileSync(join(runDir, 'results.json'), 'utf8'));
    report = join(runDir, 'report.html');
    browser = await launchChromium();
  });
  after(async () => {
    await browser.close();
    rmSync(store, { recursive: true, force: true });
  });

  test('the Network section: the figures of results.json, and the messages around the lost elements', async () => {
    assert.equal(status, 1, out);
    const network = results.network;
    assert.ok(network !== undefined, 'results.json has the network figures');
    // n1 is cut off for 1.2 s while every node gossips: messages are dropped across the partition.
    assert.ok((network.drops['partitioned'] ?? 0) > 0, JSON.stringify(network.drops));
    assert.ok(network.serverMessages > 0 && network.serverMessages < network.messages);
    // An element lost for the set checker is missing from the key's last read, that node's last: never stable.
    assert.ok(network.stableLatency !== undefined && network.stableLatency.neverStable > 0);

    const { page, errors, external } = await openPage(browser, report, 1400, 900);
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);
    const section = page.locator('#network');
    assert.equal(
      await section.locator('[data-figure="server-messages-per-op"]').innerText(),
      network.serverMessagesPerOp!.toFixed(2),
    );
    assert.equal(
      await section.locator('[data-figure="never-stable"]').innerText(),
      String(network.stableLatency.neverStable),
    );
    const figure = section.locator('figure.message-diagram');
    assert.equal(await figure.count(), 1);
    // The cited ops' own messages are drawn (the first lost element's add is sent at the window's start), and
    // the rest of the window is said to be left out.
    assert.ok((await figure.locator('g.md-op').count()) > 0, 'a cited op is drawn');
    // Each request drawn is its own op's: a broadcast an add's, a read a read's (the lanes' processes are right).
    for (const label of await figure.locator('g.md-op > text').allTextContents()) {
      const request = /^(\w+) · op \d+ (\w+)$/.exec(label);
      if (request !== null) assert.equal(request[2], request[1] === 'broadcast' ? 'add' : request[1], label);
    }
    const arrows = await figure.locator('g.md-msg').count();
    assert.ok(arrows > 0 && arrows <= 30, `${arrows} arrows`);
    assert.match(await figure.locator('figcaption').innerText(), /\d+ drawn, sent [\d.]+ s to [\d.]+ s/);

    const [geometry] = await diagrams(page, 'figure.message-diagram svg');
    const { viewBox: v, content: c, labels } = geometry!;
    assert.ok(
      c.x >= v.x - 0.5 &&
        c.y >= v.y - 0.5 &&
        c.x + c.width <= v.x + v.width + 0.5 &&
        c.y + c.height <= v.y + v.height + 0.5,
      `the diagram's content ${JSON.stringify(c)} is clipped by its viewBox ${JSON.stringify(v)}`,
    );
    for (let a = 0; a < labels.length; a++)
      for (let b = a + 1; b < labels.length; b++)
        assert.ok(
          !intersect(labels[a]!.box, labels[b]!.box),
          `labels "${labels[a]!.text}" and "${labels[b]!.text}" overlap`,
        );
    // Not shrunk to fit: drawn at (nearly) its own size, so its 11 px labels stay readable at 1400 px.
    const shown = (await figure.locator('svg').boundingBox())!;
    assert.ok(shown.width >= 0.9 * v.width, `drawn ${shown.width} px wide for a ${v.width} px drawing`);
    const fits = await figure.evaluate(
      (f: { scrollWidth: number; clientWidth: number }) => f.scrollWidth <= f.clientWidth + 1,
    );
    assert.ok(fits, 'the diagram is wider than its figure');

    mkdirSync(screenshotsDir, { recursive: true });
    await section.scrollIntoViewIfNeeded();
    await section.screenshot({ path: join(screenshotsDir, 'maelstrom-broadcast-once-network.png') });
    await page.screenshot({ path: join(screenshotsDir, 'maelstrom-broadcast-once-full.png'), fullPage: true });
    await page.close();
  });
});
