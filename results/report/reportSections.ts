// The report's server-rendered verdict sections: at a glance, summary, consistency profile and explanations
// (the run's data tables are in runDataSections.ts). Every value from the run goes through the escaping html
// template.
import { readAnomalyGraph } from '../../checkers/anomalyGraph.ts';
import { claimVerdict, settleByHierarchy } from '../../checkers/modelHierarchy.ts';
import type { CheckResult } from '../../checkers/result.ts';
import { worstVerdict as worstOf } from '../../checkers/result.ts';
import type { RunResults } from '../runResults.ts';
import type { SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import { anomalyGraphFigure } from './anomalyGraphSvg.ts';
import { formatDuration, formatSinceFirstOp, headline, modelRank, verdictWord } from './format.ts';
import type { ReportData } from './model.ts';
import { provingOpsFigure } from './provingOpsSvg.ts';
import { linearizationDetail } from './reportData.ts';
import { counterCharts, setElementsTable, setKeysSummary } from './workloadViews.ts';
import type { ReportPage } from './renderReport.ts';

/** Per check: a run with thousands of anomalies should still open fast; all of them stay in results.json. */
const maxAnomaliesShown = 50;

/** An explanation longer than this shows its first sentence, the rest collapsed (a 200-step cycle, in words). */
const maxExplanationShown = 400;

export function verdictBadge(valid: CheckResult['valid']): SafeHtml {
  const word = verdictWord(valid);
  const symbol = valid === true ? '✓' : valid === false ? '✗' : '?';
  return html`<span class="verdict verdict-${word}">${symbol} ${word}</span>`;
}

export function checkAnchor(checker: string): string {
  return `check-${checker.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function worstVerdict(checks: readonly CheckResult[]): CheckResult['valid'] | null {
  if (checks.length === 0) return null;
  return worstOf(checks);
}

/**
 * The run's verdict as the analysis gave it (results.json `verdict`: unknown when nothing was checked or
 * observed); for older files, the worst check. Null when there is nothing to say.
 */
export function runVerdict(results: RunResults | null): CheckResult['valid'] | null {
  if (results === null) return null;
  return results.verdict?.valid ?? worstVerdict(results.checks);
}

/**
 * The checks as the profile shows them: copies, in results.json order, with verdicts the model hierarchy decides
 * settled (and marked) as the analysis does, so a results.json written before it never shows a contradiction
 * silently; the contradictions a checker bug causes are returned to be shown.
 */
export function settledChecks(checks: readonly CheckResult[]): { checks: CheckResult[]; contradictions: string[] } {
  const copies = checks.map((c) => ({ ...c }));
  return { checks: copies, contradictions: settleByHierarchy(copies) };
}

/** The invoke time of the history's first client op (ms on the run's clock), the origin of first-screen times. */
export function firstOpTime(data: ReportData): number {
  let first = Infinity;
  for (let i = 0; i < data.ops.count; i++) first = Math.min(first, data.ops.call[i]!);
  return Number.isFinite(first) ? first : 0;
}

/** When an anomaly's ops ran, in seconds from the first op: "at 1.20 s" or "between 1.20 s and 3.40 s". */
export function anomalyWhen(ops: readonly number[], data: ReportData, firstOpMs: number): string {
  let start = Infinity;
  let end = -Infinity;
  for (const id of ops) {
    if (id < 0 || id >= data.ops.count) continue;
    start = Math.min(start, data.ops.call[id]!);
    end = Math.max(end, data.ops.ret[id]! >= 0 ? data.ops.ret[id]! : data.ops.call[id]!);
  }
  if (!Number.isFinite(start)) return '';
  const from = formatSinceFirstOp(start, firstOpMs);
  const to = formatSinceFirstOp(end, firstOpMs);
  return from === to ? `at ${from}` : `between ${from} and ${to}`;
}

/**
 * The first screen: every model's verdict, then one sentence per violated (or undecided) model, its first
 * anomaly's (models sharing that anomaly share the sentence), with when it happened, a picture of the ops that
 * prove it and a link to the full explanation. Plain HTML, so it reads with scripts off.
 */
export function atAGlance(page: ReportPage): SafeHtml {
  const settled = settledChecks(page.results?.checks ?? []).checks;
  const checks = sortedChecks(settled);
  if (checks.length === 0) return html``;
  const ids = anomalyBases(settled);
  const first = firstOpTime(page.data);
  const violated = checks.filter((c) => c.valid === false);
  const undecided = checks.filter((c) => c.valid === 'unknown');
  // The analysis' own reason a run is unknown although its checks passed (nothing observed, say).
  const overallReason = page.results?.verdict?.valid === 'unknown' ? page.results.verdict.reason : undefined;
  // Models whose first anomaly is the same one (the isolation levels a G-single breaks, say) share a finding.
  const groups = new Map<string, CheckResult[]>();
  for (const c of violated) {
    const a = c.anomalies[0];
    const k = a === undefined ? `check ${c.checker}` : JSON.stringify([a.type, a.key ?? '', a.ops, a.explanation]);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [c]);
    else group.push(c);
  }
  const findings = [...groups.values()].map((group) => {
    const c = group[0]!;
    const models = group.map((g) => g.model).join(', ');
    const a = c.anomalies[0];
    const more = c.anomalies.length > 1 ? html` <span class="muted">(and ${c.anomalies.length - 1} more)</span>` : '';
    if (a === undefined)
      return html`<li class="finding" data-glance="${c.checker}">
        <b>${models}</b>: ${sentence(c.reason ?? 'violated, with no anomaly recorded')}.
        <a href="#${checkAnchor(c.checker)}">explanation →</a>
      </li>`;
    const when = anomalyWhen(a.ops, page.data, first);
    return html`<li class="finding" data-glance="${c.checker}">
      <b>${models}</b> <span class="anomaly-type">${a.type}</span>:
      <span class="finding-sentence">${sentence(headline(a.explanation))}</span>
      ${when === '' ? '' : html`<span class="muted">(${when} from the first op)</span>`}${more}
      <a href="#anomaly-${ids.get(c) ?? 0}">details →</a>
      ${hasLinearization(a, page.data) ? html`<a class="lin-link" href="#linearization-${ids.get(c) ?? 0}">linearization view →</a>` : ''}
      ${provingOpsFigure(a, page.data, first, ids.get(c) ?? 0)}
    </li>`;
  });
  const unknowns = undecided.map(
    (c) =>
      html`<li class="finding finding-unknown" data-glance="${c.checker}">
        <b>${c.model}</b>: unknown, ${c.reason ?? 'the checker could not decide'}. This is not a pass.
      </li>`,
  );
  return html`<section id="at-a-glance">
    <h2>At a glance</h2>
    <ul class="glance-verdicts">
      ${checks.map((c) => html`<li data-glance-verdict="${c.checker}">${verdictBadge(c.valid)} ${c.model}</li>`)}
    </ul>
    ${overallReason === undefined ? '' : html`<p class="notice">Unknown: ${overallReason}. This is not a pass.</p>`}
    ${
      violated.length === 0 && undecided.length === 0
        ? runVerdict(page.results) === true
          ? html`<p class="glance-none">
              No violation: every model checked holds on the ${page.results?.opCounts.ok ?? 0} ok ops of this history.
            </p>`
          : ''
        : html`<ol class="findings">
            ${findings}${unknowns}
          </ol>`
    }
  </section>`;
}

export function summary(page: ReportPage): SafeHtml {
  const r = page.results;
  if (r === null) {
    return html`<section id="summary">
      <h2>Summary</h2>
      <p class="notice">No usable results.json: ${page.resultsProblem ?? 'missing'}. The history is shown below.</p>
    </section>`;
  }
  const row = (label: string, value: SafeHtml | string) =>
    html`<tr>
      <th>${label}</th>
      <td>${value}</td>
    </tr>`;
  const total = r.opCounts.ok + r.opCounts.fail + r.opCounts.info;
  const harness = r.harness;
  const harnessTrouble =
    harness !== undefined &&
    (harness.status !== 'passed' || harness.errors.length > 0 || harness.softErrors.length > 0);
  const broken = r.checks.filter((c) => claimVerdict(c.checker, c.valid, r.guarantees) === 'claim broken');
  return html`<section id="summary">
    <h2>Summary</h2>
    ${
      broken.length === 0
        ? ''
        : html`<div class="notice claim-broken">
            ${r.system} claims ${broken.map((c) => c.model).join(', ')}, and the checker found
            ${broken.length === 1 ? 'it' : 'them'} violated: a bug in the system (or in the checker). See the anomalies
            below.
          </div>`
    }
    ${
      harnessTrouble
        ? html`<div class="notice">
            The harness ${harness.status === 'passed' ? 'passed, with problems' : harness.status}:
            <ul class="plain">
              ${[...harness.errors, ...harness.softErrors].map((e) => html`<li>${e}</li>`)}
            </ul>
          </div>`
        : ''
    }
    <table class="facts">
      ${row('Campaign', r.campaign)}
      ${r.workload === undefined ? '' : row('Workload', `${r.workload.name} (${r.workload.model})`)}
      ${row('System', r.system)} ${r.guarantees === undefined ? '' : row('Claims', claimsText(r.guarantees))}
      ${row('Nodes', r.nodes.join(', ') || 'none')} ${row('Seed', html`<code>${r.seed}</code>`)}
      ${row('Started', r.startedAt)} ${row('Duration', formatDuration(r.durationMs))}
      ${row('Faults applied', r.faults.applied.length === 0 ? 'none' : r.faults.applied.join(', '))}
      ${row(
        'Faults unavailable',
        r.faults.unavailable.length === 0
          ? 'none'
          : html`<ul class="plain">
              ${r.faults.unavailable.map((u) => html`<li><b>${u.fault}</b>: ${u.reason}</li>`)}
            </ul>`,
      )}
      ${row(
        'Operations',
        html`${total} · <span class="st-ok">${r.opCounts.ok} ok</span> ·
          <span class="st-fail">${r.opCounts.fail} fail</span> ·
          <span class="st-info">${r.opCounts.info} info (indeterminate)</span>`,
      )}
    </table>
  </section>`;
}

function claimsText(guarantees: readonly string[]): string {
  if (guarantees.length === 0) return 'none (the system claims no consistency model)';
  return `${guarantees.join(', ')}, and every weaker model they imply`;
}

function claimCell(claim: ReturnType<typeof claimVerdict>): SafeHtml | string {
  switch (claim) {
    case undefined:
      return html`<span class="muted">no claims declared</span>`;
    case 'unclaimed':
      return 'no';
    case 'claim held':
      return 'yes, held';
    case 'claim broken':
      return html`<b class="st-fail">yes, broken</b>`;
    case 'claim undecided':
      return 'yes, undecided';
  }
}

function sortedChecks(checks: readonly CheckResult[]): CheckResult[] {
  return [...checks].sort((a, b) => modelRank(a.checker, a.model) - modelRank(b.checker, b.model));
}

export function profile(page: ReportPage): SafeHtml {
  const settled = settledChecks(page.results?.checks ?? []);
  const checks = sortedChecks(settled.checks);
  const nothing = page.results?.verdict?.reason;
  if (checks.length === 0)
    return html`<section id="profile">
      <h2>Consistency profile</h2>
      <p class="notice">No checks were run${nothing === undefined ? '' : html`: ${nothing}`}. This is not a pass.</p>
    </section>`;
  // The first anomaly on the page: of the strongest model violated.
  const firstCheck = checks.find((c) => c.anomalies.length > 0);
  const first = firstCheck === undefined ? undefined : anomalyBases(settled.checks).get(firstCheck);
  return html`<section id="profile">
    <h2>Consistency profile</h2>
    ${nothing === undefined ? '' : html`<p class="notice">Unknown: ${nothing}. This is not a pass.</p>`}
    ${settled.contradictions.map((c) => html`<p class="notice">Checker contradiction (a bug in a checker): ${c}.</p>`)}
    ${first === undefined ? '' : html`<p><a class="jump" href="#anomaly-${first}">Jump to the first anomaly →</a></p>`}
    <table class="profile">
      <thead>
        <tr>
          <th>Model</th>
          <th>Checker</th>
          <th>Verdict</th>
          <th>Claimed?</th>
          <th>Anomalies</th>
          <th>Notes</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${checks.map(
          (c) =>
            html`<tr data-checker="${c.checker}" class="row-${verdictWord(c.valid)}">
              <td>${c.model}</td>
              <td><code>${c.checker}</code></td>
              <td class="verdict-cell">
                ${verdictBadge(c.valid)}${c.impliedBy === undefined ? '' : html`<div class="muted small">implied by ${c.impliedBy}</div>`}
              </td>
              <td>${claimCell(claimVerdict(c.checker, c.valid, page.results?.guarantees))}</td>
              <td>${c.anomalies.length}</td>
              <td>
                ${c.reason === undefined ? '' : html`<div>${c.reason}</div>`}
                <div class="muted small">${c.stats.ops} ops in ${formatDuration(c.stats.timeMs)}</div>
              </td>
              <td><a href="#${checkAnchor(c.checker)}">explanation →</a></td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

/** The id of each check's first anomaly: ids follow results.json order, as buildReportData numbered them. */
function anomalyBases(checks: readonly CheckResult[]): Map<CheckResult, number> {
  const ids = new Map<CheckResult, number>();
  let next = 0;
  for (const c of checks) {
    ids.set(c, next);
    next += c.anomalies.length;
  }
  return ids;
}

export function anomalies(page: ReportPage): SafeHtml {
  const settled = settledChecks(page.results?.checks ?? []).checks;
  const checks = sortedChecks(settled);
  if (checks.length === 0) return html``;
  const ids = anomalyBases(settled);
  // Each op links to the timeline; the page's script selects it there and in the table.
  const opList = (ops: readonly number[]): SafeHtml =>
    ops.length === 0
      ? html`no ops recorded`
      : html`${ops.slice(0, 40).map((o, i) => html`${i > 0 ? ', ' : ''}<a href="#timeline-section" class="op-link" data-op="${o}">#${o}</a>`)}${ops.length > 40 ? ', …' : ''}`;
  const first = firstOpTime(page.data);
  const card = (a: CheckResult['anomalies'][number], id: number): SafeHtml => {
    const when = anomalyWhen(a.ops, page.data, first);
    return html`<div class="anomaly" id="anomaly-${id}" data-anomaly="${id}" tabindex="0">
      <div class="anomaly-head">
        <span class="anomaly-type">${a.type}</span
        >${a.key === undefined || a.key === '' ? '' : html` <span class="muted">key</span> <code>${a.key}</code>`}
        ${when === '' ? '' : html`<span class="muted">${when} from the first op</span>`}
        ${hasLinearization(a, page.data) ? html`<a class="lin-link" href="#linearization-${id}">the linearization ↓</a>` : ''}
        <button type="button" class="highlight-button" data-anomaly="${id}">
          Highlight ${a.ops.length} ops on the timeline
        </button>
      </div>
      ${explanationText(a.explanation)}
      <p class="muted">Ops: ${opList(a.ops)}</p>
      ${graphFigure(a.detail, page.data, id)} ${setElementsTable(a, page.data, first)}
      ${
        hasLinearization(a, page.data)
          ? html`<div class="linearization" id="linearization-${id}" data-linearization="${id}">
              <p class="muted">
                The Porcupine-style view of the partial linearization and the op that cannot be placed is drawn by the
                page's script.
              </p>
            </div>`
          : html`<div class="linearization" data-linearization="${id}"></div>`
      }
    </div>`;
  };
  return html`<section id="anomalies">
    <h2>Explanations</h2>
    ${checks.map((c) => {
      const base = ids.get(c) ?? 0;
      const shown = c.anomalies.slice(0, maxAnomaliesShown);
      return html`<article class="check" id="${checkAnchor(c.checker)}">
        <h3>${c.model} ${verdictBadge(c.valid)} <code class="muted">${c.checker}</code></h3>
        ${setKeysSummary(c)} ${counterCharts(c, page.data, first)}
        ${c.valid === 'unknown' ? html`<p class="notice">Unknown: ${c.reason ?? 'the checker could not decide'}. This is not a pass.</p>` : ''}
        ${c.valid === true && c.anomalies.length === 0 ? html`<p>No anomaly: the ${c.stats.ops} ops are consistent with ${c.model}${c.reason === undefined ? '' : html` (${c.reason})`}.</p>` : ''}
        ${c.valid === false && c.anomalies.length === 0 ? html`<p>${sentence(c.reason ?? 'violated, with no anomaly recorded')}.</p>` : ''}
        ${shown.slice(0, 1).map((a, i) => card(a, base + i))}
        ${
          shown.length > 1
            ? html`<details class="more-anomalies">
                <summary>${shown.length - 1} more ${c.model} ${shown.length === 2 ? 'anomaly' : 'anomalies'}</summary>
                ${shown.slice(1).map((a, i) => card(a, base + 1 + i))}
              </details>`
            : ''
        }
        ${c.anomalies.length > maxAnomaliesShown ? html`<p class="muted">… and ${c.anomalies.length - maxAnomaliesShown} more ${c.model} anomalies, all in results.json.</p>` : ''}
      </article>`;
    })}
  </section>`;
}

/** An explanation, whole when short; else its first sentence with the whole of it collapsed below. */
function explanationText(text: string): SafeHtml {
  if (text.length <= maxExplanationShown) return html`<p class="explanation">${text}</p>`;
  return html`<p class="explanation">${sentence(headline(text))}</p>
    <details class="full-explanation">
      <summary>The whole explanation (${text.length.toLocaleString('en-US')} characters)</summary>
      <p class="explanation">${text}</p>
    </details>`;
}

/** Whether the report draws a Porcupine-style view for the anomaly (as reportData.ts builds it). */
function hasLinearization(a: CheckResult['anomalies'][number], data: ReportData): boolean {
  const failed = linearizationDetail(a.detail)?.failedOp;
  return failed !== undefined && Number.isInteger(failed) && failed >= 0 && failed < data.ops.count;
}

/** The cycle or pattern a causal, sequential or session checker attached, drawn; nothing for other anomalies. */
function graphFigure(detail: CheckResult['anomalies'][number]['detail'], data: ReportData, id: number): SafeHtml {
  const graph = readAnomalyGraph(detail);
  return graph === null ? html`` : anomalyGraphFigure(graph, data, id);
}
