// The report's server-rendered tables of the run's data, beside the verdict sections of reportSections.ts:
// fault windows, the clock plot's frame, latency percentiles per op and the run's files. Every value from the
// run goes through the escaping html template.
import type { SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import { formatDuration, formatRunTime } from './format.ts';
import type { ReportData } from './model.ts';
import { opStatusCodes, reportElementIds } from './model.ts';
import { percentile } from './reportData.ts';
import type { ReportPage } from './renderReport.ts';

export function faultTable(data: ReportData): SafeHtml {
  if (data.faults.length === 0) return html`<p class="muted">No faults were injected in this history.</p>`;
  return html`<details class="faults">
    <summary>${data.faults.length} fault windows (click one to zoom the timeline to it)</summary>
    <p class="muted small">Times from the first client op; a negative start is before it.</p>
    <table>
      <thead>
        <tr>
          <th>Fault</th>
          <th>Start</th>
          <th>End</th>
          <th>Duration</th>
          <th>What</th>
        </tr>
      </thead>
      <tbody>
        ${data.faults.map(
          (w, i) =>
            html`<tr data-fault="${i}">
              <td>${w.fault}</td>
              <td>${formatRunTime(w.start)}</td>
              <td>${w.end === null ? 'never healed' : formatRunTime(w.end)}</td>
              <td>${w.end === null ? '–' : formatDuration(w.end - w.start)}</td>
              <td><code>${w.label}</code></td>
            </tr>`,
        )}
      </tbody>
    </table>
  </details>`;
}

/** The clock plot's frame, only for a run that skewed clocks; the page's script draws the chart in it. */
export function clockOffsetsSection(data: ReportData): SafeHtml {
  const offsets = data.clockOffsets;
  if (offsets === null) return html``;
  return html`<section id="clock">
    <h2>Clock offsets</h2>
    <p class="muted">
      The clock offset faultline's nemesis applied to each node (ms ahead of true time; a bump is a step, a strobe a
      square wave, a drift a ramp), as recorded in the history: what it set, not a measurement of the node's clock.
    </p>
    <div id="${reportElementIds.clockOffsets}"></div>
    ${offsets.notes.map((note) => html`<p class="muted small">${note}</p>`)}
  </section>`;
}

export function perfTable(data: ReportData): SafeHtml {
  const { ops } = data;
  const rows = data.fNames.map((f, fi) => {
    const lat: number[] = [];
    const counts = [0, 0, 0];
    for (let i = 0; i < ops.count; i++) {
      if (ops.f[i] !== fi) continue;
      const status = ops.status[i]!;
      counts[status]!++;
      if (status === opStatusCodes.ok && ops.ret[i]! >= 0) lat.push(ops.ret[i]! - ops.call[i]!);
    }
    lat.sort((a, b) => a - b);
    const cell = (p: number) => {
      const v = percentile(lat, p);
      return v === null ? '–' : formatDuration(v);
    };
    return html`<tr>
      <td><code>${f}</code></td>
      <td>${counts[0]}</td>
      <td>${counts[1]}</td>
      <td>${counts[2]}</td>
      <td>${cell(50)}</td>
      <td>${cell(90)}</td>
      <td>${cell(99)}</td>
      <td>${cell(100)}</td>
    </tr>`;
  });
  return html`<table class="percentiles">
    <thead>
      <tr>
        <th>Op</th>
        <th>ok</th>
        <th>fail</th>
        <th>info</th>
        <th>p50</th>
        <th>p90</th>
        <th>p99</th>
        <th>max</th>
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

export function logs(page: ReportPage): SafeHtml {
  const links = page.logFiles.map((path) => html`<li><a href="${encodeURI(path)}">${path}</a></li>`);
  return html`<section id="logs">
    <h2>Logs and files</h2>
    ${
      page.logFiles.length === 0
        ? html`<p>No node logs were collected.</p>`
        : html`<ul class="files">
            ${links}
          </ul>`
    }
    ${
      page.campaignYaml === null
        ? ''
        : html`<details>
            <summary>campaign.yaml (as run)</summary>
            <pre>${page.campaignYaml}</pre>
          </details>`
    }
  </section>`;
}
