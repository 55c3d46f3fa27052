// The root element of the report's server-side drawings (an anomaly's graph, the ops that prove it, a counter's
// bounds): sized, labelled for screen readers, and with an arrowhead marker when its edges need one.
import type { HtmlValue, SafeHtml } from '../html.ts';
import { html } from '../html.ts';

export interface SvgDrawing {
  width: number;
  height: number;
  /** The viewBox's top (a drawing whose lanes start above 0); default 0. */
  top?: number;
  /** What it shows, in words (aria-label). */
  label: string;
  /** An arrowhead marker for its edges: the id they refer to, and its size in px. */
  arrow?: { id: string; size: number };
}

export function svgDrawing(d: SvgDrawing, body: HtmlValue): SafeHtml {
  const arrow =
    d.arrow === undefined
      ? ''
      : html`<defs>
          <marker
            id="${d.arrow.id}"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="${d.arrow.size}"
            markerHeight="${d.arrow.size}"
            orient="auto"
          >
            <path d="M 0 0 L 10 5 L 0 10 z"></path>
          </marker>
        </defs>`;
  return html`<svg
    xmlns="http://www.w3.org/2000/svg"
    width="${d.width}"
    height="${d.height}"
    viewBox="0 ${d.top ?? 0} ${d.width} ${d.height}"
    role="img"
    aria-label="${d.label}"
  >
    ${arrow} ${body}
  </svg>`;
}
