// The store's index.html: every run under store/<campaign>/<timestamp>/ with its verdicts, filterable and
// sortable, plus a per-campaign tally. Runs without a readable results.json are listed as incomplete, not
// hidden: a crashed run is exactly the one someone wants to find.
import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Verdict } from '../../checkers/result.ts';
import { browserBundle } from '../browserBundle.ts';
import type { SafeHtml } from '../html.ts';
import { html, rawHtml, scriptText } from '../html.ts';
import { fallbackFaultColor } from '../report/faultStyle.ts';
import { formatDuration, modelRank, verdictWord } from '../report/format.ts';
import { contentSecurityPolicyMeta } from '../report/renderReport.ts';
import { writeFileAtomic } from '../report/writeRunReport.ts';
import { matrixFolder } from '../matrix/matrixPage.ts';
import { scanMatrices, type StoreMatrix } from '../matrix/matrixStore.ts';
import { parseRunResults } from '../runResults.ts';
import { runFiles, storeFiles } from '../runDirectory.ts';

const indexCssPath = fileURLToPath(new URL('./storeIndex.css', import.meta.url));

export interface StoreRun {
  /** The run directory relative to the store, with '/' separators: `<campaign>/<timestamp>`. */
  path: string;
  campaign: string;
  timestamp: string;
  state: 'complete' | 'incomplete' | 'unreadable';
  problem?: string;
  system?: string;
  startedAt?: string;
  durationMs?: number;
  opCounts?: { ok: number; fail: number; info: number };
  /** The fault kinds that ran (results.json `faults.applied`), and their colours when the run recorded them. */
  faults?: string[];
  faultColors?: Record<string, string>;
  checks: { checker: string; model: string; valid: Verdict }[];
  /** How the harness fared (results.json `harness.status`): passed, failed, interrupted, timedout. */
  harnessStatus?: string;
  /** The analysis' own verdict (results.json `verdict`): unknown when nothing was checked or observed. */
  verdict?: { valid: Verdict; reason?: string };
  hasReport: boolean;
  hasHistory: boolean;
}

function isDirectory(path: string): boolean {
  try {
    // lstat: `latest` symlinks would list a run twice, and the server never follows links either.
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Every run in a store, newest first. */
export function scanStore(storeDir: string): StoreRun[] {
  const runs: StoreRun[] = [];
  let campaigns: string[];
  try {
    campaigns = readdirSync(storeDir);
  } catch {
    return runs;
  }
  for (const campaign of campaigns) {
    const campaignDir = join(storeDir, campaign);
    // _matrix holds `faultline matrix` pages, not runs (a campaign's name cannot start with `_`).
    if (campaign.startsWith('.') || campaign === matrixFolder || !isDirectory(campaignDir)) continue;
    for (const timestamp of readdirSync(campaignDir)) {
      const dir = join(campaignDir, timestamp);
      if (timestamp.startsWith('.') || !isDirectory(dir)) continue;
      const run: StoreRun = {
        path: `${campaign}/${timestamp}`,
        campaign,
        timestamp,
        state: 'incomplete',
        checks: [],
        hasReport: exists(join(dir, runFiles.report)),
        hasHistory: exists(join(dir, runFiles.history)),
      };
      if (!exists(join(dir, runFiles.results))) {
        if (!run.hasHistory && !exists(join(dir, runFiles.campaign))) continue; // not a run directory
        run.problem = 'no results.json: the run did not finish';
      } else {
        try {
          const r = parseRunResults(readFileSync(join(dir, runFiles.results), 'utf8'), `${run.path}/${runFiles.results}`);
          run.state = 'complete';
          run.campaign = r.campaign;
          run.system = r.system;
          run.startedAt = r.startedAt;
          run.durationMs = r.durationMs;
          run.opCounts = r.opCounts;
          run.faults = r.faults.applied;
          if (r.faults.colors !== undefined) run.faultColors = r.faults.colors;
          if (r.harness !== undefined) run.harnessStatus = r.harness.status;
          if (r.verdict !== undefined) run.verdict = r.verdict;
          if (r.harness !== undefined && r.harness.status !== 'passed') {
            run.problem = [`the harness ${r.harness.status}`, ...r.harness.errors].join(': ');
          } else if (r.verdict?.reason !== undefined) {
            run.problem = r.verdict.reason;
          }
          run.checks = r.checks
            .map((c) => ({ checker: c.checker, model: c.model, valid: c.valid }))
            .sort((a, b) => modelRank(a.checker, a.model) - modelRank(b.checker, b.model));
        } catch (e) {
          run.state = 'unreadable';
          run.problem = e instanceof Error ? e.message : String(e);
        }
      }
      runs.push(run);
    }
  }
  return runs.sort((a, b) => runTime(b) - runTime(a) || b.path.localeCompare(a.path));
}

/** When a run started, ms since the epoch: from results.json, else from its directory name (20261123T200000.123). */
export function runTime(run: StoreRun): number {
  const fromResults = run.startedAt === undefined ? NaN : Date.parse(run.startedAt);
  if (!Number.isNaN(fromResults)) return fromResults;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d+)?(Z|[+-]\d{4})?/.exec(run.timestamp);
  if (m === null) return 0;
  const zone = m[8] === undefined || m[8] === 'Z' ? 'Z' : `${m[8].slice(0, 3)}:${m[8].slice(3)}`;
  const parsed = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}${zone}`);
  return Number.isNaN(parsed) ? 0 : parsed;
}

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function formatStarted(run: StoreRun): string {
  const t = runTime(run);
  return t === 0 ? run.timestamp : new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export type RunVerdict = 'valid' | 'violated' | 'unknown' | 'failed' | 'interrupted' | 'incomplete';

/**
 * The run's overall verdict: violated if any model is (a violation found in a broken run is still real), then a
 * run whose harness failed (exit 255) or was interrupted, as such and never valid, then unknown (a check, or the
 * analysis itself: nothing checked or observed), then valid.
 */
export function runVerdict(run: StoreRun): RunVerdict {
  if (run.state !== 'complete') return 'incomplete';
  if (run.checks.some((c) => c.valid === false)) return 'violated';
  if (run.harnessStatus !== undefined && run.harnessStatus !== 'passed')
    return run.harnessStatus === 'interrupted' ? 'interrupted' : 'failed';
  if (run.checks.some((c) => c.valid === 'unknown') || run.checks.length === 0) return 'unknown';
  if (run.verdict !== undefined && run.verdict.valid !== true) return 'unknown';
  return 'valid';
}

const verdictSymbols = { valid: '✓', violated: '✗', unknown: '?', failed: '!', interrupted: '‖', incomplete: '…' } as const;
const verdictOrder: readonly RunVerdict[] = ['valid', 'violated', 'unknown', 'failed', 'interrupted', 'incomplete'];

/** Each fault kind that ran, in the colour the reports' timelines and plots give it. */
function faultChips(faults: readonly string[] | undefined, colors: Readonly<Record<string, string>> = {}): SafeHtml {
  if (faults === undefined) return html`–`;
  if (faults.length === 0) return html`<span class="muted">none</span>`;
  return html`<div class="faults">${faults.map(
    (kind) => html`<span class="fault" data-fault="${kind}"><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" rx="2" fill="${colors[kind] ?? fallbackFaultColor(kind)}"></rect></svg>${kind}</span>`,
  )}</div>`;
}

function runRow(run: StoreRun): SafeHtml {
  const verdict = runVerdict(run);
  const href = (file: string) => `${run.path.split('/').map(encodeURIComponent).join('/')}/${file}`;
  const total = run.opCounts === undefined ? 0 : run.opCounts.ok + run.opCounts.fail + run.opCounts.info;
  return html`<tr data-verdict="${verdict}" data-path="${run.path}">
    <td data-sort="${runTime(run)}"><a href="${href(run.hasReport ? 'report.html' : '')}">${formatStarted(run)}</a></td>
    <td>${run.campaign}</td><td>${run.system ?? '–'}</td>
    <td data-sort="${run.durationMs ?? -1}">${run.durationMs === undefined ? '–' : formatDuration(run.durationMs)}</td>
    <td data-sort="${total}">${run.opCounts === undefined ? '–' : html`${total} <span class="muted">(${run.opCounts.info} info)</span>`}</td>
    <td>${faultChips(run.faults, run.faultColors)}</td>
    <td data-sort="${verdict}"><span class="verdict verdict-${verdict}">${verdictSymbols[verdict]} ${verdict}</span></td>
    <td><div class="models">${run.checks.map(
      (c) => html`<span class="model model-${verdictWord(c.valid)}" title="${c.model}: ${verdictWord(c.valid)}">${verdictSymbols[verdictWord(c.valid)]} ${c.checker}</span>`,
    )}</div>${run.problem === undefined ? '' : html`<div class="problem" title="${run.problem}">${shorten(run.problem, 160)}</div>`}</td>
    <td class="links">${run.hasReport ? html`<a href="${href('report.html')}">report</a>` : ''}
      ${run.hasHistory ? html`<a href="${href('history.jsonl')}">history</a>` : ''}
      ${run.state === 'incomplete' ? '' : html`<a href="${href('results.json')}">results</a>`}</td>
  </tr>`;
}

function tally(runs: readonly StoreRun[]): SafeHtml {
  const byCampaign = new Map<string, Record<RunVerdict, number>>();
  for (const run of runs) {
    const counts =
      byCampaign.get(run.campaign) ?? (Object.fromEntries(verdictOrder.map((v) => [v, 0])) as Record<RunVerdict, number>);
    counts[runVerdict(run)]++;
    byCampaign.set(run.campaign, counts);
  }
  return html`<table class="tally"><thead><tr><th>Campaign</th><th>Runs</th>${verdictOrder.map((v) => html`<th>${verdictSymbols[v]} ${v}</th>`)}</tr></thead><tbody>
    ${[...byCampaign].map(
      ([campaign, c]) => html`<tr><td><a href="#" data-campaign="${campaign}">${campaign}</a></td><td>${verdictOrder.reduce((n, v) => n + c[v], 0)}</td>
      ${verdictOrder.map((v) => html`<td class="${c[v] > 0 && (v === 'violated' || v === 'failed') ? 'bad' : ''}">${c[v]}</td>`)}</tr>`,
    )}</tbody></table>`;
}

function matricesSection(matrices: readonly StoreMatrix[]): SafeHtml {
  if (matrices.length === 0) return html``;
  return html`<section id="matrices"><h2>Verdict matrices (<code>faultline matrix</code>)</h2><table class="tally"><thead><tr><th>Started</th><th>State</th><th>Campaigns</th><th>Runs</th><th>Exit code</th></tr></thead><tbody>
    ${matrices.map(
      (m) => html`<tr><td><a href="${m.page.split('/').map(encodeURIComponent).join('/')}">${m.startedAt ?? m.name}</a></td>
      <td>${m.problem === undefined ? (m.state ?? '–') : html`<span class="problem">${shorten(m.problem, 120)}</span>`}</td>
      <td>${m.campaigns}</td><td>${m.runs}</td><td>${m.exitCode ?? '–'}</td></tr>`,
    )}</tbody></table></section>`;
}

export function renderStoreIndex(
  runs: readonly StoreRun[],
  script: string,
  css: string,
  matrices: readonly StoreMatrix[] = [],
): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
${contentSecurityPolicyMeta}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>faultline: runs</title><style>${rawHtml(css)}</style></head>
<body><header class="top"><div class="brand">faultline</div><h1>Runs in this store</h1></header>
<main>
${matricesSection(matrices)}
${runs.length === 0 ? html`<p>No runs yet. <code>faultline run CAMPAIGN</code> writes one here.</p>` : html`
<section><h2>By campaign</h2>${tally(runs)}</section>
<section><div class="toolbar">
  <input type="search" id="filter" placeholder="Filter by campaign, system, model, date…" aria-label="Filter runs">
  <select id="verdict-filter" aria-label="Verdict"><option value="">all verdicts</option>${verdictOrder.map((v) => html`<option>${v}</option>`)}</select>
  <span id="run-count" class="muted">${runs.length} runs</span></div>
<table id="runs"><thead><tr>
  <th data-sort-type="number" aria-sort="descending">Started</th><th data-sort-type="text">Campaign</th><th data-sort-type="text">System</th>
  <th data-sort-type="number">Duration</th><th data-sort-type="number">Ops</th><th>Faults</th><th data-sort-type="text">Verdict</th><th>Models</th><th>Files</th>
</tr></thead><tbody>${runs.map(runRow)}</tbody></table></section>`}
</main><script>${scriptText(script)}</script></body></html>
`.html;
}

/** Writes store/index.html (atomically) and returns its path. */
export async function writeStoreIndex(storeDir: string): Promise<string> {
  const runs = scanStore(storeDir);
  const page = renderStoreIndex(
    runs,
    await browserBundle('storeIndex'),
    readFileSync(indexCssPath, 'utf8'),
    scanMatrices(storeDir),
  );
  const out = join(storeDir, storeFiles.index);
  writeFileAtomic(out, page);
  return out;
}
