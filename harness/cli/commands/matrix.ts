// `faultline matrix FILES... [--runs N] [--seeds a,b,...] [--require-catch]`: runs campaigns one after another,
// N runs each, and judges each campaign's verdicts against its `expect:`: prints the matrix, writes
// store/_matrix/<timestamp>/{index.html,matrix.json}. Exit 0 every claim held in every run (and, with
// --require-catch, every weakness caught at least once) · 1 a verdict contradicts an expectation · 2 an
// expectation not shown (unknown, no verdict, too few ok ops) · 64 a bad campaign or expectation · 130
// interrupted (the finished runs and the partial matrix are kept) · 255 a run's harness failed.
import type { Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { matrixTable } from '../../../results/matrix/matrixTable.ts';
import { SigIntWatcher } from '../../run/sigIntWatcher.ts';
import { createReporter } from '../../run/statusLine.ts';
import { ExitCode, UserError } from '../../errors.ts';
import type { RequestExit } from '../exitRequest.ts';
import { loadMatrixCampaigns } from './matrixCampaigns.ts';
import { runMatrix } from './matrixRuns.ts';
import { forcedExitNotice } from './run.ts';
import { checkBudgetsFrom, memoryBudgetOption, progressOption, timeBudgetOption } from './budgetOptions.ts';

function parseRuns(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new UserError(`--runs must be an integer 1..1000, not '${text}'`, undefined, 'usage');
  return n;
}

function parseSeeds(text: string): number[] {
  const seeds = text.split(',').map((s) => s.trim());
  return seeds.map((s) => {
    const n = Number(s);
    if (s === '' || !Number.isInteger(n) || n < 0 || n >= 2 ** 31)
      throw new UserError(
        `--seeds must be integers 0..2147483647 separated by commas, not '${text}'`,
        undefined,
        'usage',
      );
    return n;
  });
}

export function registerMatrix(program: Command, requestExit: RequestExit): void {
  program
    .command('matrix')
    .description(
      "Run campaigns one after another, N runs each, and judge their verdicts against each campaign's expect: (the verdict matrix)",
    )
    .argument('<campaigns...>', 'campaign files (YAML); see docs/verdict-matrix.md')
    .option('--runs <n>', 'runs of each campaign', parseRuns, 1)
    .option('--store <dir>', 'where runs and the matrix are stored', 'store')
    .option(
      '--seeds <list>',
      "seeds of run 1, 2, ... of every campaign, comma-separated (overrides a campaign's seed); default: a random seed each run unless the campaign fixes one",
      parseSeeds,
    )
    .option('--require-catch', 'fail unless every expected violation (expect.violates) is caught in at least one run')
    .addOption(progressOption())
    .addOption(timeBudgetOption("overrides each campaign's checking.timeBudget"))
    .addOption(memoryBudgetOption("overrides each campaign's checking.memoryBudget"))
    .option('--no-report', "do not write each run's report.html and the store index")
    .action(async (files, opts) => {
      if (opts.seeds !== undefined && opts.seeds.length < opts.runs)
        throw new UserError(
          `--seeds gives ${opts.seeds.length} seeds for --runs ${opts.runs}: give one seed per run`,
          undefined,
          'usage',
        );
      const loaded = loadMatrixCampaigns(files);
      let started: { runDir: string; runId: string; backend: string } | undefined;
      let writeInterrupted: (() => void) | undefined;
      // One watcher for the whole matrix: the first signal stops the run in progress (teardown as in
      // `faultline run`) and starts no other; a second one ends the process at once, saying what is left.
      const watcher = new SigIntWatcher({
        onForcedExit: () => {
          process.stderr.write(`\n${forcedExitNotice(started)}\n`);
          // The finished runs stay in the matrix; the run cut short is not in it.
          writeInterrupted?.();
          requestExit({ code: ExitCode.interrupted, now: true });
        },
      });
      const live = opts.progress === 'auto' ? {} : { live: opts.progress === 'live' };
      let result;
      try {
        result = await runMatrix(loaded, {
          storeDir: opts.store,
          runs: opts.runs,
          ...(opts.seeds !== undefined && { seeds: opts.seeds }),
          requireCatch: opts.requireCatch === true,
          checkBudgets: checkBudgetsFrom(opts),
          report: opts.report,
          command: `faultline ${process.argv.slice(2).join(' ')}`,
          interrupted: watcher.promise,
          reporter: () => createReporter(process.stdout, live),
          say: (line) => process.stdout.write(`${pc.bold('matrix')} ${line}\n`),
          onStart: (run) => (started = run),
          onMatrixDir: (_dir, write) => (writeInterrupted = write),
        });
      } finally {
        watcher.disarm();
      }
      process.stdout.write(`\n${matrixTable(result.record.summary)}`);
      process.stdout.write(`matrix page: ${result.page}\n`);
      if (result.record.state === 'interrupted')
        process.stdout.write(pc.yellow('interrupted: the finished runs and the matrix so far are kept\n'));
      requestExit({ code: result.exitCode, exitAfterMs: 3000 });
    });
}
