import type { Command } from '@commander-js/extra-typings';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { serveStore } from '../../../results/store/serveStore.ts';
import { UserError } from '../../errors.ts';

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserError(`--port ${text} is not a port number.`, 'Use 0–65535 (0 picks a free port).', 'usage');
  }
  return port;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the run store on loopback (127.0.0.1) to browse the index and the reports.')
    .option('--store <dir>', 'the store directory', 'store')
    .option('--port <n>', 'the port (0 picks a free one)', parsePort, 8080)
    .action(async (options) => {
      const store = resolve(options.store);
      if (!existsSync(store) || !statSync(store).isDirectory()) {
        throw new UserError(
          `There is no store at ${store}.`,
          'Run a campaign first (faultline run CAMPAIGN), or pass --store DIR.',
          'usage',
        );
      }
      let server;
      try {
        server = await serveStore(store, { port: options.port, host: '127.0.0.1' });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') {
          throw new UserError(
            `Port ${options.port} is in use.`,
            'Pass another one with --port N, or --port 0.',
            'usage',
          );
        }
        throw e;
      }
      process.stdout.write(`Serving ${store} at ${server.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((done) => {
        process.once('SIGINT', () => {
          done();
        });
        process.once('SIGTERM', () => {
          done();
        });
      });
      await server.close();
    });
}
