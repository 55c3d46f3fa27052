import type { Command } from '@commander-js/extra-typings';
import { notBuiltYet } from '../errors.ts';

export function registerClean(program: Command): void {
  program
    .command('clean')
    .description('Remove what crashed runs left behind: containers, networks, fault rules (not built yet)')
    .action(() => {
      notBuiltYet('clean', 'issue 5');
    });
}
