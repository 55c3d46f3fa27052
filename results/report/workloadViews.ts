// Views of a workload's own evidence, rendered on the server beside its check's explanations: a set's lost
// and unexpected elements per key (the set checker's anomaly details), and a counter's reads against the
// bounds the increments allow, over time.
import type { Value } from '../../checkers/history.ts';
import type { CheckResult } from '../../checkers/result.ts';
import type { SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import { formatSinceFirstOp } from './format.ts';
import { svgDrawing } from './svgDrawing.ts';
import type { ReportCounterKey, ReportData } from './model.ts';
import { describeValue } from './reportData.ts';

type AnomalyOf = CheckResult['anomalies'][number];

/** Rows shown per anomaly before the rest is collapsed. */
const rowsShown = 10;
/** Rows listed at all, collapsed or not; every element stays in results.json. */
const rowsListed = 500;

function isRecord(v: unknown): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const opId = (v: Value | undefined, data: ReportData): number | null =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < data.ops.count ? v : null;

/** One set element as the set checker's detail lists it; the fields it lacks are null. */
interface SetElementRow {
  element: Value;
  addOp: number | null;
  lastSeenOp: number | null;
  firstMissingOp: number | null;
  readOp: number | null;
}

/** The elements of a set checker's anomaly detail ({ elements, omitted }), or null for any other detail. */
export function setElementRows(
  detail: Value | undefined,
  data: ReportData,
): { rows: SetElementRow[]; omitted: number } | null {
  if (!isRecord(detail) || !Array.isArray(detail['elements'])) return null;
  const rows: SetElementRow[] = [];
  for (const e of detail['elements']) {
    if (!isRecord(e) || !('element' in e)) return null;
    rows.push({
      element: e['element'] ?? null,
      addOp: opId(e['addOp'], data),
      lastSeenOp: opId(e['lastSeenOp'], data),
      firstMissingOp: opId(e['firstMissingOp'], data),
      readOp: opId(e['readOp'], data),
    });
  }
  const omitted = typeof detail['omitted'] === 'number' ? detail['omitted'] : 0;
  return { rows, omitted };
}

/** The set checker's evidence for one anomaly: per element, its add, when it was acknowledged and last seen. */
export function setElementsTable(anomaly: AnomalyOf, data: ReportData, firstOpMs: number): SafeHtml {
  const parsed = setElementRows(anomaly.detail, data);
  if (parsed === null || parsed.rows.length === 0) return html``;
  const { ops } = data;
  const at = (op: number | null, end: boolean): string => {
    if (op === null) return '–';
    const t = end ? ops.ret[op]! : ops.call[op]!;
    return t < 0 ? `#${op}` : `#${op} at ${formatSinceFirstOp(t, firstOpMs)}`;
  };
  const problem = parsed.rows.some((r) => r.readOp !== null);
  const head = problem
    ? html`<tr>
        <th>Element</th>
        <th>Returned by the read</th>
        <th>Its add</th>
      </tr>`
    : html`<tr>
        <th>Element</th>
        <th>Added by, acknowledged</th>
        <th>Last returned by</th>
        <th>First read missing it for good</th>
      </tr>`;
  const row = (r: SetElementRow) =>
    problem
      ? html`<tr>
          <td><code>${describeValue(r.element, 40)}</code></td>
          <td>${at(r.readOp, false)}</td>
          <td>${r.addOp === null ? 'none: never added' : at(r.addOp, true)}</td>
        </tr>`
      : html`<tr>
          <td><code>${describeValue(r.element, 40)}</code></td>
          <td>
            ${r.addOp === null ? '–' : ops.status[r.addOp] === 0 ? at(r.addOp, true) : `#${r.addOp}, indeterminate`}
          </td>
          <td>${r.lastSeenOp === null ? 'never returned' : at(r.lastSeenOp, true)}</td>
          <td>${at(r.firstMissingOp, false)}</td>
        </tr>`;
  const listed = parsed.rows.slice(0, rowsListed);
  const left = parsed.rows.length - listed.length + parsed.omitted;
  const key = anomaly.key === undefined || anomaly.key === '' ? '' : html` of set <code>${anomaly.key}</code>`;
  return html`<div class="set-elements">
    <table class="facts small">
      <caption class="muted">
        ${parsed.rows.length + parsed.omitted} ${problem ? 'unexpected' : anomaly.type} elements${key}, with the ops
        that prove it (times from the first op)
      </caption>
      <thead>
        ${head}
      </thead>
      <tbody>
        ${listed.slice(0, rowsShown).map(row)}
      </tbody>
    </table>
    ${
      listed.length > rowsShown
        ? html`<details class="set-elements-more">
            <summary>${listed.length - rowsShown} more elements</summary>
            <table class="facts small">
              <tbody>
                ${listed.slice(rowsShown).map(row)}
              </tbody>
            </table>
          </details>`
        : ''
    }
    ${left > 0 ? html`<p class="muted small">… and ${left} more, all in results.json.</p>` : ''}
  </div>`;
}

/** The set check's anomalies counted per key and kind: which sets lost what, at a glance. */
export function setKeysSummary(check: CheckResult): SafeHtml {
  if (check.checker !== 'set' || check.anomalies.length === 0) return html``;
  const perKey = new Map<string, Map<string, number>>();
  const kinds = new Set<string>();
  for (const a of check.anomalies) {
    const key = a.key ?? '';
    const detail = a.detail;
    const n =
      isRecord(detail) && Array.isArray(detail['elements'])
        ? detail['elements'].length + (typeof detail['omitted'] === 'number' ? detail['omitted'] : 0)
        : a.ops.length;
    kinds.add(a.type);
    const counts = perKey.get(key) ?? new Map<string, number>();
    counts.set(a.type, (counts.get(a.type) ?? 0) + n);
    perKey.set(key, counts);
  }
  const columns = [...kinds].sort();
  return html`<table class="facts set-keys">
    <caption class="muted">
      Elements per set, by what went wrong
    </caption>
    <thead>
      <tr>
        <th>Set</th>
        ${columns.map((k) => html`<th>${k}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${[...perKey].map(
        ([key, counts]) =>
          html`<tr>
            <td><code>${key === '' ? '(the one set)' : key}</code></td>
            ${columns.map((k) => html`<td>${counts.get(k) ?? 0}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

const chartWidth = 900;
const chartHeight = 200;
const left = 64;
const bottom = 28;
const top = 12;
const right = 12;

/** Axis numbers: integers as they are, large ones grouped. */
const tick = (n: number) => (Math.abs(n) >= 10_000 ? n.toLocaleString('en-US') : String(Math.round(n * 100) / 100));

/**
 * One counter key's reads over time: each read's bounds as a bar, its value as a dot, red when outside. The
 * counter grows, so bounds a few apart are thin beside its range: `relative` draws each read less its lower
 * bound, so the bar is [0, upper - lower] and a dot above the bar or below 0 is out of bounds.
 */
export function counterBoundsFigure(
  counter: ReportCounterKey,
  data: ReportData,
  firstOpMs: number,
  relative = false,
): SafeHtml {
  if (counter.reads.length === 0) return html``;
  const { ops } = data;
  if (relative)
    counter = {
      ...counter,
      reads: counter.reads.map((r) => ({ ...r, value: r.value - r.lower, lower: 0, upper: r.upper - r.lower })),
    };
  const t = (op: number) => ops.call[op]! - firstOpMs;
  const t0 = Math.min(...counter.reads.map((r) => t(r.op)));
  const t1 = Math.max(t0 + 1, ...counter.reads.map((r) => t(r.op)));
  const v0 = Math.min(...counter.reads.map((r) => Math.min(r.lower, r.value)));
  const v1 = Math.max(v0 + 1, ...counter.reads.map((r) => Math.max(r.upper, r.value)));
  const x = (ms: number) => left + ((ms - t0) / (t1 - t0)) * (chartWidth - left - right);
  const y = (v: number) => top + (1 - (v - v0) / (v1 - v0)) * (chartHeight - top - bottom);
  const outside = counter.reads.filter((r) => r.value < r.lower || r.value > r.upper);
  const marks = counter.reads.map((r) => {
    const bad = r.value < r.lower || r.value > r.upper;
    const cx = x(t(r.op));
    return html`<g class="${bad ? 'cb-read cb-outside' : 'cb-read'}" data-op="${r.op}">
      <title>
        #${r.op} read ${r.value} at ${formatSinceFirstOp(ops.call[r.op]!, firstOpMs)}; the adds allow ${r.lower} to
        ${r.upper}
      </title>
      <line x1="${cx}" x2="${cx}" y1="${y(r.upper) - 2}" y2="${y(r.lower) + 2}"></line>
      <circle cx="${cx}" cy="${y(r.value)}" r="${bad ? 3.5 : 2}"></circle>
    </g>`;
  });
  const axisY = chartHeight - bottom;
  const key = counter.key === '' ? '' : html` of counter <code>${counter.key}</code>`;
  return html`<figure class="counter-bounds${relative ? ' counter-relative' : ''}" data-counter="${counter.key}">
    ${svgDrawing(
      {
        width: chartWidth,
        height: chartHeight,
        label: `${counter.reads.length} counter reads and their bounds over time`,
      },
      html`<line class="cb-axis" x1="${left}" x2="${chartWidth - right}" y1="${axisY}" y2="${axisY}"></line>
        <line class="cb-axis" x1="${left}" x2="${left}" y1="${top}" y2="${axisY}"></line>
        <text class="cb-tick" x="${left - 6}" y="${y(v1) + 4}" text-anchor="end">${tick(v1)}</text>
        <text class="cb-tick" x="${left - 6}" y="${y(v0)}" text-anchor="end">${tick(v0)}</text>
        <text class="cb-tick" x="${left}" y="${chartHeight - 8}">${formatSinceFirstOp(t0 + firstOpMs, firstOpMs)}</text>
        <text class="cb-tick" x="${chartWidth - right}" y="${chartHeight - 8}" text-anchor="end">
          ${formatSinceFirstOp(t1 + firstOpMs, firstOpMs)}
        </text>
        ${marks}`,
    )}
    <figcaption class="muted small">
      ${
        relative
          ? html`The same reads, each less its lower bound: the bar is how far apart its bounds are, the dot where the
            value fell (above the bar: more than was ever added; below 0: acknowledged adds missing).`
          : html`Reads${key} by invoke time: each read's value (dot) and the bounds the adds allow it (bar: adds
            acknowledged before it began, up to every add invoked before it completed). ${counter.reads.length} reads
            drawn, ${outside.length} outside their
            bounds${counter.omitted > 0 ? `; ${counter.omitted} more reads within bounds are not drawn` : ''}.`
      }
    </figcaption>
  </figure>`;
}

/** The counter check's chart, one per key, drawn whether the check held or not. */
export function counterCharts(check: CheckResult, data: ReportData, firstOpMs: number): SafeHtml {
  if (check.checker !== 'counter' || data.counters === null) return html``;
  return html`${data.counters.map(
    (c) => html`${counterBoundsFigure(c, data, firstOpMs)}${counterBoundsFigure(c, data, firstOpMs, true)}`,
  )}`;
}
