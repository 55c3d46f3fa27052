// Benchmark of report generation for a 100,000-op history: building the report data, rendering the page
// (with the bundle cached and uncached) and the store index. Run: node --import tsx bench/report.bench.ts [ops]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReportData } from '../results/report/reportData.ts';
import { writeRunReport } from '../results/report/writeRunReport.ts';
import { writeStoreIndex } from '../results/store/storeIndex.ts';
import {
  knownBadChecks,
  sampleResults,
  syntheticRegisterHistory,
  writeSampleRun,
} from '../results/testing/sampleRuns.ts';

const ops = Number(process.argv[2] ?? 100_000);
const store = mkdtempSync(join(tmpdir(), 'faultline-report-bench-'));

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

try {
  const history = time(`synthetic history (${ops} ops)`, () => syntheticRegisterHistory(ops, 10));
  const checks = knownBadChecks();
  time('buildReportData', () => buildReportData(history, checks));
  const dir = writeSampleRun(join(store, 'bench', '20261123T200000'), history, sampleResults(history, checks));
  const report = await timeAsync('writeRunReport (first: reads, bundles or reads the bundle cache)', () =>
    writeRunReport(dir),
  );
  await timeAsync('writeRunReport (again)', () => writeRunReport(dir));
  const results = sampleResults(history, checks);
  await timeAsync('writeRunReport (history and results passed in, as the runner can)', () =>
    writeRunReport(dir, { history, results }),
  );
  console.log(`report.html: ${(statSync(report).size / 1e6).toFixed(2)} MB`);
  await timeAsync('writeStoreIndex', () => writeStoreIndex(store));
} finally {
  rmSync(store, { recursive: true, force: true });
}
