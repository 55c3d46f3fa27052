// Benchmark of the report for a 1M-op run (REPORT_BENCH_OPS=N, or the first argument, for another size):
// building the report data, writing report.html from the run directory (history.jsonl read streamed) and with
// the history passed in, its size, the store index, and in Chromium the first screen's time to show the
// verdicts (target < 3 s) and the whole page's time to be interactive.
// Run: npm run bench -- report   (or node --import tsx bench/report.bench.ts [ops])
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildReportData } from '../results/report/reportData.ts';
import { writeRunReport } from '../results/report/writeRunReport.ts';
import { writeStoreIndex } from '../results/store/storeIndex.ts';
import {
  knownBadChecks,
  sampleResults,
  syntheticRegisterHistory,
  writeSampleRun,
} from '../results/testing/sampleRuns.ts';
import { chromiumPath, launchChromium, waitUntilReady } from '../test/e2e/report/chromium.ts';

const ops = Number(process.argv[2] ?? process.env['REPORT_BENCH_OPS'] ?? 1_000_000);
const store = mkdtempSync(join(tmpdir(), 'faultline-report-bench-'));
/** The target for a 1M-op report: the verdicts on screen within this. */
const firstScreenTargetMs = 3000;

function time<T>(label: string, f: () => T): T {
  const started = performance.now();
  const out = f();
  console.log(`${label}: ${Math.round(performance.now() - started)} ms`);
  return out;
}

async function timeAsync<T>(label: string, f: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const out = await f();
  console.log(`${label}: ${Math.round(performance.now() - started)} ms`);
  return out;
}

/** Opens the report in Chromium at 1400 × 900: when the verdicts show, first paint, and when all is drawn. */
async function firstScreen(report: string): Promise<void> {
  if (!existsSync(chromiumPath)) {
    console.log(`Chromium: ${chromiumPath} is not installed, so the first screen's time is not measured`);
    return;
  }
  const browser = await launchChromium();
  try {
    for (const run of ['cold', 'warm']) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const started = performance.now();
      await page.goto(pathToFileURL(report).href, { waitUntil: 'commit' });
      await page.locator('#at-a-glance [data-glance-verdict]').first().waitFor({ state: 'visible', timeout: 120_000 });
      const verdictsMs = performance.now() - started;
      const paint = await page.evaluate(() =>
        performance
          .getEntries()
          .filter((e) => (e.entryType as string) === 'paint')
          .map((e) => ({ name: e.name, at: Math.round(e.startTime) })),
      );
      await waitUntilReady(page, 300_000);
      const readyMs = performance.now() - started;
      const fcp = paint.find((p) => p.name === 'first-contentful-paint')?.at;
      console.log(
        `Chromium (${run}): verdicts visible ${Math.round(verdictsMs)} ms (target < ${firstScreenTargetMs} ms: ` +
          `${verdictsMs < firstScreenTargetMs ? 'met' : 'NOT met'}), first contentful paint ${fcp ?? '?'} ms, ` +
          `everything drawn (timeline, charts, table) ${Math.round(readyMs)} ms`,
      );
      await page.close();
    }
  } finally {
    await browser.close();
  }
}

try {
  console.log(
    `load average when started: ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const history = time(`synthetic history (${ops} ops)`, () => syntheticRegisterHistory(ops, 10));
  const checks = knownBadChecks();
  time('buildReportData', () => buildReportData(history, checks));
  const results = sampleResults(history, checks);
  const dir = time('writing the run directory (history.jsonl)', () =>
    writeSampleRun(join(store, 'bench', '20261123T200000'), history, results),
  );
  console.log(`history.jsonl: ${(statSync(join(dir, 'history.jsonl')).size / 1e6).toFixed(1)} MB`);
  const report = await timeAsync('writeRunReport (reads history.jsonl streamed, bundles or reads the cache)', () =>
    writeRunReport(dir),
  );
  await timeAsync('writeRunReport (history and results passed in, as the runner does)', () =>
    writeRunReport(dir, { history, results }),
  );
  console.log(`report.html: ${(statSync(report).size / 1e6).toFixed(2)} MB`);
  await timeAsync('writeStoreIndex', () => writeStoreIndex(store));
  await firstScreen(report);
} finally {
  rmSync(store, { recursive: true, force: true });
}
