// The matrix page, store/_matrix/<timestamp>/index.html: every campaign × checker with what was expected, what
// the runs showed (valid in k of N, caught in k of N with the anomaly types), per fault kind, and every run with
// a link to its report. Self-contained and readable without scripts: plain escaped HTML, the store index's CSS.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SafeHtml } from '../html.ts';
import { html, rawHtml } from '../html.ts';
import { formatDuration } from '../report/format.ts';
import { contentSecurityPolicyMeta } from '../report/renderReport.ts';
import type { CampaignRow, CheckerCell, MatrixRun, MatrixSummary } from './matrixSummary.ts';
import { outcomeMark } from './matrixTable.ts';

const storeCssPath = fileURLToPath(new URL('../store/storeIndex.css', import.meta.url));

/** The store's folder of matrices: store/_matrix/<timestamp>/ (campaign names cannot start with `_`). */
export const matrixFolder = '_matrix';
export const matrixFiles = { page: 'index.html', data: 'matrix.json' } as const;

export interface MatrixPageMeta {
  startedAt: string;
  /** Still running, finished, interrupted (the matrix so far) or failed (a run could not start). */
  state: 'running' | 'finished' | 'interrupted' | 'failed';
  command: string;
  exitCode?: number;
  /** From the matrix page to the store's root, '/'-separated, e.g. '../..'. */
  storeRoot: string;
}

const extraCss = `
.outcome { font-weight: 700; }
.outcome-met { color: #17693a; } .outcome-contradicted { color: #a4241b; } .outcome-not-shown { color: #8a5a00; }
.outcome-missed { color: #667085; }
.faults { font-size: 12px; color: #4b5565; }
.state { margin: 8px 0 0; }
td.campaign { font-weight: 600; }
td.campaign .muted { font-weight: normal; }
`;

function outcomeClass(cell: CheckerCell, requireCatch: boolean): string {
  if (cell.outcome === undefined) return '';
  if (cell.outcome !== 'met' && cell.role === 'violates' && !requireCatch) return 'outcome-missed';
  return `outcome-${cell.outcome}`;
}

function outcomeWords(cell: CheckerCell, requireCatch: boolean): string {
  if (cell.outcome === undefined) return 'nothing expected';
  if (cell.outcome === 'met') return cell.role === 'holds' ? 'held' : 'caught';
  if (cell.role === 'violates' && !requireCatch) return 'missed (not failed)';
  return cell.outcome === 'contradicted' ? 'contradicted' : 'not shown';
}

function faultList(cell: CheckerCell): SafeHtml {
  if (cell.byFault.length === 0) return html`<span class="muted">no fault applied</span>`;
  return html`${cell.byFault.map((f, i) => {
    const shown =
      cell.role === 'violates'
        ? `caught ${f.caught}`
        : `valid ${f.valid}, violated ${f.violated}, unknown ${f.unknown}`;
    return html`${i > 0 ? '; ' : ''}${f.fault}: ${shown} of ${f.runs}`;
  })}`;
}

function reportHref(run: MatrixRun, storeRoot: string): string {
  const path = run.runDir.split('/').map(encodeURIComponent).join('/');
  return `${storeRoot}/${path}/${run.hasReport ? 'report.html' : 'results.json'}`;
}

function campaignRows(row: CampaignRow, summary: MatrixSummary): SafeHtml {
  const span = Math.max(1, row.cells.length);
  const durations =
    row.durations === undefined
      ? 'no run finished'
      : `${formatDuration(row.durations.minMs)}–${formatDuration(row.durations.maxMs)} a run, ${formatDuration(row.durations.totalMs)} in all`;
  const head = html`<td rowspan="${span}" class="campaign">
    ${row.name}
    <div class="muted">${row.file}</div>
    <div class="muted">
      ${row.runs.length} of ${row.runsPlanned} runs;
      ${durations}${row.fixedSeed === undefined ? '' : `; seed ${row.fixedSeed} fixed by the campaign`}
    </div>
    ${row.expect?.source === undefined ? '' : html`<div class="muted">source: ${row.expect.source}</div>`}
    ${row.expect === undefined ? html`<div class="muted">no expect: verdicts shown, nothing judged</div>` : ''}
  </td>`;
  if (row.cells.length === 0)
    return html`<tr>
      ${head}
      <td colspan="5" class="muted">no checker</td>
    </tr>`;
  return html`${row.cells.map(
    (cell, i) =>
      html`<tr data-campaign="${row.name}" data-checker="${cell.checker}">
        ${i === 0 ? head : ''}
        <td>${cell.checker}</td>
        <td>${cell.role === 'shown' ? '–' : cell.role}</td>
        <td class="outcome ${outcomeClass(cell, summary.requireCatch)}">
          ${outcomeMark(cell, summary.requireCatch)} ${outcomeWords(cell, summary.requireCatch)}
        </td>
        <td>${cell.summary}</td>
        <td class="faults">${faultList(cell)}</td>
      </tr>`,
  )}`;
}

function runRow(run: MatrixRun, storeRoot: string): SafeHtml {
  return html`<tr data-run="${run.runId}">
    <td>${run.campaign}</td>
    <td>${run.index}</td>
    <td>${run.seed}</td>
    <td>${run.status}</td>
    <td>
      <div class="models">
        ${run.checks.map((c) => {
          const word = c.valid === true ? 'valid' : c.valid === false ? 'violated' : 'unknown';
          const types =
            c.valid === false && c.anomalyTypes.length > 0 ? ` (${[...new Set(c.anomalyTypes)].join(', ')})` : '';
          return html`<span class="model model-${word}" title="${c.reason ?? word}"
            >${c.checker}: ${word}${types}</span
          >`;
        })}
      </div>
    </td>
    <td>${run.opCounts.ok} / ${run.opCounts.fail} / ${run.opCounts.info}</td>
    <td>${run.faults.join(', ') || '–'}</td>
    <td>${formatDuration(run.durationMs)} / ${formatDuration(run.wallMs)}</td>
    <td><a href="${reportHref(run, storeRoot)}">${run.hasReport ? 'report' : 'results'}</a></td>
  </tr>`;
}

export function renderMatrixPage(summary: MatrixSummary, meta: MatrixPageMeta, css: string): string {
  const runs = summary.rows.flatMap((r) => r.runs);
  const stateText =
    meta.state === 'running'
      ? 'still running: the matrix so far'
      : meta.state === 'interrupted'
        ? 'interrupted: the finished runs only'
        : meta.state === 'failed'
          ? 'stopped: a run could not start (see the terminal); the finished runs only'
          : 'finished';
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        ${contentSecurityPolicyMeta}
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>faultline: verdict matrix ${meta.startedAt}</title>
        <style>
          ${rawHtml(css)}${rawHtml(extraCss)}
        </style>
      </head>
      <body>
        <header class="top">
          <div class="brand">faultline</div>
          <h1>Verdict matrix</h1>
        </header>
        <main>
          <section>
            <p>Started ${meta.startedAt}: <code>${meta.command}</code></p>
            <p class="state">
              ${stateText}${meta.exitCode === undefined ? '' : `; exit code ${meta.exitCode}`}. ${runs.length} runs.
              <a href="${meta.storeRoot}/index.html">all runs in this store</a>
            </p>
            <p class="muted">
              ✓ met · ✗ contradicted by a verdict · ? not shown (unknown, no verdict, too few ok ops) · – a weakness not
              caught${summary.requireCatch ? '' : ' (not failed without --require-catch: whether a run catches it is chance)'}.
              Unknown is never counted as valid.
            </p>
            ${
              summary.unmet.length === 0 && summary.harnessProblems.length === 0
                ? ''
                : html`<h2>Not met</h2>
                    <ul>
                      ${summary.harnessProblems.map(
                        (r) =>
                          html`<li>
                            harness ${r.status}: ${r.campaign} #${r.index} (<a href="${reportHref(r, meta.storeRoot)}"
                              >${r.runDir}</a
                            >)
                          </li>`,
                      )}${summary.unmet.map((u) => html`<li>${u.campaign} · ${u.checker} (${u.role}): ${u.summary}${u.role === 'violates' && !summary.requireCatch ? ' (a miss: not failed without --require-catch)' : ''}</li>`)}
                    </ul>`
            }
          </section>
          <section>
            <h2>The matrix</h2>
            <table id="matrix">
              <thead>
                <tr>
                  <th>Campaign</th>
                  <th>Checker</th>
                  <th>Expected</th>
                  <th>Outcome</th>
                  <th>Runs showed</th>
                  <th>By fault kind</th>
                </tr>
              </thead>
              <tbody>
                ${summary.rows.map((row) => campaignRows(row, summary))}
              </tbody>
            </table>
          </section>
          <section>
            <h2>Runs</h2>
            <table id="matrix-runs">
              <thead>
                <tr>
                  <th>Campaign</th>
                  <th>#</th>
                  <th>Seed</th>
                  <th>Harness</th>
                  <th>Verdicts</th>
                  <th>Ops ok / fail / info</th>
                  <th>Faults</th>
                  <th>Run / wall</th>
                  <th>Files</th>
                </tr>
              </thead>
              <tbody>
                ${runs.map((r) => runRow(r, meta.storeRoot))}
              </tbody>
            </table>
          </section>
        </main>
      </body>
    </html> `.html;
}

export function matrixPageCss(): string {
  return readFileSync(storeCssPath, 'utf8');
}
