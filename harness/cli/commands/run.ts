import type { Command } from '@commander-js/extra-typings';
import { notBuiltYet } from '../errors.ts';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'Run a campaign: bring up nodes, start the system, drive clients under the fault schedule, check and store (not built yet)',
    )
    .argument('<campaign>')
    .action(() => {
      notBuiltYet('run', 'issue 7');
    });
}
