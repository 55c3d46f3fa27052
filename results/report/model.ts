// The data contract between the Node side that builds a report and the browser code that draws it. Node
// precomputes every derived value (pairing, percentiles, windows); the browser only renders. Times are
// milliseconds since the history's first client op (ReportData.originMs on the run's clock); a fault started
// before it has a negative start. Ops are stored column-wise: 100,000 ops stay compact.
import type { Value } from '../../checkers/history.ts';

export const opStatusCodes = { ok: 0, fail: 1, info: 2 } as const;
export type OpStatusCode = (typeof opStatusCodes)[keyof typeof opStatusCodes];

export interface ReportOps {
  count: number;
  /** Operation.id is the position in these arrays. */
  process: number[];
  /** Index into ReportData.fNames. */
  f: number[];
  /** OpStatusCode. */
  status: OpStatusCode[];
  /** Invoke time, ms. */
  call: number[];
  /** Completion time, ms (for info: when the harness gave up on it); -1 when it never completed. */
  ret: number[];
  /** Index into ReportData.keys; -1 without a key. */
  key: number[];
  /** Index into ReportData.nodeNames; -1 when unknown. */
  node: number[];
  input: Value[];
  output: Value[];
  error: (string | null)[];
  invokeIndex: number[];
}

export interface ReportFaultWindow {
  fault: string;
  start: number;
  /** Null when the fault was never stopped in the history. */
  end: number | null;
  /** What was done, to which nodes, in words (from the fault's package). */
  label: string;
  /** The fault kind's colour (#rrggbb), the same in every report, the timeline and the plots. */
  color: string;
}

export interface LatencySeries {
  f: string;
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  max: (number | null)[];
}

export interface ReportPerf {
  bucketMs: number;
  /** Bucket start times, seconds since the first op (uPlot's x axis). */
  t: number[];
  /** Completions per second in each bucket, by outcome. */
  throughput: { ok: number[]; fail: number[]; info: number[] };
  latency: LatencySeries[];
}

/**
 * Jepsen's clock plot: the clock offset faultline applied to each node it skewed (what the nemesis set, not a
 * measurement). Sampled for uPlot: one x array shared by every node, with a time repeated where a line jumps
 * (first every node's value just before it, then at it), and straight lines between samples.
 */
export interface ReportClockOffsets {
  /** Seconds since the first op, as ReportPerf.t; from 0 (or the first clock fault, if earlier) to the end. */
  t: number[];
  /** One per node ever skewed, by name; offsetMs[i] is the offset at t[i]. */
  nodes: { node: string; offsetMs: number[] }[];
  /** What the plot could not show as recorded: failed resets, unknown fault shapes, strobes drawn coarser. */
  notes: string[];
}

/** A Porcupine-style counterexample: the longest partial linearizations and the op that could not follow. */
export interface LinearizationView {
  key: string;
  failedOp: number;
  longest: { op: number; state: string }[][];
  /** Ops to draw: the partial linearizations, the failed op and the ops concurrent with it. */
  ops: number[];
}

export interface ReportAnomaly {
  /** Position in ReportData.anomalies; also the DOM id suffix. */
  id: number;
  checker: string;
  type: string;
  ops: number[];
  explanation: string;
  key?: string;
  linearization?: LinearizationView;
}

/** A counter key's reads with the bounds the increments allow at each (the counter checker's rule). */
export interface ReportCounterKey {
  key: string;
  /** By invoke time; every out-of-bounds read, the rest sampled evenly when there are many. */
  reads: { op: number; value: number; lower: number; upper: number }[];
  /** Reads of the key not drawn (in bounds, left out by the sampling). */
  omitted: number;
}

export interface ReportData {
  /** The first client op's invoke, ms since the run started: time 0 of every time in this data. */
  originMs: number;
  fNames: string[];
  keys: string[];
  nodeNames: string[];
  /**
   * Timeline lanes, each the client processes that ran in it one after another: a process retired after an
   * info op hands its worker slot to a fresh process id, which takes the same lane instead of a new one.
   */
  lanes: number[][];
  ops: ReportOps;
  faults: ReportFaultWindow[];
  /** The end of the time axis, ms. */
  endMs: number;
  perf: ReportPerf;
  /** Null when no clock offset was applied: the report then has no clock plot. */
  clockOffsets: ReportClockOffsets | null;
  anomalies: ReportAnomaly[];
  /** For a counter history, each key's reads and bounds over time; null for any other. */
  counters: ReportCounterKey[] | null;
}

/** Ids of the elements the Node side renders and the browser code fills in. */
export const reportElementIds = {
  data: 'faultline-data',
  dataGzip: 'faultline-data-gz',
  timeline: 'timeline',
  perf: 'perf',
  clockOffsets: 'clock-offsets',
  table: 'history-table',
} as const;
