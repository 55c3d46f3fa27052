// Latency percentiles per op type and throughput per outcome over time, drawn with uPlot (inlined in the
// bundle), with the fault windows shaded and named behind the lines, as in Jepsen's perf plots.
import uPlot from 'uplot';
import type { ReportData } from '../model.ts';
import { el } from './element.ts';
import { fitText, placeLabels, withAlpha } from './faultColors.ts';
import { opKindColor } from '../opKindColors.ts';

export function faultBands(data: ReportData): uPlot.Plugin {
  return {
    hooks: {
      drawClear: [
        (u: uPlot) => {
          const { ctx } = u;
          const { left, top, width, height } = u.bbox;
          ctx.save();
          ctx.beginPath();
          ctx.rect(left, top, width, height);
          ctx.clip();
          const px = devicePixelRatio;
          ctx.font = `${Math.round(11 * px)}px system-ui, sans-serif`;
          const bands = data.faults.map((w) => {
            const x0 = u.valToPos(w.start / 1000, 'x', true);
            const x1 = u.valToPos((w.end ?? data.endMs) / 1000, 'x', true);
            return { w, x0, x1, from: Math.max(x0, left) };
          });
          for (const { w, x0, x1 } of bands) {
            ctx.fillStyle = withAlpha(w.color, 0.12);
            ctx.fillRect(x0, top, Math.max(x1 - x0, 2), height);
          }
          // Two rows of labels in words, each cut before the next in its row, so overlapping windows stay legible.
          const places = placeLabels(
            bands.map((b) => ({
              x0: b.from,
              x1: Math.min(b.x1, left + width),
              width: ctx.measureText(b.w.label).width + 4 * px,
            })),
            2,
          );
          bands.forEach((b, i) => {
            const place = places[i]!;
            if (place.room <= 24 * px) return;
            ctx.fillStyle = b.w.color;
            ctx.fillText(
              fitText(ctx, b.w.label, place.room - 4 * px),
              b.from + 4 * px,
              top + (14 + place.row * 13) * px,
            );
          });
          ctx.restore();
        },
      ],
    },
  };
}

export function chartWidth(container: HTMLElement): number {
  return Math.max(320, container.clientWidth - 8);
}

export const timeAxisValues = (_u: uPlot, ticks: number[]) => ticks.map((t) => `${t} s`);

/**
 * The x scale every time chart shares: the whole run, 0 to endMs, so the charts line up one above the other
 * (uPlot would stop each at its last sample, the latency chart at its last bucket's start). uPlot calls this
 * with its data's first and last x when it autoscales, and with the chosen span when the reader zooms.
 */
function wholeRunScale(data: ReportData): uPlot.Scale {
  const endS = data.endMs / 1000;
  return {
    time: false,
    range: (u, min, max) => {
      const xs = u.data[0];
      return min === xs[0] && max === xs[xs.length - 1] ? [0, Math.max(endS, max)] : [min, max];
    },
  };
}

/** The setup every time chart shares: width, fault bands, the run's time axis, drag to zoom, live legend. */
export function timeChartOptions(
  root: HTMLElement,
  data: ReportData,
  bands: uPlot.Plugin,
  height: number,
): Omit<uPlot.Options, 'series'> {
  return {
    width: chartWidth(root),
    height,
    plugins: [bands],
    scales: { x: wholeRunScale(data) },
    cursor: { drag: { x: true, y: false } },
    legend: { live: true },
  };
}

/** Keeps the charts as wide as their container. */
export function resizeWithWindow(root: HTMLElement, charts: readonly uPlot[]): void {
  let pending = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      for (const chart of charts) chart.setSize({ width: chartWidth(root), height: chart.height });
    });
  });
}

export function renderPerfCharts(root: HTMLElement, data: ReportData): void {
  const { perf } = data;
  if (data.ops.count === 0) {
    root.append(el('p', { className: 'muted', text: 'No client operations were recorded.' }));
    return;
  }
  const latencyBox = el('div', { className: 'chart' });
  const throughputBox = el('div', { className: 'chart' });
  root.append(
    el('div', {
      className: 'chart-title',
      text: `Latency of ok ops by invoke time (ms; p50 solid, p95 dashed, p99 dotted; ${perf.bucketMs} ms buckets; click a legend entry to toggle it)`,
    }),
    latencyBox,
    el('div', { className: 'chart-title', text: 'Throughput: completions per second, by outcome' }),
    throughputBox,
  );
  const bands = faultBands(data);
  const latencySeries: uPlot.Series[] = [{ label: 'time' }];
  const latencyData: (number | null)[][] = [perf.t];
  perf.latency.forEach((s) => {
    // One colour per op kind, the same in every report (read and write never swap).
    const stroke = opKindColor(s.f);
    const add = (
      label: string,
      values: (number | null)[],
      dash: number[] | undefined,
      width: number,
      show: boolean,
    ) => {
      const series: uPlot.Series = {
        label,
        stroke,
        width,
        show,
        spanGaps: false,
        value: (_u, v) => (v == null ? '–' : `${v.toFixed(2)} ms`),
      };
      if (dash !== undefined) series.dash = dash;
      latencySeries.push(series);
      latencyData.push(values);
    };
    add(`${s.f} p50`, s.p50, undefined, 2, true);
    add(`${s.f} p95`, s.p95, [6, 4], 1.5, true);
    add(`${s.f} p99`, s.p99, [2, 3], 1.5, true);
    add(`${s.f} max`, s.max, [1, 4], 1, false);
  });
  const common = (height: number) => timeChartOptions(root, data, bands, height);
  const latency = new uPlot(
    {
      ...common(260),
      series: latencySeries,
      axes: [{ values: timeAxisValues }, { label: 'ms', size: 60 }],
    },
    latencyData as uPlot.AlignedData,
    latencyBox,
  );
  const throughput = new uPlot(
    {
      ...common(200),
      series: [
        { label: 'time' },
        { label: 'ok/s', stroke: '#2f9e5a', width: 2, fill: withAlpha('#2f9e5a', 0.08) },
        { label: 'fail/s', stroke: '#d8453b', width: 1.5 },
        { label: 'info/s', stroke: '#e39b12', width: 1.5 },
      ],
      axes: [{ values: timeAxisValues }, { label: 'ops/s', size: 60 }],
    },
    [perf.t, perf.throughput.ok, perf.throughput.fail, perf.throughput.info],
    throughputBox,
  );
  resizeWithWindow(root, [latency, throughput]);
}
