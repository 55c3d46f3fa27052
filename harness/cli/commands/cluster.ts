import type { Command } from '@commander-js/extra-typings';
import { notBuiltYet } from '../errors.ts';

export function registerCluster(program: Command): void {
  program
    .command('cluster')
    .description('Bring nodes up or down by hand, run commands on them, read their logs. (not built yet)')
    .action(() => {
      notBuiltYet('cluster', 'issue 5');
    });
}
