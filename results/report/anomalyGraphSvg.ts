// An anomaly's cycle or bad pattern (Anomaly.detail.graph, from the causal, sequential and session checkers)
// drawn as inline SVG on the server: no Graphviz, no script, so it shows with JS off and under the page's CSP.
// A small graph's ops sit left to right in history order; edges going forward arc above, backward ones below.
// A longer one is drawn summarised (its first and last steps, the rest counted), the whole of it listed in a
// collapsed list below the drawing.
import type { AnomalyGraph, AnomalyGraphEdge } from '../../checkers/anomalyGraph.ts';
import type { Value } from '../../checkers/history.ts';
import type { SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import { microOpsText } from './format.ts';
import { svgDrawing } from './svgDrawing.ts';
import type { ReportData } from './model.ts';

/** A graph of more ops than this is drawn summarised: a dozen boxes is what one readable row holds. */
export const maxGraphNodes = 12;
/** Of a summarised graph, the first and the last ops drawn (in the anomaly's order) around the elided middle. */
export const summaryHead = 3;
export const summaryTail = 2;
/** The collapsed full list stops here; every edge stays in results.json. */
const maxListedEdges = 2000;

const nodeWidth = 150;
/** A box's height for one line under its head line; each further line (a txn's micro-ops) adds lineHeight. */
const baseNodeHeight = 44;
const lineHeight = 15;
/** A transaction's micro-ops drawn one a line, up to this many (the rest counted). */
const maxMicroLines = 5;
const microLineChars = 22;
const gap = 46;
const pad = 12;
/** Relation labels: an estimate of a bold 11 px label's box, so that two labels never sit on one another. */
const labelCharWidth = 7;
const labelHeight = 14;

/** Relations with their own colour (report.css); any other relation is drawn in the neutral one. */
const relationClasses: Record<string, string> = {
  po: 'rel-po',
  so: 'rel-po',
  rf: 'rel-rf',
  wr: 'rel-rf',
  co: 'rel-co',
  hb: 'rel-co',
  ww: 'rel-ww',
  rw: 'rel-rw',
};

function valueText(v: Value | undefined, max: number): string {
  if (v === undefined) return '';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * A head line "#3 · p2 · x" over the op: "read() → 1", or a transaction's micro-ops one a line
 * ("r x [1 2]", "append y 3"), as its reads returned them when it completed ok.
 */
function nodeLabel(data: ReportData, id: number): { head: string; lines: string[]; title: string } {
  const { ops } = data;
  const f = data.fNames[ops.f[id] ?? 0] ?? '?';
  const keyIndex = ops.key[id] ?? -1;
  const key = keyIndex >= 0 ? ` · ${valueText(data.keys[keyIndex] ?? '', 10)}` : '';
  const input = ops.input[id];
  const output = ops.output[id];
  const status = ops.status[id] ?? 2;
  const head = `#${id} · p${ops.process[id] ?? '?'}${key}`;
  const outcome = status === 0 ? '' : status === 1 ? ' fail' : ' info';
  const micro = microOpsText(status === 0 && output !== null && output !== undefined ? output : input);
  if (micro !== null) {
    const all = micro.split(' · ');
    const lines = all
      .slice(0, all.length > maxMicroLines ? maxMicroLines - 1 : maxMicroLines)
      .map((m) => valueText(m, microLineChars));
    if (lines.length < all.length) lines.push(`… ${all.length - lines.length} more`);
    return {
      head: `${head}${outcome}`,
      lines,
      title: `${head} · ${micro}${outcome} · history index ${ops.invokeIndex[id] ?? '?'}`,
    };
  }
  let call = `${valueText(f, 8)}(${input === null ? '' : valueText(input, 14)})${outcome}`;
  if (status === 0 && output !== null && output !== undefined && JSON.stringify(output) !== JSON.stringify(input))
    call += ` → ${valueText(output, 14)}`;
  return { head, lines: [call], title: `${head} · ${call} · history index ${ops.invokeIndex[id] ?? '?'}` };
}

type Box = { x0: number; x1: number; y0: number; y1: number };
const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** One drawn arc: between columns a and b (b = -1 … never: elided arcs go to the placeholder's column). */
interface Arc {
  e: AnomalyGraphEdge;
  a: number;
  b: number;
  forward: boolean;
  rise: number;
  elided: boolean;
}

/** Returns the graph as an SVG figure, or nothing when it has no drawable node. */
export function anomalyGraphFigure(graph: AnomalyGraph, data: ReportData, figureId: number): SafeHtml {
  const known = graph.nodes.filter((id, i) => id >= 0 && id < data.ops.count && graph.nodes.indexOf(id) === i);
  if (known.length === 0) return html``;
  const summarised = known.length > maxGraphNodes;
  // Every box as tall as the one with the most lines, so arcs leave and enter one row.
  const maxLines = Math.max(1, ...known.map((id) => nodeLabel(data, id).lines.length));
  const nodeHeight = baseNodeHeight + (maxLines - 1) * lineHeight;
  // Columns: ops, with a placeholder (null) for a summarised graph's elided middle. A small graph goes in
  // history order (po then always points right, and the eye follows time); a summarised one in the anomaly's
  // own order, so its first steps, the count and its last steps read as the cycle goes.
  const columns: (number | null)[] = summarised
    ? [...known.slice(0, summaryHead), null, ...known.slice(-summaryTail)]
    : [...known].sort((a, b) => (data.ops.invokeIndex[a] ?? 0) - (data.ops.invokeIndex[b] ?? 0));
  const column = new Map<number, number>();
  columns.forEach((id, i) => {
    if (id !== null) column.set(id, i);
  });
  const edges = graph.edges.filter((e) => column.has(e.from) && column.has(e.to) && e.from !== e.to);
  const elidedCount = known.length - (columns.length - (summarised ? 1 : 0));
  const placeholder = summarised ? summaryHead : -1;

  // Parallel edges (same ends, same direction) are nested: each gets its own arc height.
  const parallel = new Map<string, number>();
  const arcs: Arc[] = edges.map((e) => {
    const a = column.get(e.from)!;
    const b = column.get(e.to)!;
    const k = `${a},${b}`;
    const nth = parallel.get(k) ?? 0;
    parallel.set(k, nth + 1);
    const span = Math.abs(b - a);
    return { e, a, b, forward: b > a, rise: 36 + 26 * (span - 1) + 22 * nth, elided: false };
  });
  if (summarised) {
    // Dashed arrows into and out of the elided middle, so the drawing still reads as one chain.
    const last = known[summaryHead - 1]!;
    const next = known[known.length - summaryTail]!;
    for (const [a, b, from, to] of [
      [placeholder - 1, placeholder, last, -1],
      [placeholder, placeholder + 1, -1, next],
    ] as const)
      arcs.push({ e: { from, to, relation: '' }, a, b, forward: true, rise: 36, elided: true });
  }

  const cx = (i: number) => pad + i * (nodeWidth + gap) + nodeWidth / 2;
  // A label sits at its arc's apex (a quadratic Bézier's midpoint is halfway to its control point). Where it
  // would cover an earlier label, its arc is raised (or lowered) until it does not.
  const labelBox = (arc: Arc): Box => {
    const mid = (cx(arc.a) + cx(arc.b)) / 2;
    const half = (arc.e.relation.length * labelCharWidth + 6) / 2;
    // Relative to the node row: above it negative (baseline rise/2 + 4 up), below it positive.
    const base = arc.forward ? -(arc.rise / 2 + 4) : nodeHeight + arc.rise / 2 + 12;
    return { x0: mid - half, x1: mid + half, y0: base - labelHeight + 3, y1: base + 3 };
  };
  const placed: Box[] = [];
  for (const arc of arcs) {
    if (arc.e.relation === '') continue;
    for (let tries = 0; tries < 40 && placed.some((p) => overlaps(p, labelBox(arc))); tries++) arc.rise += 2 * 8;
    placed.push(labelBox(arc));
  }
  const above = Math.max(0, ...arcs.filter((x) => x.forward).map((x) => x.rise / 2)) + 20;
  const below = Math.max(0, ...arcs.filter((x) => !x.forward).map((x) => x.rise / 2)) + 20;
  const top = pad + above;
  const width = pad * 2 + columns.length * nodeWidth + (columns.length - 1) * gap;
  const height = top + nodeHeight + below + pad;
  const marker = `ag-arrow-${figureId}`;

  const edgeMarks = arcs.map((arc) => {
    const { e, a, b, forward, rise } = arc;
    // Leave and enter a little off-centre so arcs in and out of one op do not share an end point.
    const x1 = cx(a) + (forward ? 12 : -12);
    const x2 = cx(b) + (forward ? -12 : 12);
    const y = forward ? top : top + nodeHeight;
    const cy = forward ? y - rise : y + rise;
    const mx = (x1 + x2) / 2;
    const ly = top + (labelBox(arc).y1 - 3);
    const path = html`<path d="M ${x1} ${y} Q ${mx} ${cy} ${x2} ${y}" marker-end="url(#${marker})"></path>`;
    if (arc.elided) return html`<g class="ag-edge rel-elided">${path}</g>`;
    const cls = relationClasses[e.relation] ?? 'rel-other';
    return html`<g class="ag-edge ${cls}" data-from="${e.from}" data-to="${e.to}" data-relation="${e.relation}">
      <title>#${e.from} ${e.relation} #${e.to}</title>
      ${path}
      <text x="${(cx(a) + cx(b)) / 2}" y="${ly}" text-anchor="middle">${e.relation}</text>
    </g>`;
  });
  const nodeMarks = columns.map((id, i) => {
    const x = cx(i) - nodeWidth / 2;
    if (id === null)
      return html`<g class="ag-elided">
        <title>${elidedCount} ops of the cycle between these, all listed below</title>
        <rect x="${x}" y="${top}" width="${nodeWidth}" height="${nodeHeight}" rx="6"></rect>
        <text x="${cx(i)}" y="${top + nodeHeight / 2 + 5}" text-anchor="middle">… ${elidedCount} more ops …</text>
      </g>`;
    const label = nodeLabel(data, id);
    return html`<g class="ag-node" data-op="${id}">
      <title>${label.title}</title>
      <rect x="${x}" y="${top}" width="${nodeWidth}" height="${nodeHeight}" rx="6"></rect>
      <text x="${cx(i)}" y="${top + 17}" text-anchor="middle" class="ag-head">${label.head}</text>
      ${label.lines.map((line, n) => html`<text x="${cx(i)}" y="${top + 34 + n * lineHeight}" text-anchor="middle">${line}</text>`)}
    </g>`;
  });
  const drawnOps = columns.length - (summarised ? 1 : 0);
  return html`<figure class="anomaly-graph" data-graph="${figureId}">
    ${svgDrawing(
      {
        width,
        height,
        label: `${summarised ? `${drawnOps} of ${known.length}` : `${drawnOps}`} ops and ${edges.length} relations between them`,
        arrow: { id: marker, size: 7 },
      },
      [edgeMarks, nodeMarks],
    )}
    <figcaption class="muted small">
      ${
        summarised
          ? `The first ${summaryHead} and last ${summaryTail} of its ${known.length} ops, in the anomaly's order; arcs above point forward along it, arcs below back.`
          : 'Ops in history order; arcs above point forward in time, arcs below backward.'
      }
      po program order, rf/wr reads from, co/hb causal order, ww write order, rw read before overwrite.
    </figcaption>
    ${summarised ? wholeGraph(graph, data) : ''}
  </figure>`;
}

/** Every edge of a graph too long to draw, one a line, collapsed: the whole cycle on demand. */
function wholeGraph(graph: AnomalyGraph, data: ReportData): SafeHtml {
  const name = (id: number) => {
    if (id < 0 || id >= data.ops.count) return `#${id}`;
    const label = nodeLabel(data, id);
    return `${label.head} ${label.lines.join(' · ')}`;
  };
  const listed = graph.edges.slice(0, maxListedEdges);
  return html`<details class="whole-cycle">
    <summary>All ${graph.edges.length} relations of the ${graph.nodes.length} ops, in the anomaly's order</summary>
    <ol class="cycle-steps">
      ${listed.map(
        (e) =>
          html`<li><code>${name(e.from)}</code> <b class="rel-name">${e.relation}</b> <code>${name(e.to)}</code></li>`,
      )}
    </ol>
    ${graph.edges.length > listed.length ? html`<p class="muted">… ${graph.edges.length - listed.length} more, all in results.json.</p>` : ''}
  </details>`;
}
