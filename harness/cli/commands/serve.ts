import type { Command } from '@commander-js/extra-typings';
import { notBuiltYet } from '../errors.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the run store on loopback to browse reports. (not built yet)')
    .action(() => {
      notBuiltYet('serve', 'issue 9');
    });
}
