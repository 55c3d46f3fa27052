// The geometry of a report's server-drawn SVG pictures as Chromium lays them out: each one's viewBox, the box
// of its content and of each label, so a test can tell a clipped picture or two labels on one another.
import type { Page } from 'playwright-core';

export type Rect = { x: number; y: number; width: number; height: number };
export interface DiagramGeometry {
  viewBox: Rect;
  content: Rect;
  labels: { text: string; box: Rect }[];
}

// Read through playwright's evaluateAll with structural types: these tests type-check against Node's types.
type SvgLike = {
  viewBox: { baseVal: Rect | null };
  getBBox(): Rect;
  querySelectorAll(s: string): ArrayLike<{ textContent: string | null; getBBox(): Rect }>;
};
export function diagrams(page: Page, selector: string): Promise<DiagramGeometry[]> {
  return page.locator(selector).evaluateAll((svgs: SvgLike[]) =>
    svgs.map((svg) => {
      const vb = svg.viewBox.baseVal;
      const b = svg.getBBox();
      return {
        viewBox:
          vb === null ? { x: 0, y: 0, width: 0, height: 0 } : { x: vb.x, y: vb.y, width: vb.width, height: vb.height },
        content: { x: b.x, y: b.y, width: b.width, height: b.height },
        labels: Array.from(svg.querySelectorAll('text'))
          .filter((t) => (t.textContent ?? '').trim() !== '')
          .map((t) => {
            const r = t.getBBox();
            return { text: t.textContent ?? '', box: { x: r.x, y: r.y, width: r.width, height: r.height } };
          }),
      };
    }),
  );
}

export const intersect = (a: Rect, b: Rect) =>
  a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;
