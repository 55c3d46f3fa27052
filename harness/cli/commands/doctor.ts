import type { Command } from '@commander-js/extra-typings';
import { notBuiltYet } from '../errors.ts';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('Report the Docker engine, the node image and the kernel features the nemesis needs. (not built yet)')
    .action(() => {
      notBuiltYet('doctor', 'issue 5');
    });
}
