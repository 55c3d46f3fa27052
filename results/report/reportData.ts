// Builds the report's data contract from a history and the run's results: pairing, fault windows, latency
// percentiles and throughput per time bucket, the clock offsets the nemesis applied, anomalies with their
// Porcupine-style views.
import type { HistoryOp, Operation, Value } from '../../checkers/history.ts';
import { faultWindows, pairOperations } from '../../checkers/history.ts';
import type { CheckResult } from '../../checkers/result.ts';
import { analyseCounter, isCounterHistory } from '../../checkers/counter/counter.ts';
import { clockOffsets } from './clockOffsets.ts';
import { faultStyle } from './faultStyle.ts';
import type {
  LatencySeries,
  LinearizationView,
  ReportAnomaly,
  ReportCounterKey,
  ReportData,
  ReportOps,
  ReportPerf,
} from './model.ts';
import { opStatusCodes } from './model.ts';

const nsPerMs = 1e6;
/** At most this many ops are drawn in one linearization view: beyond it the picture stops helping. */
export const maxLinearizationOps = 40;

/** A value in words for labels: strings as they are, anything else as compact JSON, cut at `max` chars. */
export function describeValue(value: Value, max = 80): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function indexer(): { table: string[]; of(name: string): number } {
  const table: string[] = [];
  const positions = new Map<string, number>();
  return {
    table,
    of(name: string): number {
      let i = positions.get(name);
      if (i === undefined) {
        i = table.length;
        table.push(name);
        positions.set(name, i);
      }
      return i;
    },
  };
}

/** Rounds a bucket width up to 1, 2 or 5 × 10^k ms so axis ticks stay readable. */
export function niceBucketMs(spanMs: number, targetBuckets: number): number {
  const raw = Math.max(spanMs / targetBuckets, 1);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5, 10]) if (raw <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? null;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function buildOps(operations: readonly Operation[], history: readonly HistoryOp[], originNs: number) {
  const fNames = indexer();
  const keys = indexer();
  const nodes = indexer();
  const ops: ReportOps = {
    count: operations.length,
    process: [],
    f: [],
    status: [],
    call: [],
    ret: [],
    key: [],
    node: [],
    input: [],
    output: [],
    error: [],
    invokeIndex: [],
  };
  for (const op of operations) {
    ops.process.push(op.process);
    ops.f.push(fNames.of(op.f));
    ops.status.push(opStatusCodes[op.status]);
    ops.call.push(round3((op.call - originNs) / nsPerMs));
    // An info's ret is +Infinity for the checkers; the report shows when the harness gave up on it.
    const completion = op.completeIndex === null ? undefined : history[op.completeIndex];
    ops.ret.push(completion === undefined ? -1 : round3((completion.time - originNs) / nsPerMs));
    ops.key.push(op.key === undefined ? -1 : keys.of(op.key));
    ops.node.push(op.node === undefined ? -1 : nodes.of(op.node));
    ops.input.push(op.input);
    ops.output.push(op.status === 'ok' ? op.output : null);
    ops.error.push(op.error ?? null);
    ops.invokeIndex.push(op.invokeIndex);
  }
  return { ops, fNames: fNames.table, keys: keys.table, nodeNames: nodes.table };
}

function buildPerf(ops: ReportOps, fNames: readonly string[], endMs: number): ReportPerf {
  const bucketMs = niceBucketMs(endMs, 150);
  const buckets = Math.max(1, Math.ceil(endMs / bucketMs));
  const t = Array.from({ length: buckets }, (_, i) => (i * bucketMs) / 1000);
  const counts = {
    ok: new Array<number>(buckets).fill(0),
    fail: new Array<number>(buckets).fill(0),
    info: new Array<number>(buckets).fill(0),
  };
  const samples = fNames.map(() => Array.from({ length: buckets }, () => [] as number[]));
  const statusNames = ['ok', 'fail', 'info'] as const;
  const clampBucket = (ms: number) => Math.min(buckets - 1, Math.max(0, Math.floor(ms / bucketMs)));
  for (let i = 0; i < ops.count; i++) {
    const ret = ops.ret[i]!;
    if (ret < 0) continue;
    const status = ops.status[i]!;
    counts[statusNames[status]][clampBucket(ret)]!++;
    if (status === opStatusCodes.ok) samples[ops.f[i]!]![clampBucket(ops.call[i]!)]!.push(ret - ops.call[i]!);
  }
  const perSecond = 1000 / bucketMs;
  const rate = (xs: number[]) => xs.map((c) => round3(c * perSecond));
  const latency: LatencySeries[] = fNames.map((f, fi) => {
    const series: LatencySeries = { f, p50: [], p95: [], p99: [], max: [] };
    for (const bucket of samples[fi]!) {
      bucket.sort((a, b) => a - b);
      series.p50.push(percentile(bucket, 50));
      series.p95.push(percentile(bucket, 95));
      series.p99.push(percentile(bucket, 99));
      series.max.push(percentile(bucket, 100));
    }
    return series;
  });
  return {
    bucketMs,
    t,
    throughput: { ok: rate(counts.ok), fail: rate(counts.fail), info: rate(counts.info) },
    latency,
  };
}

/** Puts each process in the first lane whose last process finished before it started (greedy interval packing). */
export function packLanes(ops: ReportOps): number[][] {
  const spans = new Map<number, { first: number; last: number }>();
  for (let i = 0; i < ops.count; i++) {
    const p = ops.process[i]!;
    const end = ops.ret[i]! < 0 ? Infinity : ops.ret[i]!;
    const span = spans.get(p);
    if (span === undefined) spans.set(p, { first: ops.call[i]!, last: end });
    else span.last = Math.max(span.last, end);
  }
  const lanes: { processes: number[]; free: number }[] = [];
  const ordered = [...spans].sort((a, b) => a[1].first - b[1].first || a[0] - b[0]);
  for (const [process, span] of ordered) {
    const lane = lanes.find((l) => l.free < span.first);
    if (lane === undefined) lanes.push({ processes: [process], free: span.last });
    else {
      lane.processes.push(process);
      lane.free = span.last;
    }
  }
  return lanes.map((l) => l.processes);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a linearizability anomaly's detail; anything not of the documented shape is ignored, not trusted. */
export function linearizationDetail(
  detail: Value | undefined,
): { key: string; failedOp: number; longest: { op: number; state: string }[][] } | null {
  if (!isRecord(detail)) return null;
  const { key, failedOp, longest } = detail;
  if (typeof failedOp !== 'number' || !Array.isArray(longest)) return null;
  const paths: { op: number; state: string }[][] = [];
  for (const path of longest) {
    if (!Array.isArray(path)) return null;
    const steps: { op: number; state: string }[] = [];
    for (const step of path) {
      if (!isRecord(step) || typeof step.op !== 'number') return null;
      steps.push({ op: step.op, state: typeof step.state === 'string' ? step.state : JSON.stringify(step.state) });
    }
    paths.push(steps);
  }
  return { key: typeof key === 'string' ? key : '', failedOp, longest: paths };
}

function linearizationView(detail: Value | undefined, operations: readonly Operation[]): LinearizationView | undefined {
  const parsed = linearizationDetail(detail);
  const failed = parsed === null ? undefined : operations[parsed.failedOp];
  if (parsed === null || failed === undefined) return undefined;
  // The view is anchored on the op that cannot be placed: around it, the ops concurrent with it (the candidates
  // the search tried), nearest first, then each longest prefix's last steps (what it was read against). A
  // prefix's first steps, often hundreds of ops and seconds earlier, are in the collapsed list, not drawn.
  const chosen = new Set<number>([parsed.failedOp]);
  const distance = (op: Operation) => Math.abs(op.call - failed.call);
  const concurrent = operations
    .filter((op) => op.key === failed.key && op.status !== 'fail' && op.call <= failed.ret && op.ret >= failed.call)
    .sort((a, b) => distance(a) - distance(b));
  for (const op of concurrent.slice(0, maxLinearizationOps / 2)) chosen.add(op.id);
  const paths = parsed.longest.map((path) => path.filter((step) => operations[step.op] !== undefined));
  for (let back = 1; chosen.size < maxLinearizationOps && paths.some((p) => p.length >= back); back++)
    for (const path of paths) {
      const step = path[path.length - back];
      if (step !== undefined && chosen.size < maxLinearizationOps) chosen.add(step.op);
    }
  const ids = [...chosen].sort((a, b) => a - b);
  return { key: parsed.key, failedOp: parsed.failedOp, longest: parsed.longest, ops: ids };
}

function buildAnomalies(checks: readonly CheckResult[], operations: readonly Operation[]): ReportAnomaly[] {
  const out: ReportAnomaly[] = [];
  for (const check of checks) {
    for (const anomaly of check.anomalies) {
      const entry: ReportAnomaly = {
        id: out.length,
        checker: check.checker,
        type: anomaly.type,
        ops: anomaly.ops.filter((id) => operations[id] !== undefined),
        explanation: anomaly.explanation,
      };
      if (anomaly.key !== undefined) entry.key = anomaly.key;
      const view = linearizationView(anomaly.detail, operations);
      if (view !== undefined) entry.linearization = view;
      out.push(entry);
    }
  }
  return out;
}

/**
 * The time (ns on the run's clock) the report counts from: the first client op's invoke. Node start-up and image
 * builds before it would otherwise be the first 15-50 s of every timeline and plot. 0 without client ops.
 */
export function historyOriginNs(operations: readonly Operation[]): number {
  let first = Infinity;
  for (const op of operations) first = Math.min(first, op.call);
  return Number.isFinite(first) ? first : 0;
}

/** Per counter key, the reads drawn: all out of bounds, and the rest sampled evenly (the chart holds so many). */
export const maxCounterReadsDrawn = 2000;

/** A counter history's reads and their bounds, per key (checkers/counter's analysis); null for other histories. */
export function counterBounds(operations: readonly Operation[]): ReportCounterKey[] | null {
  if (!isCounterHistory(operations)) return null;
  return analyseCounter(operations).map((k) => {
    const reads = [...k.reads].sort((a, b) => a.read.call - b.read.call);
    const outside = (r: (typeof reads)[number]) => r.value < r.lower || r.value > r.upper;
    const inside = reads.length - reads.filter(outside).length;
    const room = Math.max(0, maxCounterReadsDrawn - (reads.length - inside));
    const stride = inside <= room ? 1 : inside / Math.max(room, 1);
    let nextInside = 0;
    let seenInside = 0;
    const drawn = reads.filter((r) => {
      if (outside(r)) return true;
      const keep = room > 0 && seenInside >= nextInside;
      if (keep) nextInside += stride;
      seenInside++;
      return keep;
    });
    return {
      key: k.key,
      reads: drawn.map((r) => ({ op: r.read.id, value: r.value, lower: r.lower, upper: r.upper })),
      omitted: reads.length - drawn.length,
    };
  });
}

/** Everything the report draws, from a history and the checks run on it. */
export function buildReportData(history: readonly HistoryOp[], checks: readonly CheckResult[]): ReportData {
  const operations = pairOperations(history);
  const originNs = historyOriginNs(operations);
  const { ops, fNames, keys, nodeNames } = buildOps(operations, history, originNs);
  // Times are monotonic, so the last op is the latest.
  let endMs = Math.max(0, round3(((history.at(-1)?.time ?? 0) - originNs) / nsPerMs));
  for (let i = 0; i < ops.count; i++) endMs = Math.max(endMs, ops.ret[i]!, ops.call[i]!);
  // A fault started before the first op keeps its (negative) start: the table says when it really began.
  const faults = faultWindows(history).map((w) => ({
    fault: w.fault,
    start: round3((w.start - originNs) / nsPerMs),
    end: Number.isFinite(w.end) ? round3((w.end - originNs) / nsPerMs) : null,
    ...faultStyle(w),
  }));
  return {
    originMs: round3(originNs / nsPerMs),
    fNames,
    keys,
    nodeNames,
    lanes: packLanes(ops),
    ops,
    faults,
    endMs,
    perf: buildPerf(ops, fNames, Math.max(endMs, 1)),
    clockOffsets: clockOffsets(history, endMs, originNs),
    anomalies: buildAnomalies(checks, operations),
    counters: counterBounds(operations),
  };
}
