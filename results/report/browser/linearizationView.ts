// A Porcupine-style counterexample for linearizability: the ops around the failure in one lane per process
// on an ordinal axis (call and return times re-ranked, so concurrency is visible however short the ops),
// the longest partial linearization numbered in order with the model state after each step, and the op that
// could not be placed in red.
import type { LinearizationView, ReportData } from '../model.ts';
import { opDetails, opLabel } from './describeOp.ts';
import { el, svgEl } from './element.ts';
import type { Selection } from './selection.ts';

// Large enough to read each op's label in its bar; a wide view scrolls (to the failed op) rather than shrinks.
const laneHeight = 40;
const labelWidth = 60;
const top = 10;

export function renderLinearization(
  root: HTMLElement,
  data: ReportData,
  view: LinearizationView,
  selection: Selection,
): void {
  const svgBox = el('div', { className: 'lin-scroll' });
  const paths = el('div', { className: 'lin-paths' });
  // A partial linearization can be hundreds of ops long: the diagram shows the few around the failure, the
  // whole prefixes are there on demand.
  const longest = view.longest[0]?.length ?? 0;
  const collapsed = el(
    'details',
    { className: 'lin-paths-all' },
    el('summary', {
      text: `The longest partial linearization${view.longest.length > 1 ? 's' : ''} in full (${longest} ops${view.longest.length > 1 ? ` each, ${Math.min(view.longest.length, 5)} shown` : ''})`,
    }),
    paths,
  );
  // Replaces the static note the page carries for readers without scripts.
  root.replaceChildren(
    el('div', {
      className: 'muted',
      text: `Porcupine-style view${view.key === '' ? '' : ` of key ${view.key}`}, around the op that cannot be placed (red, scrolled to): ${view.ops.length} ops, those concurrent with it and the last steps of the longest linearizable prefix${longest > 0 ? ` (of its ${longest})` : ''}, numbered in its order; hover an op for the model's state after it.`,
    }),
    svgBox,
    collapsed,
  );
  let failedAt = 0;
  const scrollToFailed = () => {
    svgBox.scrollLeft = Math.max(0, failedAt - svgBox.clientWidth / 2);
  };
  const draw = (pathIndex: number) => {
    const { svg, failedX } = drawSvg(data, view, pathIndex, selection);
    svgBox.replaceChildren(svg);
    failedAt = failedX;
    scrollToFailed();
  };
  // A view inside a collapsed list of anomalies has no width yet: it scrolls to the failed op once opened.
  root.closest('details')?.addEventListener('toggle', scrollToFailed);
  view.longest.slice(0, 5).forEach((path, i) => {
    const row = el(
      'div',
      { className: 'lin-path' },
      el('b', { text: `Partial linearization ${i + 1} (${path.length} ops):` }),
    );
    for (const step of path) {
      row.append(el('span', { className: 'lin-step', text: opLabel(data, step.op, 24), title: `op #${step.op}` }));
      row.append(el('span', { className: 'lin-state', text: `⇒ ${step.state}` }));
    }
    row.append(
      el('span', {
        className: 'lin-step failed',
        text: `✗ ${opLabel(data, view.failedOp, 24)}`,
        title: `op #${view.failedOp} cannot follow`,
      }),
    );
    row.addEventListener('click', (e) => {
      e.stopPropagation();
      draw(i);
    });
    row.style.cursor = 'pointer';
    paths.append(row);
  });
  if (view.longest.length > 5)
    paths.append(el('div', { className: 'muted', text: `… and ${view.longest.length - 5} more of the same length.` }));
  draw(0);
}

function drawSvg(
  data: ReportData,
  view: LinearizationView,
  pathIndex: number,
  selection: Selection,
): { svg: SVGSVGElement; failedX: number } {
  const { ops } = data;
  const end = (id: number) => {
    const ret = ops.ret[id] ?? -1;
    return ret < 0 || ops.status[id] === 2 ? Infinity : ret;
  };
  // Ordinal axis: every distinct call/return time gets a rank.
  const times = [...new Set(view.ops.flatMap((id) => [ops.call[id] ?? 0, end(id)]))].sort((a, b) => a - b);
  const rank = new Map(times.map((t, i) => [t, i]));
  const processes = [...new Set(view.ops.map((id) => ops.process[id] ?? 0))].sort((a, b) => a - b);
  const step = Math.max(64, Math.min(120, 1200 / Math.max(times.length, 1)));
  let failedX = 0;
  const width = labelWidth + times.length * step + 20;
  const height = top + processes.length * laneHeight + 10;
  const svg = svgEl('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  const path = view.longest[pathIndex] ?? [];
  const order = new Map(path.map((s, i) => [s.op, i]));
  svg.classList.add('lin-view');
  processes.forEach((p, lane) => {
    svg.append(svgEl('text', { x: 4, y: top + lane * laneHeight + 24, fill: '#667085', 'font-size': 11 }, `p${p}`));
    svg.append(
      svgEl('line', {
        x1: labelWidth,
        x2: width,
        y1: top + (lane + 1) * laneHeight - 2,
        y2: top + (lane + 1) * laneHeight - 2,
        stroke: '#eef0f4',
      }),
    );
  });
  for (const id of view.ops) {
    const lane = processes.indexOf(ops.process[id] ?? 0);
    const x0 = labelWidth + (rank.get(ops.call[id] ?? 0) ?? 0) * step + 2;
    const x1 = labelWidth + (rank.get(end(id)) ?? times.length - 1) * step + step / 2;
    const y = top + lane * laneHeight + 4;
    const failed = id === view.failedOp;
    if (failed) failedX = (x0 + x1) / 2;
    const position = order.get(id);
    const fill = failed ? '#fde1de' : position !== undefined ? '#e4ebff' : '#f1f2f5';
    const stroke = failed ? '#d8453b' : position !== undefined ? '#3457d5' : '#b8bec9';
    const g = svgEl('g', { 'data-op': id });
    g.style.cursor = 'pointer';
    const state = position === undefined ? '' : `\nstate after step ${position + 1}: ${path[position]?.state ?? ''}`;
    g.append(
      svgEl(
        'title',
        {},
        `${opDetails(data, id)}${state}${failed ? '\ncould not be linearized after this prefix' : ''}`,
      ),
    );
    g.append(
      svgEl('rect', {
        x: x0,
        y,
        width: Math.max(x1 - x0, 8),
        height: laneHeight - 12,
        rx: 4,
        fill,
        stroke,
        'stroke-width': failed ? 2 : 1,
      }),
    );
    const label = `${position !== undefined ? `${position + 1}. ` : failed ? '✗ ' : ''}${opLabel(data, id, 18)}`;
    const clip = `lin-clip-${view.failedOp}-${id}`;
    const clipPath = svgEl('clipPath', { id: clip });
    clipPath.append(svgEl('rect', { x: x0, y, width: Math.max(x1 - x0 - 4, 4), height: laneHeight - 12 }));
    g.append(clipPath);
    g.append(
      svgEl(
        'text',
        { x: x0 + 5, y: y + 19, 'font-size': 12, fill: failed ? '#a4241b' : '#1d2430', 'clip-path': `url(#${clip})` },
        label,
      ),
    );
    g.addEventListener('click', (e) => {
      e.stopPropagation();
      selection.select(id);
    });
    svg.append(g);
  }
  return { svg, failedX };
}
