import type { Command } from '@commander-js/extra-typings';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { writeRunReport } from '../../../results/report/writeRunReport.ts';
import { writeStoreIndex } from '../../../results/store/storeIndex.ts';
import { ExitCode, UserError } from '../../errors.ts';
import type { RequestExit } from '../exitRequest.ts';
import { runFiles, storeFiles } from '../../../results/runDirectory.ts';

/** A run lives at <store>/<campaign>/<timestamp>/; its store is two levels up when that looks like one. */
function storeOf(runDir: string): string | null {
  const store = dirname(dirname(runDir));
  return basename(store) === 'store' || existsSync(resolve(store, storeFiles.index)) ? store : null;
}

/** Removes report.html.<pid>.<time>.tmp files whose writer `stale` says is gone (a SIGKILLed `report`). */
export function removeReportTemporaries(runDir: string, stale: (pid: number) => boolean): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(runDir)) {
    const m = /^report\.html\.(\d+)\.\d+\.tmp$/.exec(name);
    if (m === null || !stale(Number(m[1]))) continue;
    rmSync(resolve(runDir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function registerReport(program: Command, requestExit: RequestExit): void {
  program
    .command('report')
    .description("Regenerate the HTML report of a stored run, and the index of the run's store.")
    .argument('<run-dir>', 'a run directory: store/<campaign>/<timestamp>/')
    .option('--store <dir>', 'the store whose index.html to regenerate (default: two levels above the run)')
    .option('--no-index', 'do not regenerate the store index')
    .action(async (runDirArg, options) => {
      const runDir = resolve(runDirArg);
      if (!existsSync(runDir) || !statSync(runDir).isDirectory()) {
        throw new UserError(
          `${runDirArg} is not a directory.`,
          'Pass a run directory such as store/<campaign>/<timestamp>/.',
          'usage',
        );
      }
      if (!existsSync(resolve(runDir, runFiles.history)) && !existsSync(resolve(runDir, runFiles.results))) {
        throw new UserError(
          `${runDirArg} has neither history.jsonl nor results.json, so it is not a run directory.`,
          'Pass a run directory such as store/<campaign>/<timestamp>/.',
          'usage',
        );
      }
      removeReportTemporaries(runDir, (pid) => pid !== process.pid && !processAlive(pid));
      // A signal ends the command without a half-written report.html.<pid>.<time>.tmp (the write and its
      // rename are synchronous, so the handler runs before or after them, never in between).
      const onSignal = (): void => {
        removeReportTemporaries(runDir, (pid) => pid === process.pid);
        requestExit({ code: ExitCode.interrupted, now: true });
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      let report: string;
      try {
        report = await writeRunReport(runDir);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      process.stdout.write(`report: ${report}\n`);
      const store = options.store === undefined ? storeOf(runDir) : resolve(options.store);
      if (options.index && store !== null) process.stdout.write(`index:  ${await writeStoreIndex(store)}\n`);
    });
}
