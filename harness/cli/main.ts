// CLI wiring only: each command lives in commands/<name>.ts and registers itself on the program. Commands load
// lazily: `faultline check` never loads Docker's or SSH's client libraries, which alone cost more start-up
// time than the whole check of a small history.
import { Command } from '@commander-js/extra-typings';
import { readFileSync } from 'node:fs';
import pc from 'picocolors';
import { ExitCode, UserError } from './errors.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

type Register = (program: Command) => void;

/** Each command's module, by the name it is called with. */
const commandModules: Record<string, () => Promise<Register>> = {
  run: async () => (await import('./commands/run.ts')).registerRun,
  check: async () => (await import('./commands/check.ts')).registerCheck,
  report: async () => (await import('./commands/report.ts')).registerReport,
  serve: async () => (await import('./commands/serve.ts')).registerServe,
  cluster: async () => (await import('./commands/cluster.ts')).registerCluster,
  clean: async () => (await import('./commands/clean.ts')).registerClean,
  doctor: async () => (await import('./commands/doctor.ts')).registerDoctor,
  list: async () => (await import('./commands/list.ts')).registerList,
};

/**
 * The commands `argv` can need: only the one it names, none for a bare --version, and every one otherwise
 * (the help text lists them all, and a mistyped name gets commander's suggestion).
 */
export function commandsFor(argv: readonly string[]): string[] {
  const args = argv.slice(2);
  const first = args[0];
  if (first !== undefined && Object.hasOwn(commandModules, first)) return [first];
  if (args.length === 1 && (first === '--version' || first === '-V')) return [];
  return Object.keys(commandModules);
}

export async function buildProgram(commands: readonly string[] = Object.keys(commandModules)): Promise<Command> {
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
  // Registered in the table's order, so the help lists them as before.
  const registers = await Promise.all(commands.map((name) => commandModules[name]!()));
  for (const register of registers) register(program);
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
  await (await buildProgram(commandsFor(process.argv))).parseAsync(process.argv);
} catch (e) {
  process.exitCode = printError(e);
}
