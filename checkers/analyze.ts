// The one analysis entry: the run, `faultline check`, the consistency profile and the report all come here.
// Given the operations and a choice of checkers (names, or every one that applies), it runs each checker
// check-safe (one that throws gives `unknown` with the error, Jepsen's check-safe) under the same budgets,
// settles verdicts the model hierarchy decides (marked `impliedBy`), and returns the worst verdict and its
// exit code. A check that judged nothing is never valid: an empty history, a history where no op completed
// ok, a checker that cannot judge the history, or a choice that applies no checker make the analysis
// `unknown` with the reason (`Analysis.reason`; a checker that cannot judge gets an unknown result of its own).
import type { Operation, Value } from './history.ts';
import type { HistoryShape } from './historyShape.ts';
import { firstTransactionalOp, firstUnknownFunction, modelFunctions } from './historyShape.ts';
import { inferModelSpec } from './linearizable/index.ts';
import type { SearchProgress } from './linearizable/progress.ts';
import type { SequentialSearchProgress } from './sequential/sequential.ts';
import type { IsolationSearchProgress } from './transactional/isolation.ts';
import type { ModelSpec } from './models/model.ts';
import { impliedReason, impliedVerdict, profileCheckers, settleByHierarchy } from './modelHierarchy.ts';
import { getChecker, listCheckers } from './registry.ts';
import type { CheckOptions, CheckResult, ConsistencyChecker, Verdict } from './result.ts';
import { worstVerdict } from './result.ts';

export { settleByHierarchy } from './modelHierarchy.ts';
export { worstVerdict } from './result.ts';
import { verdictExitCodes } from './result.ts';
import type { VerdictExitCode } from './result.ts';
export { verdictExitCodes };
export type { VerdictExitCode };

/** Per checker, unless a budget is given: a hard history must end in `unknown`, not hang. */
export const defaultTimeBudgetMs = 120_000;

export interface AnalysisOptions extends CheckOptions {
  /** Checker names to run, in this order, or 'all' for every registered checker that applies to the history. */
  checkers: readonly string[] | 'all';
  /** The linearizability model; inferred from the ops when absent. */
  model?: ModelSpec;
  /** The value every key holds before any write, for the checkers that read it. Default: each checker's own. */
  initialValue?: Value;
  /** What is known of the history beyond its ops; default: real time recorded. */
  shape?: Partial<HistoryShape>;
  /** The checkers to choose from; default the registered ones (checkers/registry.ts). */
  available?: readonly ConsistencyChecker[];
  /** Whether linearizability may use worker threads. */
  parallel?: boolean;
  /** The fewest ops a check needs before its search goes to worker threads (the checker's default otherwise). */
  workerMinOps?: number;
  /**
   * Skip a checker whose verdict the hierarchy already implies (SC's search when linearizability holds), running
   * cheap checkers first. Default: true for 'all', false for a list of names (each named checker runs).
   */
  skipImplied?: boolean;
  /** Stops the analysis (a Ctrl-C): the checker running and those not yet run are `unknown`, never valid. */
  signal?: AbortSignal;
  /** Called before each checker that runs starts and when it ends, for a live progress line (the caller draws it). */
  onProgress?: (progress: AnalysisProgress) => void;
}

/** Where the analysis is: checker `index` (1-based) of `of` to run has started or ended (then with its verdict). */
export interface AnalysisProgress {
  checker: string;
  index: number;
  of: number;
  event: 'start' | 'end';
  valid?: Verdict;
  /**
   * On 'start': what the checker has decided so far, latest first, for a line that repaints on its own clock
   * (the linearizability and sequential checkers report from inside their searches; undefined until they do).
   */
  search?: () => CheckerSearchProgress | undefined;
}

/** What a checker's search reports from inside: linearizability's keys and configurations, SC's frontiers, or the isolation analysis's stage and components. */
export type CheckerSearchProgress = SearchProgress | SequentialSearchProgress | IsolationSearchProgress;

/** The reason of a checker an interrupt stopped. */
export const interruptedReason = 'interrupted before this checker ran or finished: not checked';

/** Resolves when the signal aborts; never, without one. */
function whenAborted(signal: AbortSignal): Promise<'aborted'> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve('aborted');
    else
      signal.addEventListener(
        'abort',
        () => {
          resolve('aborted');
        },
        { once: true },
      );
  });
}

export interface Analysis {
  /** One result per checker asked for (for 'all': per checker that applies), profile models strongest first. */
  results: CheckResult[];
  /** Names of the checkers that ran; the others were settled by the hierarchy or could not judge. */
  ran: string[];
  /** Pairs where a stronger model holds but a weaker one is reported violated: a checker bug, never resolved silently. */
  contradictions: string[];
  /** The worst verdict: violated beats unknown beats valid; unknown when nothing was checked. */
  valid: Verdict;
  exitCode: VerdictExitCode;
  /** Why the whole analysis is unknown although no checker said so: nothing was checked, or nothing observed. */
  reason?: string;
  timeMs: number;
}

/** Cheap checkers first, so their verdicts can spare the expensive ones (SC's search, linearizability). */
const cheapFirst = [
  'monotonic-reads',
  'monotonic-writes',
  'read-your-writes',
  'writes-follow-reads',
  'session',
  'causal-cc',
  'causal-ccv',
  'causal-cm',
  'linearizable',
  'sequential',
];

function unknownResult(checker: string, model: string, reason: string, ops: number, timeMs = 0): CheckResult {
  return { checker, model, valid: 'unknown', anomalies: [], reason, stats: { ops, timeMs } };
}

/**
 * The analysis of a history that could not be read whole (too large for the heap): every named checker
 * `unknown` with the reason, never valid, and never a failure of the harness.
 */
export function notCheckedAnalysis(names: readonly string[], reason: string): Analysis {
  const results = names.map((name) => unknownResult(name, getChecker(name)?.model ?? name, reason, 0));
  return { results, ran: [], contradictions: [], valid: 'unknown', exitCode: exitCodeOf('unknown'), reason, timeMs: 0 };
}

/** Why nothing in this history can be judged by any checker, or null. */
export function nothingObserved(operations: readonly Operation[]): string | null {
  if (operations.length === 0) return 'the history is empty: nothing was checked';
  if (operations.some((op) => op.status === 'ok')) return null;
  const info = operations.filter((op) => op.status === 'info').length;
  return `no operation completed ok (${info} indeterminate, ${operations.length - info} failed): nothing was observed`;
}

/**
 * Op functions whose ok completion observes the state: a read returns it, a cas or dequeue that succeeded
 * compared it, a generate returns the id it drew, an echo the payload it got back.
 */
const observingFunctions = new Set(['read', 'get', 'cas', 'dequeue', 'generate', 'echo']);
/** Micro-ops of a transaction that read (Knossos multi-register, Elle, dbcop, Plume). */
const readingMicroOps = new Set(['r', 'read']);

/** Whether a checker of `model` can find anything wrong with this op: it completed ok and observed the state. */
function observes(op: Operation, model: string): boolean {
  if (op.status !== 'ok') return false;
  // A lock's acquire or release that succeeded is itself what a mutex history is judged on.
  if (model === 'mutex') return true;
  if (observingFunctions.has(op.f)) return true;
  if (op.f !== 'txn' || !Array.isArray(op.output)) return false;
  return op.output.some((m) => Array.isArray(m) && typeof m[0] === 'string' && readingMicroOps.has(m[0]));
}

/**
 * Why a checker's valid verdict on this history says nothing, or null: no op it judges completed ok (an empty
 * history, every op indeterminate or failed, or writes with no read). Writes alone never violate a model of
 * reads and writes, so such a valid would be about nothing: the analysis reports unknown with this reason.
 */
export function nothingJudged(operations: readonly Operation[], model = 'register'): string | null {
  if (operations.length === 0) return 'the history is empty: nothing was checked';
  if (operations.some((op) => observes(op, model))) return null;
  let ok = 0;
  let info = 0;
  for (const op of operations) {
    if (op.status === 'ok') ok++;
    else if (op.status === 'info') info++;
  }
  const counts = `${ok} ok, ${info} indeterminate, ${operations.length - ok - info} failed of ${operations.length} ops`;
  return model === 'mutex'
    ? `no operation completed ok (${counts}): nothing was observed, so nothing was checked`
    : `no read completed ok (${counts}): nothing was observed, so nothing was checked`;
}

/** Why `checker` cannot judge this history, or null when it can. */
export function whyNotApplicable(
  checker: ConsistencyChecker,
  operations: readonly Operation[],
  shape: HistoryShape,
): string | null {
  if (checker.appliesTo?.(operations, shape) ?? true) return null;
  const txn = firstTransactionalOp(operations);
  if (txn !== undefined) {
    return (
      `${checker.name} cannot judge this history: it holds transactions (op ${txn.id}, index ${txn.invokeIndex}: ` +
      `${JSON.stringify(txn.input)}), which only a transactional checker judges`
    );
  }
  if (operations.some((op) => op.f === 'txn'))
    return `${checker.name} cannot judge this history: it judges single read/write ops, and this history holds transactions`;
  if (!shape.realTime) return `${checker.name} cannot judge this history: its format records no real-time order`;
  return `${checker.name} cannot judge this history's shape`;
}

function linearizabilityModel(operations: readonly Operation[], options: AnalysisOptions): ModelSpec {
  if (options.model !== undefined) return options.model;
  const spec = inferModelSpec(operations);
  if (options.initialValue === undefined) return spec;
  return { name: spec.name, options: { ...spec.options, initial: options.initialValue } };
}

async function runOne(
  checker: ConsistencyChecker,
  operations: readonly Operation[],
  options: AnalysisOptions,
  onSearchProgress?: (search: CheckerSearchProgress) => void,
): Promise<CheckResult> {
  const started = performance.now();
  const checkerOptions: CheckOptions & { [option: string]: unknown } = {
    timeBudgetMs: options.timeBudgetMs ?? defaultTimeBudgetMs,
  };
  if (options.memoryBudgetBytes !== undefined) checkerOptions.memoryBudgetBytes = options.memoryBudgetBytes;
  if (options.detail !== undefined) checkerOptions.detail = options.detail;
  if (options.parallel !== undefined) checkerOptions['parallel'] = options.parallel;
  if (options.workerMinOps !== undefined) checkerOptions['workerMinOps'] = options.workerMinOps;
  if (options.initialValue !== undefined) checkerOptions['initialValue'] = options.initialValue;
  if (onSearchProgress !== undefined) checkerOptions['onProgress'] = onSearchProgress;
  if (options.signal !== undefined) checkerOptions['signal'] = options.signal;
  const model = linearizabilityModel(operations, options);
  checkerOptions['model'] = model;
  if (checker.name === 'linearizable') {
    const odd = firstUnknownFunction(model.name, operations);
    if (odd !== undefined) {
      return unknownResult(
        checker.name,
        checker.model,
        `op ${odd.id} (index ${odd.invokeIndex}) has f '${odd.f}', which the ${model.name} model does not know ` +
          `(it knows ${(modelFunctions[model.name] ?? []).join(', ')}): linearizability cannot be judged`,
        operations.length,
      );
    }
  }
  try {
    return await checker.check(operations, checkerOptions);
  } catch (e) {
    const reason = `the checker failed: ${e instanceof Error ? e.message : String(e)}`;
    return unknownResult(checker.name, checker.model, reason, operations.length, performance.now() - started);
  }
}

export function exitCodeOf(valid: Verdict): VerdictExitCode {
  return valid === true
    ? verdictExitCodes.valid
    : valid === false
      ? verdictExitCodes.violated
      : verdictExitCodes.unknown;
}

/** The exit code of a set of results: 0 all valid, 1 one violated, 2 one unknown (or none at all). */
export function exitCodeFor(results: readonly Pick<CheckResult, 'valid'>[]): VerdictExitCode {
  return exitCodeOf(worstVerdict(results));
}

function rank(name: string, order: readonly string[]): number {
  const i = order.indexOf(name);
  return i === -1 ? order.length : i;
}

/** Runs the chosen checkers over one history; see the file's head for the rules. */
export async function analyze(operations: readonly Operation[], options: AnalysisOptions): Promise<Analysis> {
  const started = performance.now();
  const shape: HistoryShape = { realTime: options.shape?.realTime ?? true };
  const all = options.checkers === 'all';
  const skipImplied = options.skipImplied ?? all;
  const done = (results: CheckResult[], ran: string[], contradictions: string[], reason?: string): Analysis => {
    const worst = worstVerdict(results);
    const valid = worst === true && reason !== undefined ? 'unknown' : worst;
    return {
      results,
      ran,
      contradictions,
      valid,
      exitCode: exitCodeOf(valid),
      ...(reason !== undefined && { reason }),
      timeMs: performance.now() - started,
    };
  };

  const available = options.available ?? listCheckers();
  const chosen: { name: string; checker: ConsistencyChecker | undefined }[] = all
    ? available
        .filter((c) => whyNotApplicable(c, operations, shape) === null)
        .sort((a, b) => rank(a.name, profileCheckers) - rank(b.name, profileCheckers))
        .map((checker) => ({ name: checker.name, checker }))
    : (options.checkers as readonly string[]).map((name) => ({
        name,
        checker: options.available === undefined ? getChecker(name) : available.find((c) => c.name === name),
      }));
  const empty = nothingObserved(operations);
  if (chosen.length === 0) {
    const why = all
      ? `no registered checker can judge this history${firstTransactionalOp(operations) === undefined ? '' : ' (it holds transactions)'}`
      : 'no checker was chosen';
    return done([], [], [], empty === null ? `${why}: nothing was checked` : empty);
  }
  const results = new Map<string, CheckResult>();
  const ran: string[] = [];
  const order = skipImplied ? [...chosen].sort((a, b) => rank(a.name, cheapFirst) - rank(b.name, cheapFirst)) : chosen;
  let position = 0;
  let modelName: string | undefined;
  for (const { name, checker } of order) {
    position++;
    if (checker === undefined) {
      results.set(
        name,
        unknownResult(name, name, `no checker named ${name} in this version of faultline`, operations.length),
      );
      continue;
    }
    const notApplicable = whyNotApplicable(checker, operations, shape);
    if (notApplicable !== null) {
      results.set(name, unknownResult(name, checker.model, notApplicable, operations.length));
      continue;
    }
    const implied = skipImplied ? impliedVerdict(name, results) : null;
    if (implied !== null) {
      results.set(name, {
        checker: name,
        model: checker.model,
        valid: implied.valid,
        anomalies: [],
        impliedBy: implied.by,
        reason: impliedReason(implied.by, implied.valid, 'not checked itself'),
        stats: { ops: operations.length, timeMs: 0 },
      });
      continue;
    }
    const progress = { checker: name, index: position, of: order.length };
    let latest: CheckerSearchProgress | undefined;
    options.onProgress?.({ ...progress, event: 'start', search: () => latest });
    const onSearch =
      options.onProgress === undefined
        ? undefined
        : (search: CheckerSearchProgress): void => {
            latest = search;
          };
    const running = runOne(checker, operations, options, onSearch);
    const result =
      options.signal === undefined ? await running : await Promise.race([running, whenAborted(options.signal)]);
    if (result === 'aborted') {
      results.set(name, unknownResult(name, checker.model, interruptedReason, operations.length));
      options.onProgress?.({ ...progress, event: 'end', valid: 'unknown' });
      continue;
    }
    // A checker's valid on a history in which it observed nothing is about nothing: unknown, with the reason.
    modelName ??= result.valid === true ? linearizabilityModel(operations, options).name : undefined;
    const judgedNothing = result.valid === true ? nothingJudged(operations, modelName) : null;
    const judged: CheckResult =
      judgedNothing === null ? result : { ...result, valid: 'unknown', reason: judgedNothing, anomalies: [] };
    options.onProgress?.({ ...progress, event: 'end', valid: judged.valid });
    results.set(name, judged);
    ran.push(name);
  }
  const ordered = chosen.map(({ name }) => results.get(name)!);
  const contradictions = settleByHierarchy(ordered);
  // A history in which nothing was observed verifies nothing: each checker's valid on it became unknown
  // above (Knossos calls an empty history linearizable; we do not), and the analysis is unknown, never valid.
  return done(ordered, ran, contradictions, empty ?? undefined);
}
