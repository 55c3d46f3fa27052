// The CLI's entry point and wiring: each command lives in commands/<name>.ts and registers itself on the
// program. This is the one place that sets the process's exit code or calls process.exit (harness/errors.ts
// maps errors and verdicts to codes; commands ask through RequestExit). Commands load lazily: `faultline check`
// never loads Docker's or SSH's client libraries, which alone cost more start-up time than the whole check of a
// small history.
import { Command, CommanderError } from '@commander-js/extra-typings';
import { readFileSync } from 'node:fs';
import pc from 'picocolors';
import { ExitCode, UserError } from '../errors.ts';
import type { ExitRequest, RequestExit } from './exitRequest.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

type Register = (program: Command, requestExit: RequestExit) => void;

/** Each command's module, by the name it is called with. */
const commandModules: Record<string, () => Promise<Register>> = {
  run: async () => (await import('./commands/run.ts')).registerRun,
  matrix: async () => (await import('./commands/matrix.ts')).registerMatrix,
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

export async function buildProgram(
  requestExit: RequestExit,
  commands: readonly string[] = Object.keys(commandModules),
): Promise<Command> {
  const program = new Command()
    .name('faultline')
    .description(
      'Chaos and consistency testing for distributed systems: bring up nodes, inject faults, record a history, ' +
        'check it against linearizability, sequential, causal and session guarantees, and report.',
    )
    .version(pkg.version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    // Commander prints its own message, then throws here instead of exiting 1 (which means "violated").
    .exitOverride()
    .addHelpText(
      'after',
      '\nExit codes: 0 all valid, 1 some model violated, 2 some verdict unknown, 3 command not built yet, 64 usage error, 255 harness error.',
    );
  // Registered in the table's order, so the help lists them as before.
  const registers = await Promise.all(commands.map((name) => commandModules[name]!()));
  for (const register of registers) register(program, requestExit);
  return program;
}

/** Commander's own ends: help and version asked for are success, every other one is a command-line mistake. */
function commanderExitCode(e: CommanderError): number {
  if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return ExitCode.valid;
  // `faultline` alone prints the help to stderr as an error (exitCode 1): a usage error too.
  if (e.code === 'commander.help' && e.exitCode === 0) return ExitCode.valid;
  return ExitCode.usage;
}

function printError(e: unknown): number {
  if (e instanceof CommanderError) return commanderExitCode(e);
  if (e instanceof UserError) {
    process.stderr.write(`${pc.red('error:')} ${e.message}\n`);
    if (e.hint !== undefined) process.stderr.write(`${e.hint}\n`);
    return e.exitCode;
  }
  process.stderr.write(`${pc.red('faultline failed:')} ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return ExitCode.harnessError;
}

let request: ExitRequest = { code: ExitCode.valid };
try {
  const program = await buildProgram((r) => {
    request = r;
    if (r.now === true) process.exit(r.code);
  }, commandsFor(process.argv));
  await program.parseAsync(process.argv);
} catch (e) {
  request = { code: printError(e) };
}
process.exitCode = request.code;
const { exitAfterMs } = request;
if (exitAfterMs !== undefined) {
  // Unref'd, so it only fires when something else still holds the event loop; say what, for plugin authors.
  setTimeout(() => {
    const open = process.getActiveResourcesInfo().filter((r) => r !== 'Timeout');
    process.stderr.write(
      `faultline: done, but ${open.join(', ') || 'a handle'} still open after ${exitAfterMs / 1000} s (a plugin's client not closed?); exiting\n`,
    );
    process.exit();
  }, exitAfterMs).unref();
}
