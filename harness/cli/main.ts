// CLI wiring only: each command lives in commands/<name>.ts and registers itself on the program.
import { Command } from '@commander-js/extra-typings';
import { readFileSync } from 'node:fs';
import pc from 'picocolors';
import { ExitCode, UserError } from './errors.ts';
import { registerCheck } from './commands/check.ts';
import { registerClean } from './commands/clean.ts';
import { registerCluster } from './commands/cluster.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerList } from './commands/list.ts';
import { registerReport } from './commands/report.ts';
import { registerRun } from './commands/run.ts';
import { registerServe } from './commands/serve.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command()
    .name('faultline')
    .description(
      'Chaos and consistency testing for distributed systems: bring up nodes, inject faults, record a history, ' +
        'check it against linearizability, sequential, causal and session guarantees, and report.',
    )
    .version(pkg.version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nExit codes: 0 all valid, 1 some model violated, 2 some verdict unknown, 3 command not built yet, 255 harness error.',
    );
  registerRun(program);
  registerCheck(program);
  registerReport(program);
  registerServe(program);
  registerCluster(program);
  registerClean(program);
  registerDoctor(program);
  registerList(program);
  return program;
}

function printError(e: unknown): number {
  if (e instanceof UserError) {
    process.stderr.write(`${pc.red('error:')} ${e.message}\n`);
    if (e.hint !== undefined) process.stderr.write(`${e.hint}\n`);
    return e.exitCode;
  }
  process.stderr.write(`${pc.red('faultline failed:')} ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return ExitCode.harnessError;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (e) {
  process.exitCode = printError(e);
}
