// The first screen's picture of a violation: the few ops that prove it (a cycle's ops, the stale read and the
// write it missed) as a mini timeline, one lane per process, with the anomaly's edges between them and the op
// that cannot be placed in red. Static SVG rendered on the server, so it reads with scripts off.
// The axis is ordinal, as Porcupine's: call and return times are ranked, so concurrency shows however short
// the ops; the exact times are in the list under the drawing.
import type { AnomalyGraphEdge } from '../../checkers/anomalyGraph.ts';
import { readAnomalyGraph } from '../../checkers/anomalyGraph.ts';
import type { Value } from '../../checkers/history.ts';
import type { Anomaly } from '../../checkers/result.ts';
import type { SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import { opLabel } from './browser/describeOp.ts';
import { svgDrawing } from './svgDrawing.ts';
import { formatSinceFirstOp } from './format.ts';
import type { ReportData } from './model.ts';
import { opKindColor } from './opKindColors.ts';
import { describeValue, linearizationDetail } from './reportData.ts';

/** "The few ops that prove it": more than this and the picture stops being glanceable. */
export const maxProvingOps = 6;
const maxEdges = 10;

const laneHeight = 30;
const barHeight = 14;
const labelColumn = 44;
const pad = 6;
const maxWidth = 560;
/** An estimate of a 10 px label's box, so labels are moved until none sits on another. */
const charWidth = 6.2;
const textHeight = 12;

/** The relations' names in words, for the picture's legend (as the cycle diagram's caption). */
// A Map: a relation named "constructor" must not find Object.prototype's.
const relationWords = new Map([
  ['po', 'program order'],
  ['so', 'session order'],
  ['rf', 'reads from'],
  ['wr', 'reads from'],
  ['co', 'causal order'],
  ['hb', 'happens before'],
  ['ww', 'write order'],
  ['rw', 'read before overwrite'],
  ['rt', 'completed before it began'],
]);

type Box = { x0: number; x1: number; y0: number; y1: number };
const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

export interface ProvingOps {
  /** Operation ids, in the order the anomaly names them. */
  ops: number[];
  edges: AnomalyGraphEdge[];
  /** The op the anomaly is about, if it says which: one that cannot be placed, a read missing lost elements. */
  failedOp: number | null;
  /** What that op did wrong, in words, beside it in the list. */
  failedWhy: string;
  /** How many ops of the anomaly are not drawn. */
  left: number;
}

/** The first element's first missing read, from a set checker's lost-elements detail; null for any other. */
function setMissingRead(detail: Anomaly['detail']): { op: number; element: Value } | null {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return null;
  const elements = detail['elements'];
  const first = Array.isArray(elements) ? elements[0] : undefined;
  if (first === null || typeof first !== 'object' || Array.isArray(first) || first === undefined) return null;
  const op = first['firstMissingOp'];
  return typeof op === 'number' && Number.isInteger(op) ? { op, element: first['element'] ?? null } : null;
}

/**
 * For a register read that cannot be placed: the write it read from (rf), and each write that began after that
 * one completed and completed before the read began (rt: real-time order), which the read then missed. Only
 * this pattern, which proves the read stale whatever the model's other ops did, is drawn.
 */
export function staleReadEdges(read: number, drawn: readonly number[], data: ReportData): AnomalyGraphEdge[] {
  const { ops } = data;
  const f = (op: number) => data.fNames[ops.f[op] ?? -1];
  if (f(read) !== 'read' || ops.status[read] !== 0) return [];
  const returned = JSON.stringify(ops.output[read] ?? null);
  const writes = drawn.filter((op) => op !== read && f(op) === 'write' && ops.key[op] === ops.key[read]);
  const source = writes.find((w) => ops.status[w] !== 1 && JSON.stringify(ops.input[w] ?? null) === returned);
  if (source === undefined) return [];
  const completed = (op: number) => ops.status[op] === 0 && (ops.ret[op] ?? -1) >= 0;
  const edges: AnomalyGraphEdge[] = [{ from: source, to: read, relation: 'rf' }];
  for (const w of writes)
    if (
      w !== source &&
      completed(w) &&
      completed(source) &&
      ops.call[w]! > ops.ret[source]! &&
      ops.ret[w]! < ops.call[read]! &&
      JSON.stringify(ops.input[w] ?? null) !== returned
    )
      edges.push({ from: w, to: read, relation: 'rt' });
  return edges.length > 1 ? edges : [];
}

/** Which ops to draw: the cycle's (or pattern's) first few, else the anomaly's ops and its unplaceable op. */
export function provingOps(anomaly: Anomaly, data: ReportData): ProvingOps {
  const known = (id: number) => Number.isInteger(id) && id >= 0 && id < data.ops.count;
  const graph = readAnomalyGraph(anomaly.detail);
  const linearization = linearizationDetail(anomaly.detail);
  // A set's lost elements are proved by the first read that missed them for good (the set checker's detail).
  const lostRead = setMissingRead(anomaly.detail);
  const failedOp = linearization?.failedOp ?? lostRead?.op ?? null;
  const failedWhy =
    linearization !== null || lostRead === null
      ? 'cannot be placed'
      : `misses ${describeValue(lostRead.element, 20)}, as every later read does`;
  const named = [...(graph?.nodes ?? []), ...anomaly.ops, ...(failedOp === null ? [] : [failedOp])];
  // A linearizability failure is read against the end of the longest prefix that did linearize: its last
  // steps (the write a stale read missed, the one it returned) come next.
  const prefix = (linearization?.longest[0] ?? []).map((step) => step.op).reverse();
  const all = [...new Set(named.filter(known))];
  const ops = all.slice(0, maxProvingOps);
  // The unplaceable op is the point of the picture: it is drawn even when the anomaly lists many ops.
  if (failedOp !== null && known(failedOp) && !ops.includes(failedOp)) ops[ops.length - 1] = failedOp;
  for (const op of prefix) if (ops.length < maxProvingOps && known(op) && !ops.includes(op)) ops.push(op);
  // Numbered left to right, as the eye reads a timeline; the edges carry the anomaly's own order.
  ops.sort((a, b) => (data.ops.call[a] ?? 0) - (data.ops.call[b] ?? 0) || a - b);
  const drawn = new Set(ops);
  const edges = (graph?.edges ?? []).filter((e) => drawn.has(e.from) && drawn.has(e.to)).slice(0, maxEdges);
  if (graph === null && failedOp !== null && linearization !== null) edges.push(...staleReadEdges(failedOp, ops, data));
  const left = all.filter((op) => !drawn.has(op)).length;
  return { ops, edges, failedOp: failedOp !== null && drawn.has(failedOp) ? failedOp : null, failedWhy, left };
}

/** The picture and its list of ops, or nothing when the anomaly names no op of this history. */
export function provingOpsFigure(anomaly: Anomaly, data: ReportData, firstOpMs: number, id: number): SafeHtml {
  const proving = provingOps(anomaly, data);
  if (proving.ops.length === 0) return html``;
  const { ops } = data;
  const end = (op: number) => {
    const ret = ops.ret[op] ?? -1;
    return ret < 0 || ops.status[op] === 2 ? Infinity : ret;
  };
  // Each call and completion its own rank, by time; equal times (a history recorded coarser than its ops, as
  // converted EDN files are) by history order, a completion just after its own invoke, so that one process's
  // ops never overlap.
  const events = proving.ops.flatMap((op) => {
    const seq = (ops.invokeIndex[op] ?? 0) * 2;
    return [
      { op, at: ops.call[op] ?? 0, seq, ret: false },
      { op, at: end(op), seq: seq + 1, ret: true },
    ];
  });
  events.sort((a, b) => a.at - b.at || a.seq - b.seq);
  const callRank = new Map<number, number>();
  const retRank = new Map<number, number>();
  events.forEach((e, i) => (e.ret ? retRank : callRank).set(e.op, i));
  const ranks = events.length;
  const processes = [...new Set(proving.ops.map((op) => ops.process[op] ?? 0))].sort((a, b) => a - b);
  const step = Math.max(34, Math.min(80, (maxWidth - labelColumn) / Math.max(ranks, 1)));
  const width = labelColumn + ranks * step + pad;
  const laneY = (op: number) => pad + processes.indexOf(ops.process[op] ?? 0) * laneHeight;
  const bar = new Map<number, Box>();
  for (const op of proving.ops) {
    const x0 = labelColumn + (callRank.get(op) ?? 0) * step;
    const x1 = labelColumn + (retRank.get(op) ?? ranks - 1) * step + step / 2;
    const y0 = laneY(op) + (laneHeight - barHeight) / 2;
    bar.set(op, { x0, x1: Math.max(x1, x0 + 16), y0, y1: y0 + barHeight });
  }
  const number = new Map(proving.ops.map((op, i) => [op, i + 1]));
  // Bars and their numbers are placed first; an edge's relation label is moved up or down until it is clear.
  const placed: Box[] = [...bar.values()];
  const marker = `po-arrow-${id}`;
  // Parallel edges (same ends) nest: each gets its own height.
  const parallel = new Map<string, number>();
  const edgeMarks = proving.edges.map((e) => {
    const a = bar.get(e.from)!;
    const b = bar.get(e.to)!;
    // Forward in time arcs above the bars, backward (as a cycle must somewhere) below, as the cycle diagram.
    const forward = (a.x0 + a.x1) / 2 < (b.x0 + b.x1) / 2;
    const k = [e.from, e.to].sort((x, y) => x - y).join(',');
    const nth = parallel.get(k) ?? 0;
    parallel.set(k, nth + 1);
    const x1 = forward ? a.x1 - 6 : a.x0 + 6;
    const x2 = forward ? b.x0 + 6 : b.x1 - 6;
    const y1 = forward ? a.y0 : a.y1;
    const y2 = forward ? b.y0 : b.y1;
    const rise = 14 + 8 * nth + Math.min(20, Math.abs(x2 - x1) / 12);
    const apexY = forward ? Math.min(y1, y2) - rise : Math.max(y1, y2) + rise;
    // A quadratic Bézier's midpoint is halfway to its control point.
    const controlY = 2 * apexY - (y1 + y2) / 2;
    const path = `M ${x1} ${y1} Q ${(x1 + x2) / 2} ${controlY} ${x2} ${y2}`;
    const half = (e.relation.length * charWidth) / 2 + 2;
    const mx = (x1 + x2) / 2;
    const sign = forward ? -1 : 1;
    const at = (dy: number): Box => ({
      x0: mx - half,
      x1: mx + half,
      y0: apexY + dy - textHeight / 2,
      y1: apexY + dy + textHeight / 2,
    });
    let box = at(0);
    for (let k = 1; k < 30 && placed.some((p) => overlaps(p, box)); k++) box = at(sign * k * 4);
    placed.push(box, { x0: Math.min(x1, x2), x1: Math.max(x1, x2), y0: apexY - 1, y1: apexY + 1 });
    return html`<g class="po-edge" data-from="${e.from}" data-to="${e.to}" data-relation="${e.relation}">
      <title>op ${number.get(e.from) ?? '?'} ${e.relation} op ${number.get(e.to) ?? '?'}</title>
      <path d="${path}" marker-end="url(#${marker})"></path>
      <text x="${mx}" y="${box.y1 - 2}" text-anchor="middle">${e.relation}</text>
    </g>`;
  });
  const barMarks = proving.ops.map((op) => {
    const b = bar.get(op)!;
    const failed = op === proving.failedOp;
    const info = ops.status[op] !== 0;
    const f = data.fNames[ops.f[op] ?? 0] ?? '?';
    return html`<g class="po-op${failed ? ' po-failed' : ''}${info ? ' po-indeterminate' : ''}" data-op="${op}">
      <title>${number.get(op)}. #${op} · p${ops.process[op]} · ${opLabel(data, op, 60)}</title>
      <rect x="${b.x0}" y="${b.y0}" width="${b.x1 - b.x0}" height="${barHeight}" rx="3" fill="${opKindColor(f)}"></rect>
      <text x="${b.x0 + 4}" y="${b.y1 - 3}">${number.get(op)}</text>
    </g>`;
  });
  const laneMarks = processes.map(
    (p, i) =>
      html`<text class="po-lane" x="4" y="${pad + i * laneHeight + laneHeight / 2 + 4}">p${p}</text>
        <line
          x1="${labelColumn - 4}"
          x2="${width}"
          y1="${pad + (i + 1) * laneHeight}"
          y2="${pad + (i + 1) * laneHeight}"
        ></line>`,
  );
  const top = Math.min(0, ...placed.map((p) => p.y0 - 2));
  const bottom = Math.max(pad * 2 + processes.length * laneHeight, ...placed.map((p) => p.y1 + 2));
  const height = bottom - top;
  const when = (op: number) => {
    const call = formatSinceFirstOp(ops.call[op] ?? 0, firstOpMs);
    const ret = ops.ret[op] ?? -1;
    if (ops.status[op] === 2) return `invoked ${call}, outcome unknown`;
    return ret < 0 ? `invoked ${call}` : `${call} – ${formatSinceFirstOp(ret, firstOpMs)}`;
  };
  return html`<figure class="proving-ops" data-proving="${id}">
    ${svgDrawing(
      {
        width,
        height,
        top,
        label: `${proving.ops.length} ops that prove the anomaly, on a timeline`,
        arrow: { id: marker, size: 6 },
      },
      [laneMarks, barMarks, edgeMarks],
    )}
    <ol class="proving-list small">
      ${proving.ops.map(
        (op) =>
          html`<li class="${op === proving.failedOp ? 'po-failed-item' : ''}">
            <span class="muted">#${op}</span> <code>p${ops.process[op]} ${opLabel(data, op, 64)}</code>
            <span class="muted">${when(op)}</span
            >${op === proving.failedOp ? html` <b class="st-fail">${proving.failedWhy}</b>` : ''}
          </li>`,
      )}
    </ol>
    ${
      proving.edges.length > 0
        ? html`<figcaption class="muted small">
            ${[...new Set(proving.edges.map((e) => e.relation))]
              .map((r) => `${r} ${relationWords.get(r) ?? ''}`.trim())
              .join(' · ')}
          </figcaption>`
        : ''
    }
    ${proving.left > 0 ? html`<figcaption class="muted small">and ${proving.left} more ops, in the explanation</figcaption>` : ''}
  </figure>`;
}
