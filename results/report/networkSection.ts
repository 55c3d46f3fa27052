// The report's Network section, for a run whose system is its own network and logged its messages (the
// maelstrom system): Maelstrom's figures (messages, server messages per client op), the drops by reason, a
// set's stable latency, and a Lamport diagram of the messages around the first anomaly. Server-rendered.
import type { Value } from '../../checkers/history.ts';
import type { SafeHtml } from '../html.ts';
import { html } from '../html.ts';
import type { MessageLogEvent } from '../messageLog.ts';
import type { NetworkFigures } from '../networkFigures.ts';
import { formatDuration, formatSinceFirstOp } from './format.ts';
import { messageDiagram } from './messageDiagram.ts';
import { messageDiagramSvg } from './messageDiagramSvg.ts';
import type { ReportData } from './model.ts';

export interface NetworkSectionInput {
  figures: NetworkFigures;
  events: readonly MessageLogEvent[];
  nodes: readonly string[];
  /** results.json's historyOriginEpochMs; undefined in runs from before it was recorded. */
  historyOriginEpochMs: number | undefined;
}

export const networkSectionId = 'network';

const ms = (x: number | null) => (x === null ? '–' : formatDuration(x));
const num = (x: number | null) => (x === null ? '– (no client op)' : x.toFixed(2));

function figuresTable(f: NetworkFigures): SafeHtml {
  const drops = Object.entries(f.drops).sort(([a], [b]) => a.localeCompare(b));
  return html`<table class="network-figures">
    <tbody>
      <tr>
        <th>Messages sent</th>
        <td>${f.messages}</td>
        <td class="muted small">through faultline's network; the harness's init and init_ok bypass it</td>
      </tr>
      <tr>
        <th>Between nodes</th>
        <td>${f.serverMessages}</td>
        <td class="muted small">Maelstrom's server messages</td>
      </tr>
      <tr>
        <th>Client ops</th>
        <td>${f.clientOps}</td>
        <td class="muted small">invoked</td>
      </tr>
      <tr>
        <th>Server messages per op</th>
        <td data-figure="server-messages-per-op">${num(f.serverMessagesPerOp)}</td>
        <td class="muted small">all messages per op: ${num(f.messagesPerOp)}</td>
      </tr>
      <tr>
        <th>Dropped</th>
        <td>${drops.reduce((n, [, c]) => n + c, 0)}</td>
        <td class="muted small">
          ${drops.length === 0 ? 'none' : drops.map(([reason, c]) => `${c} ${reason}`).join(', ')}${
            f.duplicates > 0 ? `; ${f.duplicates} duplicate deliveries` : ''
          }${f.skippedLines > 0 ? `; ${f.skippedLines} unreadable log lines not counted` : ''}
        </td>
      </tr>
    </tbody>
  </table>`;
}

function stableLatencyTable(f: NetworkFigures): SafeHtml {
  const s = f.stableLatency;
  if (s === undefined) return html``;
  const example = (e: { element: Value; node: string }) => `${JSON.stringify(e.element)} (missed by ${e.node})`;
  return html`<h3>Stable latency</h3>
    <p class="muted small">
      For each acknowledged element: from its ack until every node's reads (${s.nodes.join(', ') || 'none'}) show it for
      good, to the completion of the first read after the last one that missed it; an upper bound, as fine as the time
      between a node's reads.
    </p>
    <table class="network-figures stable-latency">
      <tbody>
        <tr>
          <th>Stable</th>
          <td>${s.stable} of ${s.elements}</td>
          <td class="muted small">p50 ${ms(s.p50Ms)}, p95 ${ms(s.p95Ms)}, max ${ms(s.maxMs)}</td>
        </tr>
        <tr>
          <th>Never stable</th>
          <td data-figure="never-stable">${s.neverStable}</td>
          <td class="muted small">
            ${
              s.neverStable === 0
                ? "no node's last read misses an acknowledged element"
                : `some node's last read misses them, e.g. ${s.neverStableExamples.map(example).join(', ')}`
            }
          </td>
        </tr>
        <tr>
          <th>Undetermined</th>
          <td>${s.undetermined}</td>
          <td class="muted small">some node did not read after the ack</td>
        </tr>
      </tbody>
    </table>`;
}

function diagramFigure(input: NetworkSectionInput, data: ReportData): SafeHtml {
  const anomaly = data.anomalies[0];
  if (anomaly === undefined) return html`<p class="muted">No anomaly: no message diagram to draw.</p>`;
  if (input.historyOriginEpochMs === undefined)
    return html`<p class="notice">
      No message diagram: results.json does not say when the history's time 0 was on the wall clock (a run from before
      it was recorded), so the message log's times cannot be placed among the ops.
    </p>`;
  const d = messageDiagram(input.events, data, anomaly, input.nodes, input.historyOriginEpochMs);
  if (d === null) return html`<p class="muted">The first anomaly cites no op with a time: no message diagram.</p>`;
  const t = (x: number) => formatSinceFirstOp(x, 0);
  const shown = d.arrows.length;
  const span = shown === 0 ? '' : `, sent ${t(d.arrows[0]!.sentAt)} to ${t(d.arrows[shown - 1]!.sentAt)}`;
  return html`<figure class="message-diagram" id="message-diagram">
    <figcaption>
      Messages around the first anomaly (${anomaly.checker}: ${anomaly.type}), in the window of the ops it cites
      (${t(d.window.start)} to ${t(d.window.end)}) from its first op on: ${shown}
      drawn${span}${
        d.leftOut > 0 ? `; ${d.leftOut} more in the window left out` : ''
      }${d.otherClients > 0 ? `; ${d.otherClients} messages of other clients' ops not drawn` : ''}.
      One lane per client and node, time downward (one row per event, its time at the left); the cited ops' requests and
      replies in blue; <span class="md-key-drop">dashed red ✗: dropped, with the reason</span>.
    </figcaption>
    ${shown === 0 ? html`<p class="muted">No message was sent in that window.</p>` : messageDiagramSvg(d, data)}
  </figure>`;
}

export function networkSection(input: NetworkSectionInput | null, data: ReportData): SafeHtml {
  if (input === null) return html``;
  return html`<section id="${networkSectionId}">
    <h2>Network</h2>
    <p class="muted">
      From the message log each node's folder holds (logs/&lt;node&gt;/maelstrom-messages.jsonl), counted as Maelstrom's
      net checker counts them.
    </p>
    <div class="two-col">
      <div>${figuresTable(input.figures)}</div>
      <div>${stableLatencyTable(input.figures)}</div>
    </div>
    ${diagramFigure(input, data)}
  </section>`;
}
