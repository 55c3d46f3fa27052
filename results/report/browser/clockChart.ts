// Jepsen's clock plot: each skewed node's clock offset over the run, as faultline's nemesis applied it (a bump
// is a step, a strobe a square wave, a drift a ramp), on the latency charts' time axis with the same fault bands.
import uPlot from 'uplot';
import type { ReportClockOffsets, ReportData } from '../model.ts';
import { faultBands, resizeWithWindow, timeAxisValues, timeChartOptions } from './perfCharts.ts';

const nodeColors = ['#d9480f', '#1971c2', '#2b8a3e', '#862e9c', '#c2255c', '#5c940d', '#0b7285', '#495057'];

export function renderClockChart(root: HTMLElement, data: ReportData, offsets: ReportClockOffsets): void {
  const series: uPlot.Series[] = [{ label: 'time' }];
  offsets.nodes.forEach((n, i) => {
    series.push({
      label: n.node,
      stroke: nodeColors[i % nodeColors.length] ?? '#333',
      width: 2,
      // The samples are only the corners of the line; dots on them would look like measurements.
      points: { show: false },
      value: (_u, v) => (v == null ? '–' : `${v.toFixed(1)} ms`),
    });
  });
  // Straight lines between samples draw each jump as a vertical edge: the data repeats a time where one jumps.
  const chart = new uPlot(
    {
      ...timeChartOptions(root, data, faultBands(data), 220),
      series,
      axes: [{ values: timeAxisValues }, { label: 'offset (ms)', size: 70 }],
    },
    [offsets.t, ...offsets.nodes.map((n) => n.offsetMs)],
    root,
  );
  resizeWithWindow(root, [chart]);
}
