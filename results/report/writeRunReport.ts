// Reads a run directory (tolerating missing files: a run killed half-way still gets a report) and writes
// its self-contained report.html atomically, so a browser never sees half a file.
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HistoryOp } from '../../checkers/history.ts';
import { pairOperations } from '../../checkers/history.ts';
import type { ParsedHistory } from '../../checkers/historyJsonl.ts';
import { HistoryJsonlParser } from '../../checkers/historyJsonl.ts';
import { browserBundle, uplotCss } from '../browserBundle.ts';
import type { RunResults } from '../runResults.ts';
import { parseRunResults } from '../runResults.ts';
import { runFiles } from '../runDirectory.ts';
import { readMessageLog } from '../messageLog.ts';
import { networkFigures } from '../networkFigures.ts';
import type { NetworkSectionInput } from './networkSection.ts';
import { buildReportData } from './reportData.ts';
import { renderReport } from './renderReport.ts';

const reportCssPath = fileURLToPath(new URL('./report.css', import.meta.url));

function listFiles(dir: string, root: string, out: string[]): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(path, root, out);
    else if (entry.isFile()) out.push(relative(root, path).split(sep).join('/'));
  }
  return out;
}

/** Writes `text` to `path` via a temporary file and a rename. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export interface RunReportInputs {
  /** The run's history, when the caller already holds it (the runner does): saves re-reading history.jsonl. */
  history?: readonly HistoryOp[];
  /** The run's results, when the caller already holds them. */
  results?: RunResults;
}

function readResults(runDir: string): { results: RunResults | null; problem: string | null } {
  const path = join(runDir, runFiles.results);
  const text = readText(path);
  if (text === null) return { results: null, problem: 'results.json is missing (the run may not have finished)' };
  try {
    return { results: parseRunResults(text, path), problem: null };
  } catch (e) {
    return { results: null, problem: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * history.jsonl parsed chunk by chunk, never as one string: V8 caps a string at 512 MiB, and a 1M-op history
 * would otherwise sit in memory twice, as text and as ops. (results/ may not import harness/'s reader.)
 */
function readHistoryStreamed(path: string): ParsedHistory {
  const parser = new HistoryJsonlParser(path);
  const buffer = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let got = readSync(fd, buffer); got > 0; got = readSync(fd, buffer)) parser.pushBytes(buffer.subarray(0, got));
  } finally {
    closeSync(fd);
  }
  return parser.finish();
}

function readHistory(runDir: string, notices: string[]): readonly HistoryOp[] {
  const path = join(runDir, runFiles.history);
  if (!existsSync(path)) {
    notices.push('history.jsonl is missing: there is no timeline, table or chart to show.');
    return [];
  }
  try {
    const parsed = readHistoryStreamed(path);
    if (parsed.tornTail) {
      notices.push('The last line of history.jsonl was torn (the harness was killed mid-write); it was left out.');
    }
    return parsed.ops;
  } catch (e) {
    notices.push(`history.jsonl could not be read: ${e instanceof Error ? e.message : String(e)}`);
    return [];
  }
}

/** The Network section's input: the run's message log, with results.json's figures or, absent there, its own. */
function networkInput(
  runDir: string,
  results: RunResults | null,
  history: readonly HistoryOp[],
): NetworkSectionInput | null {
  const log = readMessageLog(runDir);
  if (log === null) return null;
  const nodes = results?.nodes ?? [];
  const figures =
    results?.network ??
    networkFigures({
      events: log.events,
      skippedLines: log.skippedLines,
      nodes,
      history,
      ...(results?.workload?.name === 'set' && { setOperations: pairOperations(history) }),
    });
  return { figures, events: log.events, nodes, historyOriginEpochMs: results?.historyOriginEpochMs };
}

/**
 * Renders report.html for a run directory and returns its path. Missing or malformed files are tolerated
 * and named in the report. `inputs` lets a caller that holds the history and results skip re-reading them.
 */
export async function writeRunReport(runDir: string, inputs: RunReportInputs = {}): Promise<string> {
  const notices: string[] = [];
  const { results, problem: resultsProblem } =
    inputs.results === undefined ? readResults(runDir) : { results: inputs.results, problem: null };
  const history = inputs.history ?? readHistory(runDir, notices);
  const logFiles = listFiles(join(runDir, runFiles.logs), runDir, []);
  for (const name of [runFiles.history, runFiles.results, runFiles.campaign, runFiles.harnessLog]) {
    if (existsSync(join(runDir, name))) logFiles.push(name);
  }
  const script = await browserBundle('report');
  const html = renderReport({
    runName: basename(runDir),
    results,
    resultsProblem,
    notices,
    campaignYaml: readText(join(runDir, runFiles.campaign)),
    logFiles,
    data: buildReportData(history, results?.checks ?? []),
    network: networkInput(runDir, results, history),
    script,
    css: `${uplotCss()}\n${readFileSync(reportCssPath, 'utf8')}`,
  });
  const out = join(runDir, runFiles.report);
  writeFileAtomic(out, html);
  return out;
}
