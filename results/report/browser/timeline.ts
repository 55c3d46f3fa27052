// One file, over 400 lines: it is one canvas class whose drawing, hit-testing, zoom and pan share its view state.
// The op timeline on a canvas: one lane per process, bars from invoke to completion, fault windows as
// named bands. Only what is on screen is drawn (each lane's ops are sorted, so visible ones are found by
// binary search), which keeps zooming and panning smooth at 100,000 ops.
import { formatDuration, formatRunTime } from '../format.ts';
import { laneLabel } from '../laneLabel.ts';
import type { ReportData } from '../model.ts';
import { opDetails } from './describeOp.ts';
import { el } from './element.ts';
import { faultLegend, fitText, placeLabels, withAlpha } from './faultColors.ts';
import type { Selection } from './selection.ts';

const gutter = 96;
/** The time axis, then two rows of fault labels above the lanes. */
const axisHeight = 46;
const statusColors = ['#2f9e5a', '#d8453b', '#e39b12'];
const highlightColor = '#7b2ff7';

interface View {
  start: number;
  end: number;
  /** First lane at the top, fractional. */
  laneTop: number;
}

export class Timeline {
  private readonly _data: ReportData;
  private readonly _selection: Selection;
  private readonly _root: HTMLElement;
  private readonly _canvas: HTMLCanvasElement;
  private readonly _tooltip: HTMLDivElement;
  private readonly _detail: HTMLDivElement;
  private readonly _range: HTMLSpanElement;
  /** Op ids per lane, in invoke order. */
  private readonly _lanes: number[][];
  private readonly _laneOf = new Map<number, number>();
  private _view: View;
  private _laneHeight = 18;
  private _width = 800;
  private _height = 300;
  private _frame = 0;

  constructor(root: HTMLElement, data: ReportData, selection: Selection) {
    this._root = root;
    this._data = data;
    this._selection = selection;
    this._lanes = data.lanes.map(() => []);
    data.lanes.forEach((processes, i) => {
      for (const p of processes) this._laneOf.set(p, i);
    });
    for (let id = 0; id < data.ops.count; id++) this._lanes[this._laneOf.get(data.ops.process[id] ?? 0) ?? 0]?.push(id);
    this._view = { start: 0, end: this._fullEnd(), laneTop: 0 };

    const button = (text: string, title: string, action: () => void) => {
      const b = el('button', { text, title, attrs: { type: 'button' } });
      b.addEventListener('click', action);
      return b;
    };
    this._range = el('span', { className: 'muted grow' });
    const toolbar = el(
      'div',
      { className: 'toolbar' },
      button('+', 'Zoom in', () => {
        this._zoom(0.5, 0.5);
      }),
      button('−', 'Zoom out', () => {
        this._zoom(2, 0.5);
      }),
      button('Whole run', 'Show the whole run', () => {
        this.reset();
      }),
      button('Fit highlighted', 'Zoom to the highlighted ops', () => {
        this.fitHighlighted();
      }),
      this._range,
    );
    this._canvas = el('canvas', { attrs: { 'aria-label': 'Timeline of operations per process' } });
    this._tooltip = el('div', { className: 'tooltip', attrs: { hidden: '' } });
    this._detail = el('div', { className: 'op-detail muted', text: 'Click an op to see its details.' });
    const legend = el('div', { className: 'legend-faults' });
    for (const { fault, color } of faultLegend(data.faults)) {
      const swatch = el('span', { text: fault });
      swatch.style.setProperty('--swatch', withAlpha(color, 0.35));
      legend.append(swatch);
    }
    const viewport = el('div', { className: 'timeline-viewport' }, this._canvas);
    root.append(toolbar, viewport, legend, this._detail, this._tooltip);
    this._attachInput();
    new ResizeObserver(() => {
      this._resize();
    }).observe(viewport);
    this._resize();
    selection.subscribe((state, reason) => {
      root.dataset.highlighted = [...state.highlighted].sort((a, b) => a - b).join(',');
      if (reason === 'highlight' && state.highlighted.size > 0) this.fitHighlighted();
      if (reason === 'select' && state.selected !== null) {
        this._detail.textContent = opDetails(this._data, state.selected);
        this._detail.classList.remove('muted');
        this._reveal(state.selected);
      }
      this.draw();
    });
  }

  private _fullEnd(): number {
    return Math.max(this._data.endMs, 1) * 1.01;
  }

  reset(): void {
    this._view = { start: 0, end: this._fullEnd(), laneTop: 0 };
    this.draw();
  }

  /** Shows [start, end] (ms) with a margin on each side. */
  zoomTo(start: number, end: number): void {
    const pad = Math.max((end - start) * 0.1, 0.5);
    this._view = { ...this._view, start: Math.max(0, start - pad), end: end + pad };
    this.draw();
  }

  /** Zooms to the highlighted ops with some margin, and scrolls their lanes into view. */
  fitHighlighted(): void {
    const ids = [...this._selection.state.highlighted];
    if (ids.length === 0) return;
    let lo = Infinity;
    let hi = -Infinity;
    let firstLane = Infinity;
    for (const id of ids) {
      lo = Math.min(lo, this._data.ops.call[id] ?? 0);
      hi = Math.max(hi, this._opEnd(id));
      firstLane = Math.min(firstLane, this._laneOf.get(this._data.ops.process[id] ?? 0) ?? 0);
    }
    const pad = Math.max((hi - lo) * 0.25, 0.5);
    this._view = { start: Math.max(0, lo - pad), end: hi + pad, laneTop: this._clampLaneTop(firstLane - 1) };
    this.draw();
  }

  private _reveal(id: number): void {
    const call = this._data.ops.call[id] ?? 0;
    const end = this._opEnd(id);
    const span = this._view.end - this._view.start;
    if (call < this._view.start || end > this._view.end) {
      const width = Math.max(span, (end - call) * 1.5);
      this._view.start = Math.max(0, (call + end) / 2 - width / 2);
      this._view.end = this._view.start + width;
    }
    const lane = this._laneOf.get(this._data.ops.process[id] ?? 0) ?? 0;
    const visible = this._visibleLanes();
    if (lane < this._view.laneTop || lane >= this._view.laneTop + visible - 1) {
      this._view.laneTop = this._clampLaneTop(lane - Math.floor(visible / 2));
    }
  }

  private _opEnd(id: number): number {
    const ret = this._data.ops.ret[id] ?? -1;
    return ret < 0 ? this._data.endMs : ret;
  }

  private _visibleLanes(): number {
    return Math.max(1, (this._height - axisHeight) / this._laneHeight);
  }

  private _clampLaneTop(top: number): number {
    return Math.max(0, Math.min(top, this._lanes.length - Math.floor(this._visibleLanes())));
  }

  private _resize(): void {
    const lanes = Math.max(this._lanes.length, 1);
    this._laneHeight = Math.max(6, Math.min(22, Math.floor(480 / lanes)));
    this._width = Math.max(300, this._canvas.parentElement?.clientWidth ?? 800);
    this._height = Math.min(axisHeight + lanes * this._laneHeight + 4, 560);
    const dpr = window.devicePixelRatio || 1;
    this._canvas.width = Math.round(this._width * dpr);
    this._canvas.height = Math.round(this._height * dpr);
    this._canvas.style.width = `${this._width}px`;
    this._canvas.style.height = `${this._height}px`;
    this.draw();
  }

  private _x(t: number): number {
    return gutter + ((t - this._view.start) / (this._view.end - this._view.start)) * (this._width - gutter - 8);
  }

  private _t(x: number): number {
    return this._view.start + ((x - gutter) / (this._width - gutter - 8)) * (this._view.end - this._view.start);
  }

  private _zoom(factor: number, anchorFraction: number): void {
    const span = this._view.end - this._view.start;
    const anchor = this._view.start + span * anchorFraction;
    const next = Math.min(Math.max(span * factor, 0.01), this._fullEnd() * 1.5);
    this._view.start = anchor - next * anchorFraction;
    this._view.end = this._view.start + next;
    this.draw();
  }

  private _attachInput(): void {
    const c = this._canvas;
    c.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        if (e.shiftKey) {
          this._view.laneTop = this._clampLaneTop(this._view.laneTop + Math.sign(e.deltaY) * 3);
          this.draw();
          return;
        }
        const rect = c.getBoundingClientRect();
        const fraction = Math.max(0, (e.clientX - rect.left - gutter) / (this._width - gutter - 8));
        this._zoom(Math.exp(e.deltaY * 0.0015), fraction);
      },
      { passive: false },
    );
    let drag: { x: number; y: number; view: View; moved: boolean } | null = null;
    c.addEventListener('mousedown', (e) => {
      drag = { x: e.clientX, y: e.clientY, view: { ...this._view }, moved: false };
      c.classList.add('dragging');
    });
    window.addEventListener('mouseup', () => {
      drag = null;
      c.classList.remove('dragging');
    });
    window.addEventListener('mousemove', (e) => {
      if (drag === null) return;
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      const perPixel = (drag.view.end - drag.view.start) / (this._width - gutter - 8);
      this._view.start = drag.view.start - dx * perPixel;
      this._view.end = drag.view.end - dx * perPixel;
      this._view.laneTop = this._clampLaneTop(drag.view.laneTop - dy / this._laneHeight);
      this.draw();
    });
    c.addEventListener('mousemove', (e) => {
      const id = drag === null ? this._hit(e) : null;
      if (id === null) {
        this._tooltip.hidden = true;
        return;
      }
      this._tooltip.textContent = opDetails(this._data, id);
      this._tooltip.hidden = false;
      this._tooltip.style.left = `${Math.min(e.clientX + 14, window.innerWidth - 490)}px`;
      this._tooltip.style.top = `${e.clientY + 14}px`;
    });
    c.addEventListener('mouseleave', () => (this._tooltip.hidden = true));
    c.addEventListener('click', (e) => {
      const id = this._hit(e);
      if (id !== null) this._selection.select(id);
    });
  }

  /** The op under the mouse, with a few pixels of slack for very short ops. */
  private _hit(e: MouseEvent): number | null {
    const rect = this._canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    if (x < gutter || y < axisHeight) return null;
    const lane = Math.floor((y - axisHeight) / this._laneHeight + this._view.laneTop);
    const ops = this._lanes[lane];
    if (ops === undefined) return null;
    const slack = 3 * ((this._view.end - this._view.start) / (this._width - gutter));
    const t = this._t(x);
    let best: number | null = null;
    for (let i = this._firstVisible(ops, t - slack); i < ops.length; i++) {
      const id = ops[i]!;
      if ((this._data.ops.call[id] ?? 0) > t + slack) break;
      if (this._opEnd(id) >= t - slack) best = id;
    }
    return best;
  }

  /** Index of the first op in a lane that ends at or after `t`: lane ops never overlap, so ends are sorted. */
  private _firstVisible(ops: readonly number[], t: number): number {
    let lo = 0;
    let hi = ops.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this._opEnd(ops[mid]!) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  draw(): void {
    if (this._frame !== 0) return;
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      this._paint();
    });
  }

  private _paint(): void {
    const ctx = this._canvas.getContext('2d');
    if (ctx === null) return;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this._width, this._height);
    ctx.font = '11px system-ui, sans-serif';
    const { start, end } = this._view;
    const lh = this._laneHeight;
    const firstLane = Math.floor(this._view.laneTop);
    const lastLane = Math.min(this._lanes.length - 1, Math.ceil(this._view.laneTop + this._visibleLanes()));
    const laneY = (lane: number) => axisHeight + (lane - this._view.laneTop) * lh;

    // Lanes and their labels.
    for (let lane = firstLane; lane <= lastLane; lane++) {
      if (lane % 2 === 1) {
        ctx.fillStyle = '#f7f8fa';
        ctx.fillRect(gutter, laneY(lane), this._width - gutter, lh);
      }
    }
    const pxPerMs = (this._width - gutter - 8) / (end - start);
    this._paintAxis(ctx, pxPerMs, 'grid');
    // Fault bands, then their names along the top.
    ctx.save();
    ctx.beginPath();
    ctx.rect(gutter, 0, this._width - gutter, this._height);
    ctx.clip();
    const bands = this._data.faults.map((w) => {
      const x0 = this._x(w.start);
      const x1 = this._x(w.end ?? this._fullEnd());
      const label = w.end === null ? `${w.label} (never healed)` : w.label;
      return { w, x0, x1, label, from: Math.max(x0, gutter) };
    });
    for (const { w, x0, x1 } of bands) {
      if (x1 < gutter || x0 > this._width) continue;
      ctx.fillStyle = withAlpha(w.color, 0.13);
      ctx.fillRect(x0, 18, Math.max(x1 - x0, 2), this._height - 18);
      ctx.fillStyle = withAlpha(w.color, 0.85);
      ctx.fillRect(x0, 18, Math.max(x1 - x0, 2), 3);
    }
    // Labels in two rows, each cut before the next one in its row, so overlapping windows stay legible.
    const places = placeLabels(
      bands.map((b) => ({ x0: b.from, x1: Math.min(b.x1, this._width), width: ctx.measureText(b.label).width + 4 })),
      2,
    );
    bands.forEach((b, i) => {
      const place = places[i]!;
      if (place.room <= 24 || b.x1 < gutter || b.x0 > this._width) return;
      ctx.fillStyle = b.w.color;
      ctx.fillText(this._fit(ctx, b.label, place.room - 4), b.from + 3, 31 + place.row * 12);
    });
    // Ops: dimmed when something is highlighted, so the anomaly's ops stand out.
    const highlighted = this._selection.state.highlighted;
    const dim = highlighted.size > 0;
    const barH = Math.max(3, lh - 4);
    let drawn = 0;
    const labels: [number, number, number][] = [];
    // Each lane is labelled with the process running in it at the left edge of the view.
    const labelProcess: (number | undefined)[] = [];
    for (let lane = firstLane; lane <= lastLane; lane++) {
      const ops = this._lanes[lane] ?? [];
      const y = laneY(lane) + (lh - barH) / 2;
      for (let i = this._firstVisible(ops, start); i < ops.length; i++) {
        const id = ops[i]!;
        const call = this._data.ops.call[id] ?? 0;
        if (call > end) break;
        const status = this._data.ops.status[id] ?? 2;
        const ret = this._data.ops.ret[id] ?? -1;
        const x0 = this._x(call);
        const x1 = this._x(ret < 0 ? this._data.endMs : ret);
        const w = Math.max(x1 - x0, 1.5);
        ctx.fillStyle = statusColors[status] ?? '#999';
        ctx.globalAlpha = dim && !highlighted.has(id) ? 0.22 : 1;
        ctx.fillRect(x0, y, w, barH);
        if (status === 2 && i === ops.length - 1) {
          // An info op may take effect at any later time: a faint tail to the end of the run says so.
          ctx.globalAlpha *= 0.5;
          ctx.fillRect(x1, y + barH / 2 - 0.5, this._x(this._data.endMs) - x1, 1);
        }
        if (labelProcess[lane - firstLane] === undefined)
          labelProcess[lane - firstLane] = this._data.ops.process[id] ?? 0;
        drawn++;
        if (w > 46 && barH >= 10) labels.push([id, x0, y]);
      }
    }
    ctx.globalAlpha = 1;
    // A light wash of the fault colour over the bars too, so windows stay visible where ops cover the lanes.
    for (const w of this._data.faults) {
      const x0 = this._x(w.start);
      const x1 = this._x(w.end ?? this._fullEnd());
      ctx.fillStyle = withAlpha(w.color, 0.14);
      ctx.fillRect(x0, axisHeight, Math.max(x1 - x0, 2), this._height - axisHeight);
    }
    // Highlighted and selected ops get an outline on top of everything.
    const outline = (id: number, color: string, width: number) => {
      const lane = this._laneOf.get(this._data.ops.process[id] ?? 0) ?? 0;
      if (lane < firstLane || lane > lastLane) return;
      const x0 = this._x(this._data.ops.call[id] ?? 0);
      const x1 = this._x(this._opEnd(id));
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.strokeRect(x0 - 1.5, laneY(lane) + (lh - barH) / 2 - 1.5, Math.max(x1 - x0, 1.5) + 3, barH + 3);
    };
    for (const id of highlighted) outline(id, highlightColor, 2);
    const selected = this._selection.state.selected;
    if (selected !== null) outline(selected, '#111', 2.5);
    if (labels.length < 400) {
      ctx.fillStyle = '#fff';
      for (const [id, x0, y] of labels) {
        const w = this._x(this._opEnd(id)) - x0;
        const f = this._data.fNames[this._data.ops.f[id] ?? 0] ?? '';
        const value = this._data.ops.status[id] === 0 ? this._data.ops.output[id] : this._data.ops.input[id];
        const text = `${f} ${value === null || value === undefined ? '' : JSON.stringify(value)}`;
        ctx.fillText(this._fit(ctx, text, w - 6), x0 + 3, y + barH - 3);
      }
    }
    ctx.restore();
    // The gutter: lane labels.
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, gutter, this._height);
    ctx.fillStyle = '#667085';
    if (lh >= 10) {
      for (let lane = firstLane; lane <= lastLane; lane++) {
        const y = laneY(lane);
        if (y < axisHeight - 2) continue;
        const name = laneLabel(this._data.lanes[lane] ?? [], labelProcess[lane - firstLane]);
        ctx.fillText(this._fit(ctx, name, gutter - 12), 8, y + lh / 2 + 4);
      }
    } else {
      ctx.fillText(`${this._lanes.length} lanes`, 4, axisHeight + 12);
    }
    this._paintAxis(ctx, pxPerMs, 'labels');
    this._range.textContent = `${formatRunTime(Math.max(start, 0))} – ${formatRunTime(end)} (${formatDuration(end - start)}) · ${drawn.toLocaleString()} ops in view · ${this._laneOf.size} processes in ${this._lanes.length} lanes`;
  }

  private _paintAxis(ctx: CanvasRenderingContext2D, pxPerMs: number, phase: 'grid' | 'labels'): void {
    const { start, end } = this._view;
    if (phase === 'labels') {
      ctx.fillStyle = '#fff';
      ctx.fillRect(gutter, 0, this._width - gutter, 17);
    }
    const target = 110 / pxPerMs;
    const magnitude = 10 ** Math.floor(Math.log10(target));
    const step = [1, 2, 5, 10].map((s) => s * magnitude).find((s) => s >= target) ?? magnitude * 10;
    ctx.strokeStyle = '#e3e6ec';
    ctx.fillStyle = '#667085';
    ctx.lineWidth = 1;
    for (let t = Math.ceil(start / step) * step; t <= end; t += step) {
      const x = Math.round(this._x(t)) + 0.5;
      if (phase === 'grid') {
        ctx.beginPath();
        ctx.moveTo(x, 14);
        ctx.lineTo(x, this._height);
        ctx.stroke();
        continue;
      }
      // Enough decimals that neighbouring ticks differ, however far the view is zoomed in.
      const decimals = Math.min(6, Math.max(0, Math.ceil(-Math.log10(step / 1000))));
      const label = `${(t / 1000).toFixed(decimals)} s`;
      ctx.fillText(label, x + 3, 12);
    }
  }

  private _fit(ctx: CanvasRenderingContext2D, text: string, width: number): string {
    return fitText(ctx, text, width);
  }
}
