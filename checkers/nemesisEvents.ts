// Nemesis events: the typed part of the history that says when a fault started and stopped, on what, and how
// the report names and colours it. Read and written here only (the runner writes, faultWindows, the report and
// the fault driver read), so no other module parses `start-`/`stop-` names. Pure data and pure functions:
// checkers/ and results/ read these without importing nemesis/.
//
// On the wire an event is an `info` op of process "nemesis" whose f is `start-KIND` or `stop-KIND` and whose
// value is the fault's detail object plus two optional keys written by faultline since fault packages:
// `label` (words, e.g. "n1 cut off from n2-n5") and `color` (#rrggbb, one per fault kind). Older histories and
// external ones (Jepsen's) have neither, and may carry any value; they are still read.
import type { HistoryOp, Value } from './history.ts';

export type NemesisAction = 'start' | 'stop';

type Detail = { [key: string]: Value };

export interface NemesisEvent {
  action: NemesisAction;
  /** The fault kind (partition, packet, clock, kill, pause; any name in external histories). */
  fault: string;
  /** What was done, to which nodes: the fault kind's own shape (see docs/history-format.md). */
  detail: Detail;
  /** The fault in words, from its package. */
  label?: string;
  /** The fault kind's colour, from its package. */
  color?: string;
  /** Why the start or stop failed; the fault then did not (fully) take effect or end. */
  error?: string;
}

/** The op fields an event occupies; what the recorder takes (it adds index and time). */
export interface NemesisEventOp {
  type: 'info';
  process: 'nemesis';
  f: string;
  value: Value;
  error?: string;
}

const eventName = /^(start|stop)-(.+)$/;

function isDetail(v: Value | undefined): v is Detail {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The op that records an event. */
export function nemesisEventOp(event: NemesisEvent): NemesisEventOp {
  return {
    type: 'info',
    process: 'nemesis',
    f: `${event.action}-${event.fault}`,
    value: {
      ...event.detail,
      ...(event.label !== undefined && { label: event.label }),
      ...(event.color !== undefined && { color: event.color }),
    },
    ...(event.error !== undefined && { error: event.error }),
  };
}

/**
 * The event an op records, or null for any other op (client ops, a nemesis op that is no start or stop, an
 * invoke). A value that is not an object (external histories) becomes `{ value }`.
 */
export function readNemesisEvent(
  op: Pick<HistoryOp, 'type' | 'process' | 'f' | 'value' | 'error'>,
): NemesisEvent | null {
  if (op.process !== 'nemesis' || op.type === 'invoke') return null;
  const m = eventName.exec(op.f);
  if (m === null) return null;
  const raw = op.value;
  const detail: Detail = isDetail(raw) ? { ...raw } : raw === null || raw === undefined ? {} : { value: raw };
  const label = typeof detail.label === 'string' ? detail.label : undefined;
  const color = typeof detail.color === 'string' && /^#[0-9a-fA-F]{6}$/.test(detail.color) ? detail.color : undefined;
  delete detail.label;
  delete detail.color;
  return {
    action: m[1] as NemesisAction,
    fault: m[2]!,
    detail,
    ...(label !== undefined && { label }),
    ...(color !== undefined && { color }),
    ...(op.error !== undefined && { error: op.error }),
  };
}

/** The `nodes` list most events carry, or null when absent or not a list of names. */
export function eventNodes(event: NemesisEvent): string[] | null {
  const nodes = event.detail.nodes;
  return Array.isArray(nodes) && nodes.every((n) => typeof n === 'string') ? nodes : null;
}

// Clock events, which the report's clock plot reads. A start-clock's detail is `{ nodes, clock, via }`, a
// stop-clock's `{ nodes }` (the stop resets those nodes' offset to 0); a failed start is `{ attempted }`.

/** A clock fault as recorded (and as nemesis/faults/clock.ts applies it). */
export type RecordedClockFault =
  | { kind: 'bump'; offsetMs: number }
  | { kind: 'strobe'; deltaMs: number; periodMs: number; durationMs: number }
  | { kind: 'drift'; rate: number };

/** How the clock was moved: libfaketime's control file, or the real clock (ssh hosts). */
export type ClockVia = 'faketime' | 'system-clock';

function finite(v: Value | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Reads a recorded clock fault; anything not of a documented shape is null, not guessed at. */
export function readClockFault(v: Value | undefined): RecordedClockFault | null {
  if (!isDetail(v)) return null;
  if (v.kind === 'bump') return finite(v.offsetMs) ? { kind: 'bump', offsetMs: v.offsetMs } : null;
  if (v.kind === 'strobe') {
    return finite(v.deltaMs) && finite(v.periodMs) && finite(v.durationMs)
      ? { kind: 'strobe', deltaMs: v.deltaMs, periodMs: v.periodMs, durationMs: v.durationMs }
      : null;
  }
  if (v.kind === 'drift') return finite(v.rate) && v.rate > 0 ? { kind: 'drift', rate: v.rate } : null;
  return null;
}

/** The via of a start-clock event (faketime when absent, as before it was recorded). */
export function clockVia(event: NemesisEvent): ClockVia {
  return event.detail.via === 'system-clock' ? 'system-clock' : 'faketime';
}

/** Each fault kind's colour, as its package wrote it into its events (kinds whose events carry none are left out). */
export function faultKindColors(events: Iterable<NemesisEvent>): Record<string, string> {
  const colors: Record<string, string> = {};
  for (const e of events) if (e.color !== undefined) colors[e.fault] ??= e.color;
  return colors;
}

/**
 * The fault kinds that ran, in the order they first started: a start recorded without error whose stop does not
 * say the start failed (a fault still active at the end of the history ran too).
 */
export function faultsThatRan(events: Iterable<NemesisEvent>): string[] {
  const ran = new Set<string>();
  const first = new Map<string, number>();
  /** Per kind, the sequence numbers of its open windows that started cleanly (null: the start failed). */
  const open = new Map<string, (number | null)[]>();
  let n = 0;
  for (const e of events) {
    const list = open.get(e.fault) ?? [];
    open.set(e.fault, list);
    if (e.action === 'start') {
      list.push(e.error === undefined ? n++ : null);
      continue;
    }
    const started = list.shift();
    if (started !== undefined && started !== null && e.detail.startFailed !== true) {
      ran.add(e.fault);
      if (!first.has(e.fault)) first.set(e.fault, started);
    }
  }
  for (const [fault, list] of open) {
    const still = list.find((x) => x !== null);
    if (still !== undefined && still !== null) {
      ran.add(fault);
      first.set(fault, Math.min(first.get(fault) ?? still, still));
    }
  }
  return [...ran].sort((a, b) => first.get(a)! - first.get(b)!);
}
