// `faultline check PATH...`: re-analyse stored runs or external histories (Porcupine logs, Knossos/Jepsen/Elle
// EDN, dbcop, Plume) through the one analysis entry, and exit 0 valid / 1 violated / 2 unknown, the worst over
// every history. A stored run is re-checked with its own checkers and model (from results.json), and says so.
import type { Command } from '@commander-js/extra-typings';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { isatty } from 'node:tty';
import pc from 'picocolors';
import type { Analysis, CheckResult, Verdict } from '../../../checkers/index.ts';
import {
  defaultTimeBudgetMs,
  exitCodeOf,
  getChecker,
  listCheckers,
  whyNotApplicable,
  worstVerdict,
} from '../../../checkers/index.ts';
import type { Value } from '../../../checkers/history.ts';
import type { ModelSpec } from '../../../checkers/models/model.ts';
import { listModels } from '../../../checkers/models/registry.ts';
import { ExitCode, UserError } from '../../errors.ts';
import type { RequestExit } from '../exitRequest.ts';
import { memoryBudgetOption, timeBudgetOption } from './budgetOptions.ts';
import type { CheckedFile, CheckFileOptions } from './checkHistory.ts';
import { analyzeFile, defaultFileCheckers, fileShape, loadForCheck } from './checkHistory.ts';
import { HistoryTooLargeError } from '../../history/formats/index.ts';
import { expandCheckPaths, recordedCheck } from './checkTargets.ts';
import { runFiles } from '../../../results/runDirectory.ts';
import { checkerName, isolationLevelOrError } from '../../../checkers/transactional/index.ts';
import { createCheckProgress, silentCheckProgress } from '../../run/statusLine.ts';

function verdictText(valid: Verdict, width = 0): string {
  const word = (valid === true ? 'valid' : valid === false ? 'violated' : 'unknown').padEnd(width);
  return valid === true ? pc.green(word) : valid === false ? pc.red(word) : pc.yellow(word);
}

function describeModel(spec: ModelSpec): string {
  const opts =
    spec.options === undefined || Object.keys(spec.options).length === 0 ? '' : ` ${JSON.stringify(spec.options)}`;
  return `${spec.name}${opts}`;
}

function resultText(file: CheckedFile, r: CheckResult): string {
  const implied = r.impliedBy === undefined ? '' : pc.dim(` (implied by ${r.impliedBy})`);
  const lines = [`${pc.bold(r.checker)} (${r.model}): ${verdictText(r.valid)}${implied}`];
  if ((r.valid === 'unknown' || r.impliedBy !== undefined) && r.reason !== undefined) lines.push(`  ${r.reason}`);
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

function clip(text: string, max = 140): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** One line per model for --all: the consistency profile, with rows the hierarchy settled marked as such. */
function profileLine(r: CheckResult): string {
  const what =
    r.valid === false ? (r.anomalies[0]?.explanation ?? r.reason ?? '') : r.valid === 'unknown' ? (r.reason ?? '') : '';
  const implied = r.impliedBy === undefined ? '' : pc.dim(`  (implied by ${r.impliedBy})`);
  return `${r.checker.padEnd(22)} ${verdictText(r.valid)}${implied}${what === '' || r.impliedBy !== undefined ? '' : `  ${clip(what)}`}`;
}

/** One line per history when several are checked. */
function historyLine(path: string, analysis: Analysis): string {
  const worst = analysis.results.find((r) => r.valid === false) ?? analysis.results.find((r) => r.valid === 'unknown');
  const why =
    analysis.reason ??
    (worst === undefined
      ? ''
      : `${worst.checker}: ${worst.valid === false ? (worst.anomalies[0]?.explanation ?? worst.reason ?? '') : (worst.reason ?? '')}`);
  const checkers = analysis.results.map((r) => r.checker).join(', ');
  return `${verdictText(analysis.valid, 9)} ${path}  ${pc.dim(checkers)}${why === '' ? '' : `  ${clip(why, 120)}`}`;
}

function parseModelOptions(text: string): { [option: string]: Value } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
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
  return parsed as { [option: string]: Value };
}

/** The JSON verdict of a history too large to read: unknown, with the reason. */
function tooLargeVerdict(e: HistoryTooLargeError): { path: string; valid: 'unknown'; reason: string; results: [] } {
  return { path: e.source, valid: 'unknown', reason: `not checked: ${e.reason}`, results: [] };
}

/** What one history was checked with, and why. */
interface Checked {
  file: CheckedFile;
  analysis: Analysis;
  /** Set when a stored run's own checkers were repeated: where they came from. */
  repeated?: string;
}

/**
 * Checks one history. `strict` (one history): a checker named with --checker that cannot judge the history is
 * a usage error, exit 64, naming those that can; among many histories it is that history's unknown line.
 */
async function checkOne(
  path: string,
  choice: { all: boolean; checker?: string },
  options: CheckFileOptions,
  strict: boolean,
): Promise<Checked> {
  // A stored run is re-checked as it was checked, unless the user chose the checkers.
  const history = runHistoryPath(path);
  const recorded =
    choice.all || choice.checker !== undefined || history === null ? undefined : await recordedCheck(history);
  // The run's own budgets too, each unless the command line gave one; the default only when neither did.
  const fileOptions: CheckFileOptions = {
    ...options,
    timeBudgetMs: options.timeBudgetMs ?? recorded?.budgets?.timeBudgetMs ?? defaultTimeBudgetMs,
  };
  const memoryBudgetBytes = options.memoryBudgetBytes ?? recorded?.budgets?.memoryBudgetBytes;
  if (memoryBudgetBytes !== undefined) fileOptions.memoryBudgetBytes = memoryBudgetBytes;
  if (recorded?.model !== undefined) fileOptions.recordedModel = recorded.model;
  const file = loadForCheck(path, fileOptions);
  const checkers: readonly string[] | 'all' = choice.all
    ? 'all'
    : choice.checker !== undefined
      ? [choice.checker]
      : (recorded?.checkers ?? defaultFileCheckers(file));
  const named = choice.checker === undefined ? undefined : getChecker(choice.checker);
  const why = named === undefined ? null : whyNotApplicable(named, file.operations, fileShape(file));
  if (strict && why !== null) {
    const can = listCheckers().filter((c) => whyNotApplicable(c, file.operations, fileShape(file)) === null);
    throw new UserError(
      `${file.path}: ${why}`,
      can.length === 0
        ? 'No checker of this version of faultline can judge this history.'
        : `Checkers that can: ${can.map((c) => c.name).join(', ')} (or --all).`,
      'usage',
    );
  }
  // A live line on stderr while a check runs past a second, on a terminal only (stdout stays the verdicts).
  // Only a terminal gets a live line; asking process.stderr whether it is one builds the stream, 25 ms of a
  // check's start, so the file descriptor is asked first.
  const progress =
    isatty(2) || process.env['FAULTLINE_PROGRESS'] === 'plain'
      ? createCheckProgress(process.stderr)
      : silentCheckProgress;
  let analysis: Analysis;
  try {
    analysis = await analyzeFile(file, checkers, {
      ...fileOptions,
      onProgress: (p) => {
        progress.onProgress(p);
      },
    });
  } finally {
    progress.end();
  }
  return { file, analysis, ...(recorded !== undefined && { repeated: recorded.source }) };
}

/** The faultline history behind a path (a run directory's history.jsonl), or null for other formats. */
function runHistoryPath(path: string): string | null {
  if (statSync(path).isDirectory()) return join(path, runFiles.history);
  return path.endsWith('.jsonl') ? path : null;
}

function printOne(c: Checked, all: boolean): void {
  const { file, analysis } = c;
  process.stdout.write(pc.dim(`${file.path}: ${file.format} history, model ${describeModel(file.model)}\n`));
  if (c.repeated !== undefined)
    process.stdout.write(
      pc.dim(
        `re-checking with the run's own checkers (${analysis.results.map((r) => r.checker).join(', ') || 'none'}), from ${c.repeated}\n`,
      ),
    );
  if (file.tornTail)
    process.stderr.write(pc.yellow('warning: the last line was torn (the run was killed); it was ignored\n'));
  if (file.problems.length > 0) {
    process.stderr.write(
      pc.yellow(`warning: ${file.problems.length} problem(s) in the history, e.g. ${file.problems[0]}\n`),
    );
  }
  for (const contradiction of analysis.contradictions)
    process.stderr.write(pc.red(`checker contradiction (a bug): ${contradiction}\n`));
  if (analysis.results.length === 0) process.stdout.write(`${verdictText('unknown')}: ${analysis.reason ?? ''}\n`);
  const profile = all || analysis.results.length > 1;
  for (const r of analysis.results) process.stdout.write(`${profile ? profileLine(r) : resultText(file, r)}\n`);
  if (analysis.results.length > 0 && analysis.reason !== undefined && analysis.valid === 'unknown')
    process.stdout.write(`${pc.yellow('unknown')}: ${analysis.reason}\n`);
}

export function registerCheck(program: Command, requestExit: RequestExit): void {
  program
    .command('check')
    .description(
      'Check stored runs or history files (faultline history.jsonl, Jepsen/Knossos/Elle EDN, Porcupine logs, dbcop, Plume): a run with its own checkers, a file for linearizability, or with any checker',
    )
    .argument(
      '<paths...>',
      'run directories, history files (.jsonl, .edn, Porcupine .log/.txt), directories of them, or globs',
    )
    .option(
      '--model <name>',
      `model for linearizability (inferred from the file by default): ${listModels()
        .map((m) => m.name)
        .join(', ')}`,
    )
    .option('--model-options <json>', 'model options as JSON, e.g. \'{"initial":0}\' or \'{"partitioned":false}\'')
    .option('--checker <name>', "run this checker instead of the run's own (or linearizable) (see `faultline list`)")
    .option(
      '--isolation <level>',
      'for transactions: check this isolation level (serializable, snapshot-isolation, read-committed, si, rc, ...)',
    )
    .option('--all', 'the consistency profile: every checker that applies, one line per model')
    .addOption(timeBudgetOption(`overrides a run's recorded budget; default ${defaultTimeBudgetMs / 1000}`))
    .addOption(memoryBudgetOption("overrides a run's recorded budget"))
    .option('--no-parallel', 'check partitions on this thread only')
    .option('--json', 'print the CheckResult(s) as JSON')
    .addHelpText(
      'after',
      '\nExit codes (the worst over all histories): 0 valid, 1 a model is violated, 2 a verdict is unknown (a budget ran out, or nothing could be judged).',
    )
    .action(async (paths, opts) => {
      // Text shows a violation in a line or two: the per-op partial linearizations the report and --json hold
      // would cost a violated key's search a second time.
      const options: CheckFileOptions = { parallel: opts.parallel, detail: opts.json === true ? 'report' : 'summary' };
      if (opts.timeBudget !== undefined) options.timeBudgetMs = opts.timeBudget;
      const workerMinOps = Number(process.env['FAULTLINE_WORKER_MIN_OPS'] ?? NaN);
      if (Number.isInteger(workerMinOps) && workerMinOps > 0) options.workerMinOps = workerMinOps;
      if (opts.model !== undefined) options.model = opts.model;
      if (opts.memoryBudget !== undefined) options.memoryBudgetBytes = opts.memoryBudget;
      if (opts.modelOptions !== undefined) options.modelOptions = parseModelOptions(opts.modelOptions);
      if (opts.isolation !== undefined) {
        if (opts.checker !== undefined)
          throw new UserError('give --checker or --isolation, not both', undefined, 'usage');
        const level = isolationLevelOrError(opts.isolation);
        if (level instanceof Error) throw new UserError(level.message, undefined, 'usage');
        opts.checker = checkerName(level);
      }
      if (opts.checker !== undefined && getChecker(opts.checker) === undefined) {
        throw new UserError(
          `no checker named '${opts.checker}'`,
          `Known checkers: ${listCheckers()
            .map((c) => c.name)
            .join(', ')}.`,
          'usage',
        );
      }
      const all = opts.all === true;
      const choice = { all, ...(opts.checker !== undefined && { checker: opts.checker }) };
      const histories = await expandCheckPaths(paths);
      if (histories.length === 1) {
        let checked: Checked;
        try {
          checked = await checkOne(histories[0]!, choice, options, true);
        } catch (e) {
          if (!(e instanceof HistoryTooLargeError)) throw e;
          // Not checked is never valid, and not a failure of faultline's either: the verdict is unknown.
          if (opts.json) process.stdout.write(`${JSON.stringify(tooLargeVerdict(e), null, 2)}\n`);
          else process.stdout.write(`${verdictText('unknown')}: not checked: ${e.message}\n`);
          requestExit({ code: ExitCode.unknown });
          return;
        }
        if (opts.json) {
          const single = !all && checked.repeated === undefined && checked.analysis.results.length === 1;
          process.stdout.write(
            `${JSON.stringify(single ? checked.analysis.results[0] : checked.analysis.results, null, 2)}\n`,
          );
        } else {
          printOne(checked, all);
        }
        requestExit({ code: checked.analysis.exitCode });
        return;
      }
      const verdicts: Verdict[] = [];
      const json: unknown[] = [];
      for (const path of histories) {
        // One history that cannot be read must not hide the others' verdicts: it counts as unknown.
        let checked: Checked;
        try {
          checked = await checkOne(path, choice, options, false);
        } catch (e) {
          const unreadable = e instanceof HistoryTooLargeError || (e instanceof UserError && e.code !== 'usage');
          if (!unreadable) throw e;
          verdicts.push('unknown');
          if (opts.json) json.push({ path, valid: 'unknown', reason: e.message, results: [] });
          else process.stdout.write(`${verdictText('unknown', 9)} ${path}  ${clip(e.message, 120)}\n`);
          continue;
        }
        verdicts.push(checked.analysis.valid);
        if (opts.json) {
          json.push({
            path: checked.file.path,
            format: checked.file.format,
            model: checked.file.model,
            valid: checked.analysis.valid,
            ...(checked.analysis.reason !== undefined && { reason: checked.analysis.reason }),
            results: checked.analysis.results,
          });
        } else {
          process.stdout.write(`${historyLine(checked.file.path, checked.analysis)}\n`);
        }
      }
      const count = (v: Verdict) => verdicts.filter((x) => x === v).length;
      const worst = worstVerdict(verdicts.map((valid) => ({ valid })));
      if (opts.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      else
        process.stdout.write(
          `${histories.length} histories: ${count(true)} valid, ${count(false)} violated, ${count('unknown')} unknown; overall ${verdictText(worst)}\n`,
        );
      requestExit({ code: exitCodeOf(worst) });
    });
}
