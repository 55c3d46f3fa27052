// `faultline check PATH`: re-analyse a stored run or an external history (Porcupine logs, Knossos/Jepsen EDN)
// with the linearizability checker or any registered checker, and exit 0 valid / 1 invalid / 2 unknown.
import type { Command } from '@commander-js/extra-typings';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pc from 'picocolors';
import { parse as parseYaml } from 'yaml';
import '../../../checkers/all.ts';
import { modelImplications } from '../../../checkers/modelHierarchy.ts';
import { findHistoryProblems, pairOperations } from '../../../checkers/history.ts';
import type { Operation, Value } from '../../../checkers/history.ts';
import { checkLinearizable, inferModelSpec } from '../../../checkers/linearizable/index.ts';
import type { ModelSpec } from '../../../checkers/models/model.ts';
import { createModel, listModels } from '../../../checkers/models/registry.ts';
import { getChecker, listCheckers } from '../../../checkers/registry.ts';
import type { CheckResult } from '../../../checkers/result.ts';
import { readAnyHistory } from '../../history/formats/index.ts';
import type { HistoryFormat } from '../../history/formats/index.ts';
import { UserError, exitCodeForChecks } from '../../errors.ts';
import type { RequestExit } from '../exitRequest.ts';
import { runFiles } from '../../../results/runDirectory.ts';

/** Per checker, unless --time-budget says otherwise: a hard history must end in `unknown`, not hang. */
export const defaultTimeBudgetMs = 120_000;

export interface CheckFileOptions {
  /** Overrides the inferred model's name (the inferred options are kept when the name matches). */
  model?: string;
  /** Model options as JSON, merged over the inferred ones. */
  modelOptions?: { [option: string]: Value };
  checker?: string;
  timeBudgetMs?: number;
  memoryBudgetBytes?: number;
  parallel?: boolean;
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
    throw new UserError(
      `could not read the history in ${path}: ${e instanceof Error ? e.message : String(e)}`,
      'Supported: faultline history.jsonl, Jepsen/Knossos EDN, Porcupine etcd and kv logs.',
      'harness',
    );
  }
  const operations = pairOperations(loaded.ops);
  const inferred = inferModel(loaded.format, operations, loaded.path);
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
export async function runChecker(file: CheckedFile, name: string, options: CheckFileOptions): Promise<CheckResult> {
  const budgets: { timeBudgetMs?: number; memoryBudgetBytes?: number; parallel?: boolean } = {};
  if (options.timeBudgetMs !== undefined) budgets.timeBudgetMs = options.timeBudgetMs;
  if (options.memoryBudgetBytes !== undefined) budgets.memoryBudgetBytes = options.memoryBudgetBytes;
  if (options.parallel !== undefined) budgets.parallel = options.parallel;
  if (name === 'linearizable') return checkLinearizable(file.operations, file.model, budgets);
  const checker = getChecker(name);
  if (checker === undefined) {
    throw new UserError(
      `no checker named '${name}'`,
      `Known checkers: ${listCheckers()
        .map((c) => c.name)
        .join(', ')}.`,
      'usage',
    );
  }
  return checker.check(file.operations, { ...budgets, model: file.model } as Parameters<typeof checker.check>[1]);
}

export function exitCodeFor(results: readonly CheckResult[]): number {
  return exitCodeForChecks(results);
}

function verdictWord(r: CheckResult): string {
  return r.valid === true ? pc.green('valid') : r.valid === false ? pc.red('violated') : pc.yellow('unknown');
}

function describeModel(spec: ModelSpec): string {
  const opts =
    spec.options === undefined || Object.keys(spec.options).length === 0 ? '' : ` ${JSON.stringify(spec.options)}`;
  return `${spec.name}${opts}`;
}

function resultText(file: CheckedFile, r: CheckResult): string {
  const lines = [`${pc.bold(r.checker)} (${r.model}): ${verdictWord(r)}`];
  if (r.valid === 'unknown' && r.reason !== undefined) lines.push(`  ${r.reason}`);
  for (const a of r.anomalies.slice(0, 3)) lines.push(`  ${a.type}: ${a.explanation}`);
  if (r.anomalies.length > 3) lines.push(`  ... and ${r.anomalies.length - 3} more anomalies (--json shows all)`);
  const extra = Object.entries(r.stats)
    .filter(([k]) => k !== 'ops' && k !== 'timeMs')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  lines.push(
    pc.dim(
      `  ${file.operations.length} operations, ${r.stats.timeMs.toFixed(0)} ms${extra === '' ? '' : `, ${extra}`}`,
    ),
  );
  return lines.join('\n');
}

function shortLine(r: CheckResult): string {
  const what = r.valid === false ? (r.anomalies[0]?.explanation ?? '') : r.valid === 'unknown' ? (r.reason ?? '') : '';
  const short = what.length > 140 ? `${what.slice(0, 137)}...` : what;
  return `${r.checker.padEnd(22)} ${verdictWord(r)}${short === '' ? '' : `  ${short}`}`;
}

function parsePositive(name: string, scale: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0)
      throw new UserError(`${name} must be a positive number, got '${v}'`, undefined, 'usage');
    return n * scale;
  };
}

export function registerCheck(program: Command, requestExit: RequestExit): void {
  program
    .command('check')
    .description(
      'Check a stored run or a history file (faultline history.jsonl, Jepsen/Knossos EDN, Porcupine logs) for linearizability or with any checker',
    )
    .argument('<path>', 'run directory, history.jsonl, .edn, or Porcupine .log/.txt')
    .option(
      '--model <name>',
      `model for linearizability (inferred from the file by default): ${listModels()
        .map((m) => m.name)
        .join(', ')}`,
    )
    .option('--model-options <json>', 'model options as JSON, e.g. \'{"initial":0}\' or \'{"partitioned":false}\'')
    .option('--checker <name>', 'run this checker instead of linearizable (see `faultline list`)')
    .option('--all', 'run every registered checker, one line each')
    .option(
      '--time-budget <seconds>',
      `give up with verdict unknown after this long (default ${defaultTimeBudgetMs / 1000})`,
      parsePositive('--time-budget', 1000),
    )
    .option(
      '--memory-budget <MiB>',
      'give up with verdict unknown beyond this much search memory',
      parsePositive('--memory-budget', 1024 * 1024),
    )
    .option('--no-parallel', 'check partitions on this thread only')
    .option('--json', 'print the CheckResult(s) as JSON')
    .addHelpText('after', '\nExit codes: 0 valid, 1 a model is violated, 2 a verdict is unknown (a budget ran out).')
    .action(async (path, opts) => {
      const options: CheckFileOptions = { parallel: opts.parallel };
      if (opts.model !== undefined) options.model = opts.model;
      if (opts.checker !== undefined) options.checker = opts.checker;
      options.timeBudgetMs = opts.timeBudget ?? defaultTimeBudgetMs;
      if (opts.memoryBudget !== undefined) options.memoryBudgetBytes = opts.memoryBudget;
      if (opts.modelOptions !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(opts.modelOptions);
        } catch {
          parsed = undefined;
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw new UserError(
            '--model-options must be a JSON object',
            'For example: --model-options \'{"initial":0}\'',
            'usage',
          );
        }
        options.modelOptions = parsed as { [option: string]: Value };
      }
      const file = loadForCheck(path, options);
      if (!opts.json) {
        process.stdout.write(pc.dim(`${file.path}: ${file.format} history, model ${describeModel(file.model)}\n`));
        if (file.tornTail)
          process.stderr.write(pc.yellow('warning: the last line was torn (the run was killed); it was ignored\n'));
        if (file.problems.length > 0) {
          process.stderr.write(
            pc.yellow(`warning: ${file.problems.length} problem(s) in the history, e.g. ${file.problems[0]}\n`),
          );
        }
      }
      const names =
        opts.all === true
          ? listCheckers()
              .filter((c) => c.appliesTo?.(file.operations) ?? true)
              // Formats that record no real time cannot be judged for linearizability.
              .filter((c) => c.name !== 'linearizable' || !formatsWithoutRealTime.has(file.format))
              .map((c) => c.name)
          : [options.checker ?? 'linearizable'];
      const results: CheckResult[] = [];
      for (const name of names) {
        try {
          results.push(await runChecker(file, name, options));
        } catch (e) {
          if (e instanceof UserError || opts.all !== true) throw e;
          // One checker that cannot handle this history must not hide the others' verdicts.
          results.push({
            checker: name,
            model: name,
            valid: 'unknown',
            anomalies: [],
            reason: `the checker failed: ${e instanceof Error ? e.message : String(e)}`,
            stats: { ops: file.operations.length, timeMs: 0 },
          });
        }
      }
      const contradictions = opts.all === true ? applyModelHierarchy(results) : [];
      for (const c of contradictions) process.stderr.write(pc.red(`checker contradiction (a bug): ${c}\n`));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(opts.all === true ? results : results[0], null, 2)}\n`);
      } else if (opts.all === true) {
        for (const r of results) process.stdout.write(`${shortLine(r)}\n`);
      } else {
        for (const r of results) process.stdout.write(`${resultText(file, r)}\n`);
      }
      requestExit({ code: exitCodeFor(results) });
    });
}

const formatsWithoutRealTime = new Set<HistoryFormat>(['dbcop', 'plume-text']);

/**
 * Settles 'unknown' verdicts the model hierarchy decides (a model implied by one that holds holds; one
 * implying a violated model is violated), and returns the pairs where checkers contradict it.
 */
export function applyModelHierarchy(results: CheckResult[]): string[] {
  const byName = new Map(results.map((r) => [r.checker, r]));
  for (let changed = true; changed;) {
    changed = false;
    for (const [strong, weak] of modelImplications) {
      const s = byName.get(strong);
      const w = byName.get(weak);
      if (s === undefined || w === undefined) continue;
      if (s.valid === true && w.valid === 'unknown') {
        w.valid = true;
        w.reason = `implied by ${strong}, which holds (${w.reason ?? 'its own check was undecided'})`;
        changed = true;
      } else if (w.valid === false && s.valid === 'unknown') {
        s.valid = false;
        s.reason = `implied by ${weak}, which is violated (${s.reason ?? 'its own check was undecided'})`;
        changed = true;
      }
    }
  }
  return modelImplications
    .filter(([strong, weak]) => byName.get(strong)?.valid === true && byName.get(weak)?.valid === false)
    .map(([strong, weak]) => `${strong} holds but ${weak} is reported violated`);
}
