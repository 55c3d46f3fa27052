import type { Command } from '@commander-js/extra-typings';
import { notBuiltYet } from '../errors.ts';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('Check a history or a stored run against consistency models. (not built yet)')
    .argument('<path>')
    .action(() => {
      notBuiltYet('check', 'issue 3');
    });
}
