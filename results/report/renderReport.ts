// The report page: the first screen (every verdict, one sentence per violation), summary, consistency profile and anomaly explanations are rendered as escaped HTML
// (readable even with scripts off; see reportSections.ts and runDataSections.ts); the timeline, charts, history table and
// linearization views are drawn by the bundled browser code from the data island.
import { gzipSync } from 'node:zlib';
import type { SafeHtml } from '../html.ts';
import { html, jsonForScript, rawHtml, scriptText } from '../html.ts';
import type { RunResults } from '../runResults.ts';
import type { ReportData } from './model.ts';
import { formatRunTime } from './format.ts';
import { reportElementIds } from './model.ts';
import { anomalies, atAGlance, profile, summary, verdictBadge, runVerdict } from './reportSections.ts';
import { clockOffsetsSection, faultTable, logs, perfTable } from './runDataSections.ts';
import type { NetworkSectionInput } from './networkSection.ts';
import { networkSection, networkSectionId } from './networkSection.ts';

/** Above this much JSON the data is gzipped and base64'd; the page inflates it with DecompressionStream. */
const gzipThresholdBytes = 256 * 1024;

export interface ReportPage {
  /** The run directory's name, shown when results.json is missing. */
  runName: string;
  results: RunResults | null;
  /** Why results.json could not be used, when it could not. */
  resultsProblem: string | null;
  /** Things the reader should know about the inputs: a torn history tail, a missing file. */
  notices: string[];
  campaignYaml: string | null;
  /** Paths relative to the run directory. */
  logFiles: string[];
  data: ReportData;
  /** The run's message log and its figures, for a system that is its own network; absent for the others. */
  network?: NetworkSectionInput | null;
  script: string;
  css: string;
}

export const contentSecurityPolicy =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

// Built by concatenation, not the html template: the formatter must not add whitespace inside these scripts.
function dataIsland(data: ReportData): SafeHtml {
  const json = jsonForScript(data);
  if (json.length < gzipThresholdBytes) {
    return rawHtml(`<script type="application/json" id="${reportElementIds.data}">${json}</script>`);
  }
  const base64 = gzipSync(json, { level: 1 }).toString('base64');
  return rawHtml(`<script type="text/plain" id="${reportElementIds.dataGzip}">${base64}</script>`);
}

/** The policy that makes the page provably unable to fetch anything; faultline's own constant, so not escaped. */
export const contentSecurityPolicyMeta = rawHtml(
  `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">`,
);

export function renderReport(page: ReportPage): string {
  const r = page.results;
  const title = r === null ? page.runName : `${r.campaign} · ${r.system} · ${r.startedAt}`;
  const overall = runVerdict(r);
  // The clock plot exists only for runs that skewed clocks.
  const clockLink = page.data.clockOffsets === null ? '' : html`<a href="#clock">Clocks</a>`;
  const network = page.network ?? null;
  const networkLink = network === null ? '' : html`<a href="#${networkSectionId}">Network</a>`;
  const doc = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        ${contentSecurityPolicyMeta}
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>faultline: ${title}</title>
        <style>
          ${rawHtml(page.css)}
        </style>
      </head>
      <body>
        <header class="top">
          <div class="brand">faultline</div>
          <h1>${title}</h1>
          ${overall === null ? '' : verdictBadge(overall)}
          <nav>
            <a href="#summary">Summary</a><a href="#profile">Profile</a><a href="#timeline-section">Timeline</a
            ><a href="#perf">Performance</a>${networkLink}${clockLink}<a href="#anomalies">Explanations</a
            ><a href="#history">History</a><a href="#logs">Logs</a><a href="../../index.html">All runs</a>
          </nav>
        </header>
        <main>
          ${page.notices.map((n) => html`<p class="notice">${n}</p>`)} ${atAGlance(page)}
          <div class="two-col">${summary(page)}${profile(page)}</div>
          <section id="timeline-section">
            <h2>Timeline</h2>
            <p class="muted">
              One lane per client worker (a process retired after an info op hands its lane to a fresh process id: a
              lane named p12 (2/3) shows the second of the three it hosted); bars run from invoke to completion (<span
                class="st-ok"
                >ok</span
              >, <span class="st-fail">fail</span>,
              <span class="st-info">info: may have happened any time after the invoke</span>). Shaded bands are fault
              windows. Time 0 is the first client op (${formatRunTime(page.data.originMs)} after the harness started).
              Wheel or +/− to zoom, drag to pan, click an op for its details.
            </p>
            <div id="${reportElementIds.timeline}" class="timeline"></div>
            ${faultTable(page.data)}
          </section>
          <section id="perf">
            <h2>Latency and throughput</h2>
            <div id="${reportElementIds.perf}"></div>
            <h3>Latency percentiles of ok ops, by operation</h3>
            ${perfTable(page.data)}
          </section>
          ${networkSection(network, page.data)} ${clockOffsetsSection(page.data)} ${anomalies(page)}
          <section id="history">
            <h2>History</h2>
            <div id="${reportElementIds.table}"></div>
          </section>
          ${logs(page)}
        </main>
        ${dataIsland(page.data)}
        <script>
          ${scriptText(page.script)};
        </script>
      </body>
    </html> `;
  return doc.html;
}
