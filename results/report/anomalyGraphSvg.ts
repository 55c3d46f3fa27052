// An anomaly's cycle or bad pattern (Anomaly.detail.graph, from the causal, sequential and session checkers)
// drawn as inline SVG on the server: no Graphviz, no script, so it shows with JS off and under the page's CSP.
// Ops sit left to right in history order; edges going forward in history arc above, backward ones below.
import type { AnomalyGraph, AnomalyGraphEdge } from '../../checkers/anomalyGraph.ts';
import type { Value } from '../../checkers/history.ts';
import type { SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import type { ReportData } from './model.ts';

/** More ops than this would not be readable in one row; the rest are named in a note. */
export const maxGraphNodes = 12;

const nodeWidth = 150;
const nodeHeight = 44;
const gap = 46;
const pad = 12;

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

/** Two lines, as the timeline names ops: "#3 · p2 · x" and "read() → 1". */
function nodeLabel(data: ReportData, id: number): { head: string; call: string; title: string } {
  const { ops } = data;
  const f = data.fNames[ops.f[id] ?? 0] ?? '?';
  const keyIndex = ops.key[id] ?? -1;
  const key = keyIndex >= 0 ? ` · ${data.keys[keyIndex] ?? ''}` : '';
  const input = ops.input[id];
  const output = ops.output[id];
  const status = ops.status[id] ?? 2;
  let call = `${f}(${input === null ? '' : valueText(input, 14)})`;
  if (status !== 0) call += status === 1 ? ' fail' : ' info';
  else if (output !== null && output !== undefined && JSON.stringify(output) !== JSON.stringify(input))
    call += ` → ${valueText(output, 14)}`;
  const head = `#${id} · p${ops.process[id] ?? '?'}${key}`;
  return { head, call, title: `${head} · ${call} · history index ${ops.invokeIndex[id] ?? '?'}` };
}

/** Returns the graph as an SVG figure, or nothing when it has no drawable node. */
export function anomalyGraphFigure(graph: AnomalyGraph, data: ReportData, figureId: number): SafeHtml {
  const known = graph.nodes.filter((id, i) => id >= 0 && id < data.ops.count && graph.nodes.indexOf(id) === i);
  const kept = known.slice(0, maxGraphNodes);
  if (kept.length === 0) return html``;
  // History order left to right: po then always points right, and the reader's eye follows time.
  kept.sort((a, b) => (data.ops.invokeIndex[a] ?? 0) - (data.ops.invokeIndex[b] ?? 0));
  const column = new Map(kept.map((id, i) => [id, i]));
  const edges = graph.edges.filter((e) => column.has(e.from) && column.has(e.to) && e.from !== e.to);
  const dropped = known.length - kept.length;

  // Parallel edges (same ends, same direction) are nested: each gets its own arc height.
  const parallel = new Map<string, number>();
  const arcs = edges.map((e: AnomalyGraphEdge) => {
    const a = column.get(e.from)!;
    const b = column.get(e.to)!;
    const k = `${a},${b}`;
    const nth = parallel.get(k) ?? 0;
    parallel.set(k, nth + 1);
    const span = Math.abs(b - a);
    const rise = 36 + 26 * (span - 1) + 22 * nth;
    return { e, a, b, forward: b > a, rise };
  });
  const above = Math.max(0, ...arcs.filter((x) => x.forward).map((x) => x.rise / 2)) + 18;
  const below = Math.max(0, ...arcs.filter((x) => !x.forward).map((x) => x.rise / 2)) + 18;
  const top = pad + above;
  const width = pad * 2 + kept.length * nodeWidth + (kept.length - 1) * gap;
  const height = top + nodeHeight + below + pad;
  const cx = (i: number) => pad + i * (nodeWidth + gap) + nodeWidth / 2;
  const marker = `ag-arrow-${figureId}`;

  const edgeMarks = arcs.map(({ e, a, b, forward, rise }) => {
    // Leave and enter a little off-centre so arcs in and out of one op do not share an end point.
    const x1 = cx(a) + (forward ? 12 : -12);
    const x2 = cx(b) + (forward ? -12 : 12);
    const y = forward ? top : top + nodeHeight;
    const cy = forward ? y - rise : y + rise;
    const mx = (x1 + x2) / 2;
    // A quadratic Bézier's midpoint is halfway to its control point.
    const ly = (y + cy) / 2 + (forward ? -4 : 12);
    const cls = relationClasses[e.relation] ?? 'rel-other';
    return html`<g class="ag-edge ${cls}" data-from="${e.from}" data-to="${e.to}" data-relation="${e.relation}">
      <title>#${e.from} ${e.relation} #${e.to}</title>
      <path d="M ${x1} ${y} Q ${mx} ${cy} ${x2} ${y}" marker-end="url(#${marker})"></path>
      <text x="${mx}" y="${ly}" text-anchor="middle">${e.relation}</text>
    </g>`;
  });
  const nodeMarks = kept.map((id, i) => {
    const label = nodeLabel(data, id);
    const x = cx(i) - nodeWidth / 2;
    return html`<g class="ag-node" data-op="${id}">
      <title>${label.title}</title>
      <rect x="${x}" y="${top}" width="${nodeWidth}" height="${nodeHeight}" rx="6"></rect>
      <text x="${cx(i)}" y="${top + 17}" text-anchor="middle" class="ag-head">${label.head}</text>
      <text x="${cx(i)}" y="${top + 34}" text-anchor="middle">${label.call}</text>
    </g>`;
  });
  return html`<figure class="anomaly-graph" data-graph="${figureId}">
    <svg
      xmlns="http://www.w3.org/2000/svg"
      width="${width}"
      height="${height}"
      viewBox="0 0 ${width} ${height}"
      role="img"
      aria-label="${kept.length} ops and ${edges.length} relations between them"
    >
      <defs>
        <marker id="${marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
          <path d="M 0 0 L 10 5 L 0 10 z"></path>
        </marker>
      </defs>
      ${edgeMarks} ${nodeMarks}
    </svg>
    <figcaption class="muted small">
      Ops in history order; arcs above point forward in time, arcs below backward. po program order, rf reads from,
      co/hb causal order, ww write order, rw read before
      overwrite.${dropped > 0 ? ` ${dropped} more ops (and their edges) not drawn.` : ''}
    </figcaption>
  </figure>`;
}
