// One history as `faultline check` sees it: read in any supported format, its model inferred (or the one its
// run recorded), and analysed through the one analysis entry (checkers/analyze.ts).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Analysis, CheckResult, ViolationDetail } from '../../../checkers/index.ts';
import { analyze, getChecker, whyNotApplicable } from '../../../checkers/index.ts';
import type { AnalysisProgress } from '../../../checkers/analyze.ts';
import { findHistoryProblems, pairOperations } from '../../../checkers/history.ts';
import type { Operation, Value } from '../../../checkers/history.ts';
import { inferModelSpec } from '../../../checkers/linearizable/index.ts';
import type { ModelSpec } from '../../../checkers/models/model.ts';
import { createModel, listModels } from '../../../checkers/models/registry.ts';
import type { HistoryShape } from '../../../checkers/historyShape.ts';
import { HistoryTooLargeError, readAnyHistory } from '../../history/formats/index.ts';
import type { HistoryFormat } from '../../history/formats/index.ts';
import { UserError } from '../../errors.ts';
import { runFiles } from '../../../results/runDirectory.ts';

export interface CheckFileOptions {
  /** Overrides the inferred model's name (the inferred options are kept when the name matches). */
  model?: string;
  /** The model a stored run recorded in results.json: used instead of inferring one, unless `model` is given. */
  recordedModel?: ModelSpec;
  /** Model options as JSON, merged over the inferred ones. */
  modelOptions?: { [option: string]: Value };
  checker?: string;
  timeBudgetMs?: number;
  memoryBudgetBytes?: number;
  parallel?: boolean;
  /** How much a violation's explanation may cost (CheckOptions.detail); `check` prints a summary unless --json. */
  detail?: ViolationDetail;
  /** From FAULTLINE_WORKER_MIN_OPS: the fewest ops before the search goes to worker threads (for tuning and tests). */
  workerMinOps?: number;
  /** Told as each checker starts and ends (the live check line). */
  onProgress?: (progress: AnalysisProgress) => void;
}

export interface CheckedFile {
  path: string;
  format: HistoryFormat;
  model: ModelSpec;
  operations: Operation[];
  tornTail: boolean;
  /** Problems of the history itself (a process invoking twice, ...), as warnings. */
  problems: string[];
}

/**
 * The model a history implies: Porcupine etcd logs are a CAS register starting empty with Porcupine's
 * failed-CAS semantics; Porcupine kv logs are per-key strings starting ""; Knossos EDN is a CAS register
 * starting at 0 (or a multi-register / mutex, by its ops) with nil reads as wildcards; faultline's own
 * histories follow the workload recorded with the run, else the ops.
 */
export function inferModel(format: HistoryFormat, operations: readonly Operation[], historyPath: string): ModelSpec {
  switch (format) {
    case 'porcupine-etcd':
      return { name: 'cas-register', options: { initial: null, failedCasReturnsFalse: true } };
    case 'porcupine-kv':
      return { name: 'kv', options: { initial: '' } };
    case 'jepsen-edn': {
      const guess = inferModelSpec(operations);
      if (guess.name === 'multi-register') {
        // Knossos' multi-register tests start every register at 0.
        const initial: { [k: string]: Value } = {};
        for (const op of operations) {
          if (!Array.isArray(op.input)) continue;
          for (const m of op.input) if (Array.isArray(m) && typeof m[1] === 'string') initial[m[1]] = 0;
        }
        return { name: 'multi-register', options: { initial } };
      }
      if (guess.name === 'mutex') return guess;
      return { name: 'cas-register', options: { initial: 0, nilReadIsWildcard: true } };
    }
    case 'faultline':
    case 'dbcop':
    case 'plume-text': {
      const workload = recordedWorkload(historyPath);
      const guess = inferModelSpec(operations);
      if (workload === 'key-value') return { name: 'kv' };
      if (workload === 'register')
        return { name: guess.name === 'kv' ? 'kv' : guess.name === 'cas-register' ? 'cas-register' : 'register' };
      if (workload === 'set') return { name: 'set' };
      return guess;
    }
  }
}

/** The workload named in the campaign.yaml stored next to a run's history, if any. */
function recordedWorkload(historyPath: string): string | undefined {
  const campaign = join(dirname(historyPath), runFiles.campaign);
  if (!existsSync(campaign)) return undefined;
  try {
    const doc = parseYaml(readFileSync(campaign, 'utf8')) as { workload?: { name?: unknown } } | null;
    const name = doc?.workload?.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

export function loadForCheck(path: string, options: CheckFileOptions = {}): CheckedFile {
  if (!existsSync(path)) {
    throw new UserError(
      `no such file or directory: ${path}`,
      'Give a run directory, a history.jsonl, a Porcupine log or a Jepsen/Knossos .edn file.',
      'usage',
    );
  }
  if (statSync(path).isDirectory() && !existsSync(join(path, runFiles.history))) {
    throw new UserError(
      `${path} is a directory without a history.jsonl`,
      'Point at a run directory (store/<campaign>/<run>) or at a history file.',
      'usage',
    );
  }
  let loaded;
  try {
    loaded = readAnyHistory(path);
  } catch (e) {
    // Too large to hold is not a bad file: its verdict is unknown, with the reason (the caller says so).
    if (e instanceof HistoryTooLargeError) throw e;
    throw new UserError(
      `could not read the history in ${path}: ${e instanceof Error ? e.message : String(e)}`,
      'Supported: faultline history.jsonl, Jepsen/Knossos EDN, Porcupine etcd and kv logs.',
      'bad-input',
    );
  }
  const operations = pairOperations(loaded.ops);
  const inferred = options.recordedModel ?? inferModel(loaded.format, operations, loaded.path);
  let model: ModelSpec = inferred;
  if (options.model !== undefined) {
    model = options.model === inferred.name ? inferred : { name: options.model };
  }
  if (options.modelOptions !== undefined)
    model = { name: model.name, options: { ...(model.options ?? {}), ...options.modelOptions } };
  try {
    createModel(model);
  } catch {
    throw new UserError(
      `no model named '${model.name}'`,
      `Known models: ${listModels()
        .map((m) => m.name)
        .join(', ')}.`,
      'usage',
    );
  }
  const problems = findHistoryProblems(loaded.ops).map((p) => `index ${p.index}: ${p.message}`);
  return { path: loaded.path, format: loaded.format, model, operations, tornTail: loaded.tornTail, problems };
}

/** Runs one checker (default: linearizable) over a loaded history. */

/** Formats that record only each session's order, not real time: no linearizability verdict on them. */
const formatsWithoutRealTime = new Set<HistoryFormat>(['dbcop', 'plume-text']);

/** What the analysis must know of a loaded history beyond its ops. */
export function fileShape(file: CheckedFile): HistoryShape {
  return { realTime: !formatsWithoutRealTime.has(file.format) };
}

/**
 * The checkers a history gets when none is named: linearizability where it can judge the history, else every
 * checker that can (transactional histories: the transactional checkers).
 */
export function defaultFileCheckers(file: CheckedFile): readonly string[] | 'all' {
  const linearizable = getChecker('linearizable');
  if (linearizable !== undefined && whyNotApplicable(linearizable, file.operations, fileShape(file)) === null)
    return ['linearizable'];
  return 'all';
}

/** Analyses a loaded history with the named checkers, or every one that applies ('all'). */
export async function analyzeFile(
  file: CheckedFile,
  checkers: readonly string[] | 'all',
  options: CheckFileOptions,
): Promise<Analysis> {
  return analyze(file.operations, {
    checkers,
    model: file.model,
    shape: fileShape(file),
    ...(options.timeBudgetMs !== undefined && { timeBudgetMs: options.timeBudgetMs }),
    ...(options.memoryBudgetBytes !== undefined && { memoryBudgetBytes: options.memoryBudgetBytes }),
    ...(options.parallel !== undefined && { parallel: options.parallel }),
    ...(options.detail !== undefined && { detail: options.detail }),
    ...(options.workerMinOps !== undefined && { workerMinOps: options.workerMinOps }),
    ...(options.onProgress !== undefined && { onProgress: options.onProgress }),
  });
}

/** Runs one checker over a loaded history (through the analysis entry, check-safe). */
export async function runChecker(file: CheckedFile, name: string, options: CheckFileOptions): Promise<CheckResult> {
  return (await analyzeFile(file, [name], options)).results[0]!;
}
