// The clock offset faultline applied to each node over the run, read from the history's nemesis ops, for the
// report's clock plot (after Jepsen's). It is what the nemesis set, not a measurement of the nodes' clocks:
// a bump is a step, a strobe a square wave between 0 and its delta, a drift a ramp, and a stop resets to 0.
import type { HistoryOp } from '../../checkers/history.ts';
import {
  clockVia,
  eventNodes,
  readClockFault,
  readNemesisEvent,
  type RecordedClockFault,
} from '../../checkers/nemesisEvents.ts';
import { formatDuration, formatRunTime } from './format.ts';
import type { ReportClockOffsets } from './model.ts';

// The clock events' shapes are declared, and read, in checkers/nemesisEvents.ts.
export { readClockFault };

const nsPerMs = 1e6;
/**
 * Strobe phases drawn over the whole run at most: far more than a chart has pixels, so a zoomed-in strobe still
 * shows its true period, yet a long run of fast strobes cannot bloat the page. Faster ones are drawn coarser.
 */
export const maxDrawnStrobePhases = 10_000;

/** What a node's offset follows from a change on, until its next change. */
type Setting = { kind: 'constant'; offsetMs: number } | Exclude<RecordedClockFault, { kind: 'bump' }>;

interface Change {
  atMs: number;
  setting: Setting;
}

/** How strobes are drawn: no phase shorter than minPhaseMs; the periods of those drawn coarser are noted. */
interface StrobeDrawing {
  minPhaseMs: number;
  coarsenedPeriodsMs: number[];
}

/** A corner of a node's offset line; two vertices at the same time are a jump. */
interface Vertex {
  t: number;
  v: number;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * The vertices of one setting's line from `from` to `until`. The strobe loop (clock.ts CLOCK_LOOP) writes
 * delta first, flips every period while under its duration (a phase that starts in time runs its whole
 * period), then writes 0. The drift loop writes (now - start) × (rate - 1), so the offset starts at 0.
 */
function settingVertices(setting: Setting, from: number, until: number, drawing: StrobeDrawing): Vertex[] {
  if (setting.kind === 'constant') {
    return [
      { t: from, v: setting.offsetMs },
      { t: until, v: setting.offsetMs },
    ];
  }
  if (setting.kind === 'drift') {
    return [
      { t: from, v: 0 },
      { t: until, v: (until - from) * (setting.rate - 1) },
    ];
  }
  const period = Math.max(1, setting.periodMs);
  const phases = Math.ceil(Math.max(0, setting.durationMs) / period);
  const waveEnd = Math.min(until, from + phases * period);
  // An odd stride keeps the drawn phases alternating between delta and 0.
  let stride = Math.ceil(drawing.minPhaseMs / period);
  if (stride % 2 === 0) stride++;
  if (stride > 1 && phases > 1) drawing.coarsenedPeriodsMs.push(period);
  const out: Vertex[] = [];
  for (let k = 0; from + k * period < waveEnd; k += stride) {
    const v = (k / stride) % 2 === 0 ? setting.deltaMs : 0;
    out.push({ t: from + k * period, v }, { t: Math.min(waveEnd, from + (k + stride) * period), v });
  }
  out.push({ t: waveEnd, v: 0 }, { t: until, v: 0 });
  return out;
}

/** One node's offset line over [0, endMs], with runs of equal values folded to their two ends. */
function nodeVertices(changes: readonly Change[], endMs: number, drawing: StrobeDrawing): Vertex[] {
  const out: Vertex[] = [];
  const push = (p: Vertex) => {
    const last = out.at(-1);
    const beforeLast = out.at(-2);
    if (last !== undefined && last.t === p.t && last.v === p.v) return;
    // The middle of three equal values on a flat line says nothing.
    if (last !== undefined && beforeLast !== undefined && beforeLast.v === last.v && last.v === p.v) out.pop();
    out.push(p);
  };
  // From 0, or from the first change when a clock was skewed before the first op (a negative time).
  const startMs = Math.min(0, changes[0]?.atMs ?? 0);
  const all: Change[] = [{ atMs: startMs, setting: { kind: 'constant', offsetMs: 0 } }, ...changes];
  all.forEach((change, i) => {
    const until = Math.max(change.atMs, all[i + 1]?.atMs ?? endMs);
    for (const p of settingVertices(change.setting, change.atMs, until, drawing)) push(p);
  });
  return out;
}

/**
 * Samples every node's line at the union of their vertex times, as uPlot wants (one x array for all series).
 * Where any line jumps, the time appears twice: every line's value just before it, then at it.
 */
function alignSeries(lines: readonly Vertex[][]): { t: number[]; values: number[][] } {
  const times = [...new Set(lines.flatMap((line) => line.map((p) => p.t)))].sort((a, b) => a - b);
  const cursors = lines.map(() => 0);
  const t: number[] = [];
  const values: number[][] = lines.map(() => []);
  for (const time of times) {
    const left: number[] = [];
    const right: number[] = [];
    lines.forEach((line, n) => {
      let i = cursors[n]!;
      while (i < line.length && line[i]!.t < time) i++;
      cursors[n] = i;
      const at = line[i];
      if (at !== undefined && at.t === time) {
        let last = i;
        while (line[last + 1]?.t === time) last++;
        left.push(at.v);
        right.push(line[last]!.v);
        return;
      }
      const before = line[i - 1];
      // Between two vertices: on the straight line joining them (a flat step or a drift's ramp).
      const v =
        before === undefined
          ? (at?.v ?? 0)
          : at === undefined
            ? before.v
            : before.v + ((at.v - before.v) * (time - before.t)) / (at.t - before.t);
      left.push(v);
      right.push(v);
    });
    const jumps = left.some((v, n) => v !== right[n]);
    for (const sample of jumps ? [left, right] : [right]) {
      t.push(round3(time) / 1000);
      sample.forEach((v, n) => values[n]!.push(round3(v)));
    }
  }
  return { t, values };
}

const byNodeName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/**
 * Each skewed node's applied clock offset over [0, endMs] (ms since `originNs`, the report's time 0, on the run's
 * clock; earlier if a clock was skewed before it), or null when no clock
 * offset was applied in the history. A fault started on a node replaces the one running there (libfaketime's
 * control file holds one offset), except that bumps of the real clock add up, as bumpSystemClock does.
 */
export function clockOffsets(history: readonly HistoryOp[], endMs: number, originNs = 0): ReportClockOffsets | null {
  const changes = new Map<string, Change[]>();
  const notes: string[] = [];
  /** Started clock faults not yet stopped, oldest first, as faultWindows pairs them. */
  const open: string[][] = [];
  const current = (node: string): Setting | undefined => changes.get(node)?.at(-1)?.setting;
  const change = (node: string, atMs: number, setting: Setting) => {
    const list = changes.get(node) ?? [];
    list.push({ atMs, setting });
    changes.set(node, list);
  };
  for (const op of history) {
    const event = readNemesisEvent(op);
    if (event === null || event.fault !== 'clock') continue;
    const atMs = (op.time - originNs) / nsPerMs;
    if (event.action === 'start') {
      const nodes = event.error === undefined ? eventNodes(event) : null;
      open.push(nodes ?? []);
      // A start that failed applied nothing; the fault table still shows the attempt.
      if (nodes === null || nodes.length === 0) continue;
      const fault = readClockFault(event.detail.clock);
      if (fault === null) {
        notes.push(
          `The clock fault on ${nodes.join(', ')} at ${formatRunTime(atMs)} is of a shape this report does not know; it is not drawn.`,
        );
        continue;
      }
      const via = clockVia(event);
      for (const node of nodes) {
        if (fault.kind !== 'bump') change(node, atMs, fault);
        else {
          const before = current(node);
          const base = via === 'system-clock' && before?.kind === 'constant' ? before.offsetMs : 0;
          change(node, atMs, { kind: 'constant', offsetMs: base + fault.offsetMs });
        }
      }
    } else {
      const started = open.shift() ?? [];
      const nodes = eventNodes(event) ?? started;
      if (event.error !== undefined) {
        // The reset failed, so as far as the history knows the offset stayed.
        if (nodes.length > 0) {
          notes.push(
            `Resetting the clock of ${nodes.join(', ')} failed at ${formatRunTime(atMs)} (${event.error}); it is drawn as still applied.`,
          );
        }
        continue;
      }
      for (const node of nodes) if (changes.has(node)) change(node, atMs, { kind: 'constant', offsetMs: 0 });
    }
  }
  if (changes.size === 0) return null;
  const names = [...changes.keys()].sort(byNodeName);
  const end = Math.max(endMs, ...[...changes.values()].map((list) => list.at(-1)?.atMs ?? 0));
  const drawing: StrobeDrawing = { minPhaseMs: end / maxDrawnStrobePhases, coarsenedPeriodsMs: [] };
  const { t, values } = alignSeries(names.map((node) => nodeVertices(changes.get(node) ?? [], end, drawing)));
  const coarsened = drawing.coarsenedPeriodsMs.length;
  if (coarsened > 0) {
    notes.push(
      `${coarsened === 1 ? 'A strobe' : 'Strobes'} flipped faster than this run's chart can hold ` +
        `(the fastest every ${formatDuration(Math.min(...drawing.coarsenedPeriodsMs))}), so the chart draws each ` +
        `flipping more slowly, no faster than every ${formatDuration(drawing.minPhaseMs)}, still between 0 and its delta.`,
    );
  }
  return { t, nodes: names.map((node, i) => ({ node, offsetMs: values[i] ?? [] })), notes };
}
