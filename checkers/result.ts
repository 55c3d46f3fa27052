// The one shape every checker returns, so the CLI, results.json and the report treat them alike.
import type { Operation, Value } from './history.ts';
import type { HistoryShape } from './historyShape.ts';

/** `unknown` is honest: a budget ran out or the history could not be decided. It is never turned into valid. */
export type Verdict = true | false | 'unknown';

/** Exit codes of a verdict, shared by the run and `faultline check`; harness/errors.ts maps the rest. */
export const verdictExitCodes = { valid: 0, violated: 1, unknown: 2 } as const;
export type VerdictExitCode = (typeof verdictExitCodes)[keyof typeof verdictExitCodes];

export interface Anomaly {
  /** e.g. nonlinearizable, monotonic-reads, CyclicCO, WriteCORead, ThinAirRead, stale-read. */
  type: string;
  /** Operation ids (Operation.id) involved, in the order the explanation names them. */
  ops: number[];
  /** The history indices of those ops' invokes and completions, for highlighting on the timeline. */
  indices?: number[];
  /** In words a user understands, naming processes, keys, values and op indices. */
  explanation: string;
  /** The key (sub-history) it happened on, for multi-key histories. */
  key?: string;
  /** Checker-specific data the report can draw (e.g. partial linearizations). */
  detail?: Value;
}

export interface CheckResult {
  /** The checker that produced this, e.g. linearizable, sequential, causal-cc, monotonic-reads. */
  checker: string;
  /** The consistency model checked, in words: "linearizability", "causal consistency (CCv)". */
  model: string;
  valid: Verdict;
  anomalies: Anomaly[];
  /** Why the verdict is unknown (budget, unsupported history shape), when it is. */
  reason?: string;
  /** The model whose verdict settled this one through the model hierarchy (the checker's own was unknown or not run). */
  impliedBy?: string;
  stats: { ops: number; timeMs: number; [extra: string]: number };
}

/**
 * The result of a one-pass checker, timed from this call: fill `stats` as it goes, then `done` with the
 * verdict (and the reason, when unknown).
 */
export function timedResult(
  checker: string,
  model: string,
  ops: number,
): {
  stats: CheckResult['stats'];
  done: (valid: Verdict, anomalies: Anomaly[], reason?: string) => CheckResult;
} {
  const started = performance.now();
  const stats: CheckResult['stats'] = { ops, timeMs: 0 };
  return {
    stats,
    done: (valid, anomalies, reason) => {
      stats.timeMs = performance.now() - started;
      const r: CheckResult = { checker, model, valid, anomalies, stats };
      if (reason !== undefined) r.reason = reason;
      return r;
    },
  };
}

/** Options every checker accepts. */
export interface CheckOptions {
  /** Wall-clock budget; the verdict is `unknown` when it runs out. */
  timeBudgetMs?: number;
  /** Approximate memory budget for search state. */
  memoryBudgetBytes?: number;
  /**
   * What a violation's explanation may cost beyond what proves it. 'report' (default): all the report draws
   * (linearizability searches a violated key again for each op's longest partial linearization); 'summary':
   * what a line of text needs (the deepest prefixes the search met), as `faultline check` prints.
   */
  detail?: ViolationDetail;
}

export type ViolationDetail = 'report' | 'summary';

/** A checker as the registry, the CLI and the profile see it. */
export interface ConsistencyChecker {
  name: string;
  model: string;
  /** One line for `faultline list` and --help. */
  description: string;
  check(operations: readonly Operation[], options?: CheckOptions): CheckResult | Promise<CheckResult>;
  /** Whether the checker can judge this history (e.g. transactions or single ops, real time or not); default yes. */
  appliesTo?(operations: readonly Operation[], shape?: HistoryShape): boolean;
}

/** Op ids and the history indices behind them, for an anomaly's `indices`. */
export function historyIndices(ops: readonly Operation[]): number[] {
  const out: number[] = [];
  for (const op of ops) {
    out.push(op.invokeIndex);
    if (op.completeIndex !== null) out.push(op.completeIndex);
  }
  return out;
}

/** The worst verdict: false beats unknown beats true (Jepsen's valid-priorities). No result: unknown. */
export function worstVerdict(results: readonly Pick<CheckResult, 'valid'>[]): Verdict {
  if (results.some((r) => r.valid === false)) return false;
  if (results.length === 0 || results.some((r) => r.valid === 'unknown')) return 'unknown';
  return true;
}
