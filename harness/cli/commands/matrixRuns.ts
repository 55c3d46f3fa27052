// The loop of `faultline matrix`: each campaign N times, one run after another, through the same runCampaign
// `faultline run` uses (its teardown on Ctrl-C included), recording each run and rewriting the matrix
// (matrix.json and its page) after every one, so an interrupted matrix keeps its finished runs.
import { relative, resolve, sep } from 'node:path';
import type { Verdict } from '../../../checkers/result.ts';
import { matrixFiles } from '../../../results/matrix/matrixPage.ts';
import { createMatrixDir, writeMatrix, type MatrixRecord } from '../../../results/matrix/matrixStore.ts';
import {
  matrixOutcome,
  summarizeMatrix,
  type MatrixCampaign,
  type MatrixRun,
} from '../../../results/matrix/matrixSummary.ts';
import { runLine } from '../../../results/matrix/matrixTable.ts';
import { runDirName, runIdOf } from '../../../results/runDirectory.ts';
import { campaignCheckerNames } from '../../campaign/checkerNames.ts';
import type { LoadedCampaign } from '../../campaign/loadCampaign.ts';
import { ExitCode, combineExitCodes, exitCodeForRun } from '../../errors.ts';
import { runCampaign, type RunOutcome } from '../../run/runCampaign.ts';
import type { RunReporter } from '../../run/statusLine.ts';
import type { CheckBudgets } from '../../run/runChecks.ts';

export interface MatrixOptions {
  storeDir: string;
  runs: number;
  /** Seed of run i (0-based) of every campaign; overrides a campaign's own seed. */
  seeds?: readonly number[];
  requireCatch: boolean;
  report: boolean;
  /** Check budgets from the command line, as `faultline run --time-budget/--memory-budget`. */
  checkBudgets?: CheckBudgets;
  command: string;
  /** Resolves on the first Ctrl-C or SIGTERM: the run in progress tears down, no other starts. */
  interrupted: Promise<void>;
  /** A fresh reporter for each run (its live status line ends with the run). */
  reporter: () => RunReporter;
  /** Progress and summary lines of the matrix itself. */
  say: (line: string) => void;
  onStart?: (run: { runDir: string; runId: string; backend: string }) => void;
  /** Given, once the matrix's folder exists, what writes the matrix so far as interrupted (for a forced exit). */
  onMatrixDir?: (dir: string, writeInterrupted: () => void) => void;
}

export interface MatrixResult {
  record: MatrixRecord;
  dir: string;
  page: string;
  exitCode: number;
}

function matrixCampaign(loaded: LoadedCampaign, runs: number): MatrixCampaign {
  const { campaign } = loaded;
  return {
    name: campaign.name,
    file: loaded.file,
    checkers: campaignCheckerNames(campaign),
    ...(campaign.expect !== undefined && { expect: campaign.expect }),
    runsPlanned: runs,
    ...(campaign.seed !== undefined && { fixedSeed: campaign.seed }),
  };
}

function matrixRun(
  outcome: RunOutcome,
  storeDir: string,
  index: number,
  wallMs: number,
  hasReport: boolean,
): MatrixRun {
  const r = outcome.results;
  const runDir = relative(storeDir, outcome.runDir).split(sep).join('/');
  return {
    campaign: r.campaign,
    index,
    seed: r.seed,
    runDir,
    runId: runIdOf(outcome.runDir),
    status: outcome.status,
    exitCode: outcome.exitCode,
    durationMs: r.durationMs,
    wallMs,
    opCounts: r.opCounts,
    faults: r.faults.applied,
    checks: r.checks.map((c) => ({
      checker: c.checker,
      model: c.model,
      valid: c.valid satisfies Verdict,
      anomalyTypes: c.anomalies.map((a) => a.type),
      ...(c.reason !== undefined && { reason: c.reason }),
    })),
    hasReport,
  };
}

/** The matrix's exit code: harness failures and interrupts first, then what the expectations show. */
export function matrixExitCode(record: Pick<MatrixRecord, 'runs' | 'summary'>, interrupted: boolean): number {
  const codes = record.runs.map((r) =>
    exitCodeForRun(
      r.status === 'passed' ? 'passed' : r.status === 'interrupted' ? 'interrupted' : 'failed',
      ExitCode.valid,
    ),
  );
  if (interrupted) codes.push(ExitCode.interrupted);
  const outcome = matrixOutcome(record.summary);
  codes.push(
    outcome === 'contradicted' ? ExitCode.invalid : outcome === 'not-shown' ? ExitCode.unknown : ExitCode.valid,
  );
  return combineExitCodes(codes);
}

export async function runMatrix(loaded: readonly LoadedCampaign[], options: MatrixOptions): Promise<MatrixResult> {
  const storeDir = resolve(options.storeDir);
  const startedAt = new Date();
  const dir = createMatrixDir(storeDir, runDirName(startedAt));
  const campaigns = loaded.map((l) => matrixCampaign(l, options.runs));
  const runs: MatrixRun[] = [];
  let interrupted = false;
  void options.interrupted.then(() => (interrupted = true));
  const record = (state: MatrixRecord['state']): MatrixRecord => {
    const summary = summarizeMatrix(campaigns, runs, { requireCatch: options.requireCatch });
    const base = {
      startedAt: startedAt.toISOString(),
      command: options.command,
      state,
      requireCatch: options.requireCatch,
      campaigns,
      runs,
      summary,
    };
    return state === 'running' ? base : { ...base, exitCode: matrixExitCode(base, interrupted) };
  };
  writeMatrix(dir, record('running'));
  options.onMatrixDir?.(dir, () => {
    interrupted = true;
    writeMatrix(dir, record('interrupted'));
  });
  options.say(`${dir} (${matrixFiles.page}, ${matrixFiles.data}): ${loaded.length} campaigns × ${options.runs} runs`);
  for (const l of loaded) {
    if (options.seeds !== undefined) continue;
    if (l.campaign.seed !== undefined && options.runs > 1)
      options.say(
        `${l.campaign.name}: the campaign fixes seed ${l.campaign.seed}, so its ${options.runs} runs repeat one schedule (timing still varies)`,
      );
  }
  const total = loaded.length * options.runs;
  let done = 0;
  outer: for (const l of loaded) {
    for (let i = 1; i <= options.runs; i++) {
      if (interrupted) break outer;
      done++;
      const seed = options.seeds?.[i - 1];
      const seedText =
        seed !== undefined
          ? `seed ${seed} (--seeds)`
          : l.campaign.seed !== undefined
            ? `seed ${l.campaign.seed} (the campaign's)`
            : 'a random seed';
      options.say(`[${done}/${total}] ${l.campaign.name} run ${i} of ${options.runs}, ${seedText}`);
      const started = Date.now();
      let outcome: RunOutcome;
      try {
        outcome = await runCampaign({
          loaded: l,
          storeDir,
          ...(seed !== undefined && { seed }),
          reporter: options.reporter(),
          interrupted: options.interrupted,
          ...(options.checkBudgets !== undefined && { checkBudgets: options.checkBudgets }),
          ...(options.onStart !== undefined && { onStart: options.onStart }),
        });
      } catch (e) {
        // A run that could not start (its system module, say): the matrix so far is kept, marked failed.
        writeMatrix(dir, record('failed'));
        throw e;
      }
      let hasReport = false;
      if (options.report) {
        try {
          const { writeRunReport } = await import('../../../results/report/writeRunReport.ts');
          await writeRunReport(outcome.runDir);
          hasReport = true;
        } catch (e) {
          options.say(
            `the report of ${outcome.runDir} could not be written: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
      }
      const run = matrixRun(outcome, storeDir, i, Date.now() - started, hasReport);
      runs.push(run);
      options.say(`[${done}/${total}] ${runLine(run)}`);
      writeMatrix(dir, record('running'));
      await writeIndex(storeDir, options);
      if (outcome.status === 'interrupted') interrupted = true;
    }
  }
  const final = record(interrupted ? 'interrupted' : 'finished');
  const page = writeMatrix(dir, final);
  await writeIndex(storeDir, options);
  return { record: final, dir, page, exitCode: final.exitCode ?? ExitCode.harnessError };
}

async function writeIndex(storeDir: string, options: MatrixOptions): Promise<void> {
  if (!options.report) return;
  try {
    const { writeStoreIndex } = await import('../../../results/store/storeIndex.ts');
    await writeStoreIndex(storeDir);
  } catch (e) {
    options.say(`the store index could not be written: ${e instanceof Error ? e.message : String(e)}`);
  }
}
