import type { Command } from '@commander-js/extra-typings';
import { notBuiltYet } from '../errors.ts';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('Regenerate the HTML report of a stored run (and the store index). (not built yet)')
    .argument('<run-dir>')
    .action(() => {
      notBuiltYet('report', 'issue 9');
    });
}
