import type { Command } from '@commander-js/extra-typings';
import { notBuiltYet } from '../errors.ts';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('List built-in systems, workloads, faults and checkers. (not built yet)')
    .action(() => {
      notBuiltYet('list', 'issue 7');
    });
}
