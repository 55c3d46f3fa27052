// A Lamport diagram of the messages around an anomaly (messageDiagram.ts), as Maelstrom draws them: one
// vertical lane per client and node, time downward, an arrow per message from its send to its arrival, a
// dropped one dashed in red ending in ✗ and its reason. Time is ordinal, one row per event, so a burst of
// messages within a millisecond stays readable; each row's time is written beside it. A row holds one label at
// most, so no label can sit on another. Static SVG rendered on the server: it reads with scripts off.
import type { SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import { formatSinceFirstOp } from './format.ts';
import type { DiagramArrow, MessageDiagram } from './messageDiagram.ts';
import type { ReportData } from './model.ts';
import { svgDrawing } from './svgDrawing.ts';

const rowHeight = 17;
const headerHeight = 30;
const timeColumn = 64;
const pad = 8;
/** An estimate of an 11 px label's width per character, so lanes are far enough apart for their labels. */
const charWidth = 6.6;
const minLaneGap = 96;
/** How far across a dropped message's arrow goes. */
const dropReach = 0.8;
const dropLabelRoom = 100;

interface Row {
  at: number;
  arrow: number;
  end: boolean;
}

function arrowLabel(a: DiagramArrow, data: ReportData): string {
  const op = a.op === null ? '' : ` · op ${a.op}`;
  const f = a.op === null ? '' : ` ${data.fNames[data.ops.f[a.op] ?? -1] ?? ''}`;
  return `${a.type}${a.duplicate ? ' (dup)' : ''}${op}${a.op === null || a.src.startsWith('n') ? '' : f}`;
}

export function messageDiagramSvg(d: MessageDiagram, data: ReportData): SafeHtml {
  const labels = d.arrows.map((a) => arrowLabel(a, data));
  const longest = Math.max(0, ...labels.map((l) => l.length), ...d.lanes.map((l) => l.label.length));
  const gap = Math.max(minLaneGap, Math.ceil(longest * charWidth) + 16);
  // Room beside the outer lanes for a drop's reason, which goes on past where its arrow stops.
  const side = Math.max(gap / 2, dropLabelRoom);
  const laneX = new Map(d.lanes.map((l, i) => [l.name, timeColumn + pad + side + i * gap]));
  const rows: Row[] = [];
  d.arrows.forEach((a, i) => {
    rows.push({ at: a.sentAt, arrow: i, end: false });
    if (a.endAt !== null) rows.push({ at: a.endAt, arrow: i, end: true });
  });
  rows.sort((a, b) => a.at - b.at || Number(a.end) - Number(b.end) || a.arrow - b.arrow);
  const sendRow = new Map<number, number>();
  const endRow = new Map<number, number>();
  rows.forEach((r, i) => (r.end ? endRow : sendRow).set(r.arrow, i));
  const y = (row: number) => headerHeight + pad + row * rowHeight + rowHeight / 2;
  const bottom = y(Math.max(0, rows.length - 1)) + rowHeight;
  const width = timeColumn + pad * 2 + side * 2 + gap * Math.max(0, d.lanes.length - 1);
  const lanes = d.lanes.map((l) => {
    const x = laneX.get(l.name)!;
    return html`<g class="md-lane">
      <text x="${x}" y="${headerHeight - 10}" text-anchor="middle">${l.label}</text>
      <line x1="${x}" y1="${headerHeight}" x2="${x}" y2="${bottom}"></line>
    </g>`;
  });
  const times = rows.map(
    (r, i) =>
      html`<text class="md-time" x="${timeColumn}" y="${y(i) + 4}" text-anchor="end"
        >${formatSinceFirstOp(r.at, 0)}</text
      >`,
  );
  const arrows = d.arrows.map((a, i) => {
    const x1 = laneX.get(a.src);
    const x2full = laneX.get(a.dest);
    if (x1 === undefined || x2full === undefined) return '';
    const y1 = y(sendRow.get(i)!);
    const end = endRow.get(i);
    // Still in flight when the log ended: drawn to the bottom, open-ended.
    const y2full = end === undefined ? bottom : y(end);
    // A drop ends short of its lane, on its own row, where its reason is the row's one label.
    const x2 = x1 + (x2full - x1) * (a.dropped === null ? 1 : dropReach);
    const y2 = y2full;
    const rightward = x2full > x1;
    const cls = `md-msg${a.dropped === null ? '' : ' md-dropped'}${a.op === null ? '' : ' md-op'}`;
    const drop =
      a.dropped === null
        ? ''
        : html`<text
            class="md-drop"
            x="${x2 + (rightward ? 4 : -4)}"
            y="${y2 - 3}"
            text-anchor="${rightward ? 'start' : 'end'}"
            >✗ ${a.dropped}</text
          >`;
    return html`<g class="${cls}" data-message="${a.id}" data-op="${a.op ?? ''}">
      <line
        x1="${x1}"
        y1="${y1}"
        x2="${x2}"
        y2="${y2}"
        ${a.dropped === null ? html`marker-end="url(#md-arrow)"` : ''}
      ></line>
      <circle cx="${x1}" cy="${y1}" r="2.5"></circle>
      <text x="${x1 + (rightward ? 6 : -6)}" y="${y1 - 3}" text-anchor="${rightward ? 'start' : 'end'}"
        >${labels[i]}</text
      >
      ${drop}
    </g>`;
  });
  return svgDrawing(
    {
      width,
      height: bottom + pad,
      label: `Messages around the ${d.anomaly.type} anomaly: ${d.arrows.length} drawn`,
      arrow: { id: 'md-arrow', size: 7 },
    },
    html`${lanes}${times}${arrows}`,
  );
}
