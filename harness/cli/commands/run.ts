// `faultline run CAMPAIGN`: validate the campaign, run it (repetitions times), write the report, and exit
// 0 all valid · 1 some invalid · 2 some unknown · 64 a bad campaign · 130 interrupted · 255 the harness failed.
import type { Command } from '@commander-js/extra-typings';
import { resolve } from 'node:path';
import pc from 'picocolors';
import { claimVerdict } from '../../../checkers/modelHierarchy.ts';
import { CampaignError, loadCampaign } from '../../campaign/loadCampaign.ts';
import { runCampaign, type RunOutcome } from '../../run/runCampaign.ts';
import { SigIntWatcher } from '../../run/sigIntWatcher.ts';
import { createCheckProgress, createReporter, type RunReporter } from '../../run/statusLine.ts';
import { ExitCode, UserError, combineExitCodes } from '../../errors.ts';
import type { RequestExit } from '../exitRequest.ts';
import { checkBudgetsFrom, memoryBudgetOption, progressOption, timeBudgetOption } from './budgetOptions.ts';

function parseSeed(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 31)
    throw new UserError(`--seed must be an integer 0..2147483647, not ${text}`, undefined, 'usage');
  return n;
}

function summarize(outcome: RunOutcome, campaignFile: string, reporter: RunReporter): void {
  const { results, runDir } = outcome;
  const { ok, fail, info } = results.opCounts;
  reporter.line(
    `${pc.bold(results.campaign)}: ${ok + fail + info} ops (ok ${ok}, fail ${fail}, info ${info}) in ${(results.durationMs / 1000).toFixed(1)} s`,
  );
  const wrong = results.wrongShape;
  if (wrong !== undefined && wrong.count > 0)
    reporter.line(
      pc.yellow(
        `${wrong.count} ${wrong.count === 1 ? 'completion' : 'completions'} of the wrong shape recorded as info${wrong.first !== undefined ? `: first: ${wrong.first}` : ''} (docs/workloads.md says what each workload's completions must be)`,
      ),
    );
  if (results.faults.applied.length > 0) reporter.line(`faults applied: ${results.faults.applied.join(', ')}`);
  for (const u of results.faults.unavailable) reporter.line(pc.yellow(`fault unavailable: ${u.fault}: ${u.reason}`));
  for (const check of results.checks) {
    const verdict =
      check.valid === true ? pc.green('valid') : check.valid === false ? pc.red('INVALID') : pc.yellow('unknown');
    const why = check.valid === 'unknown' && check.reason !== undefined ? ` (${check.reason})` : '';
    const claim = claimVerdict(check.checker, check.valid, results.guarantees);
    const claimNote =
      claim === 'claim broken'
        ? pc.red(` (${results.system} claims this model: a bug in the system, or in the checker)`)
        : claim === 'unclaimed' && check.valid === false
          ? ` (not claimed by ${results.system})`
          : '';
    reporter.line(`  ${check.checker.padEnd(16)} ${verdict}${why}${claimNote}`);
    for (const a of check.anomalies.slice(0, 3)) reporter.line(`    ${a.type}: ${a.explanation}`);
  }
  if (results.verdict?.reason !== undefined) reporter.line(pc.yellow(`  unknown: ${results.verdict.reason}`));
  else if (results.checks.length === 0) reporter.line(pc.yellow('  no checker ran: nothing was verified'));
  reporter.line(`run directory: ${runDir}`);
  if (results.checks.some((c) => c.valid !== true) || results.verdict?.valid === 'unknown') {
    // A failure is a recipe (fast-check's RunDetailsFormatter): how to look again, how to run it again.
    reporter.line(`re-check:  faultline check ${runDir}`);
    reporter.line(`reproduce: faultline run ${campaignFile} --seed ${results.seed}`);
  }
}

/** What a second Ctrl-C leaves (teardown cut short) and the commands that remove it. */
export function forcedExitNotice(run: { runDir: string; runId: string; backend: string } | undefined): string {
  if (run === undefined) return 'faultline: stopped before any run started: nothing was left behind.';
  const what =
    run.backend === 'ssh'
      ? 'faults may be left on the ssh hosts'
      : run.backend === 'local'
        ? "system processes (some perhaps stopped) and the nodes' temporary folder may be left"
        : 'containers and the network of the run may be left, with faults on them';
  return [
    `faultline: stopped before teardown finished (second Ctrl-C): ${what}.`,
    `  heal and keep the nodes: faultline clean --heal --run ${run.runDir}`,
    ...(run.backend !== 'ssh' ? [`  remove them:            faultline clean --run ${run.runId}`] : []),
    `  the run so far:          ${run.runDir}`,
  ].join('\n');
}

export function registerRun(program: Command, requestExit: RequestExit): void {
  program
    .command('run')
    .description(
      'Run a campaign: bring up nodes, start the system, drive clients under the fault schedule, check and store',
    )
    .argument('<campaign>', 'the campaign file (YAML); see docs/campaigns.md')
    .option('--store <dir>', 'where runs are stored', 'store')
    .option('--seed <n>', 'seed for the workload and fault schedule (overrides the campaign)', parseSeed)
    .option('--keep-nodes', 'leave the nodes and the system running after the run (remove them with `faultline clean`)')
    .option('--repetitions <n>', 'run the campaign this many times (overrides the campaign)', (v) => Number(v))
    .addOption(progressOption())
    .addOption(timeBudgetOption("overrides the campaign's checking.timeBudget; default 120"))
    .addOption(memoryBudgetOption("overrides the campaign's checking.memoryBudget"))
    .option('--no-report', 'do not write report.html')
    .action(async (campaignFile, opts) => {
      let loaded;
      try {
        loaded = loadCampaign(campaignFile);
      } catch (e) {
        if (e instanceof CampaignError) {
          throw new UserError(
            `${campaignFile} is not a valid campaign:\n${e.message}`,
            'see docs/campaigns.md',
            'usage',
          );
        }
        throw e;
      }
      const repetitions = opts.repetitions ?? loaded.campaign.repetitions;
      const codes: number[] = [];
      for (let i = 0; i < repetitions; i++) {
        const reporter = createReporter(
          process.stdout,
          opts.progress === 'auto' ? {} : { live: opts.progress === 'live' },
        );
        let started: { runDir: string; runId: string; backend: string } | undefined;
        const watcher = new SigIntWatcher({
          onForcedExit: () => {
            process.stderr.write(`\n${forcedExitNotice(started)}\n`);
            requestExit({ code: ExitCode.interrupted, now: true });
          },
        });
        const checkProgress = createCheckProgress(
          process.stderr,
          opts.progress === 'auto' ? {} : { live: opts.progress === 'live' && process.stderr.isTTY },
        );
        let outcome: RunOutcome;
        try {
          outcome = await runCampaign({
            loaded,
            storeDir: resolve(opts.store),
            ...(opts.seed !== undefined && { seed: opts.seed }),
            keepNodes: opts.keepNodes === true,
            reporter,
            interrupted: watcher.promise,
            onStart: (run) => (started = run),
            checkBudgets: checkBudgetsFrom(opts),
            onCheckProgress: (progress) => {
              checkProgress.onProgress(progress);
            },
          });
        } finally {
          checkProgress.end();
          watcher.disarm();
        }
        if (opts.report) {
          try {
            const { writeRunReport } = await import('../../../results/report/writeRunReport.ts');
            reporter.line(`report: ${await writeRunReport(outcome.runDir)}`);
            const { writeStoreIndex } = await import('../../../results/store/storeIndex.ts');
            await writeStoreIndex(resolve(opts.store));
          } catch (e) {
            reporter.line(pc.yellow(`the report could not be written: ${e instanceof Error ? e.message : String(e)}`));
          }
        }
        summarize(outcome, campaignFile, reporter);
        codes.push(outcome.exitCode);
        if (outcome.status === 'interrupted') break;
      }
      // Bounded exit: a plugin's stray socket or timer must not keep the CLI alive after the run is stored.
      requestExit({ code: combineExitCodes(codes), exitAfterMs: 3000 });
    });
}
