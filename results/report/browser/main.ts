// The report's in-page entry point: reads the data island and draws the interactive parts. The summary,
// profile and explanations are already in the page as static HTML; this wires them to the timeline.
import { reportElementIds } from '../model.ts';
import { renderClockChart } from './clockChart.ts';
import { el } from './element.ts';
import { HistoryTable } from './historyTable.ts';
import { renderLinearization } from './linearizationView.ts';
import { renderPerfCharts } from './perfCharts.ts';
import { loadReportData } from './reportDataSource.ts';
import { Selection } from './selection.ts';
import { Timeline } from './timeline.ts';

declare global {
  interface Window {
    /** Set when the page has finished drawing; the browser tests wait for it. */
    __ready?: boolean;
  }
}

function section(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the report has no #${id}`);
  return node;
}

async function start(): Promise<void> {
  performance.mark('faultline:start');
  const data = await loadReportData();
  performance.mark('faultline:data');
  const selection = new Selection();
  const timeline = new Timeline(section(reportElementIds.timeline), data, selection);
  for (const row of document.querySelectorAll<HTMLElement>('tr[data-fault]')) {
    row.addEventListener('click', () => {
      const w = data.faults[Number(row.dataset.fault)];
      if (w !== undefined) timeline.zoomTo(w.start, w.end ?? data.endMs);
    });
  }
  performance.mark('faultline:timeline');
  renderPerfCharts(section(reportElementIds.perf), data);
  if (data.clockOffsets !== null) renderClockChart(section(reportElementIds.clockOffsets), data, data.clockOffsets);
  performance.mark('faultline:charts');
  new HistoryTable(section(reportElementIds.table), data, selection);
  performance.mark('faultline:table');

  const cards = [...document.querySelectorAll<HTMLElement>('.anomaly[data-anomaly]')];
  const activate = (id: number, scroll: boolean) => {
    const anomaly = data.anomalies[id];
    if (anomaly === undefined) return;
    const again = selection.state.anomaly === id;
    selection.highlight(again ? [] : anomaly.ops, again ? null : id);
    if (scroll && !again) section('timeline-section').scrollIntoView({ behavior: 'instant', block: 'start' });
  };
  for (const card of cards) {
    const id = Number(card.dataset.anomaly);
    card.addEventListener('click', () => {
      activate(id, false);
    });
    card.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') activate(id, false);
    });
    card.querySelector('.highlight-button')?.addEventListener('click', (e) => {
      e.stopPropagation();
      if (selection.state.anomaly !== id) activate(id, true);
      else section('timeline-section').scrollIntoView({ behavior: 'instant', block: 'start' });
    });
    const view = data.anomalies[id]?.linearization;
    const box = card.querySelector<HTMLElement>('[data-linearization]');
    if (view !== undefined && box !== null) renderLinearization(box, data, view, selection);
  }
  for (const link of document.querySelectorAll<HTMLAnchorElement>('a.op-link[data-op]')) {
    link.addEventListener('click', () => {
      selection.select(Number(link.dataset.op));
    });
  }
  selection.subscribe((state) => {
    for (const card of cards) card.classList.toggle('selected', Number(card.dataset.anomaly) === state.anomaly);
  });
  window.__ready = true;
}

start().catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  document
    .querySelector('main')
    ?.prepend(
      el('p', { className: 'notice', text: `The interactive parts of this report failed to load: ${message}` }),
    );
  throw e;
});
