// results/: what a run leaves behind and how people look at it. A run directory (store/<campaign>/<time>/)
// holds history.jsonl, results.json (RunResults), node logs and report.html, a single self-contained page
// (no network, data inlined and gzipped when large) with the summary, the consistency profile, a timeline
// of every op with fault windows, latency and throughput, the anomalies explained and a searchable history.
// store/index.html lists every run; `faultline serve` serves the store on loopback.
export type { RunResults } from './runResults.ts';
export { parseRunResults, runResultsSchema, RunResultsError, toRunResults } from './runResults.ts';
export type { RunReportInputs } from './report/writeRunReport.ts';
export { writeRunReport } from './report/writeRunReport.ts';
export type { StoreRun } from './store/storeIndex.ts';
export { scanStore, writeStoreIndex } from './store/storeIndex.ts';
export type { ServeOptions, StoreServer } from './store/serveStore.ts';
export { serveStore } from './store/serveStore.ts';
