// Errors carry a stable code, and this module alone turns codes and verdicts into exit codes:
// 0 all valid, 1 some model violated, 2 some verdict unknown, 3 command not built yet, 64 usage error (bad
// command line, campaign, system module or history file), 130 interrupted, 255 the harness failed. Any layer may throw a
// UserError; only the CLI's entry point (cli/main.ts) sets the process's exit code.
import { verdictExitCodes } from '../checkers/result.ts';

export const ExitCode = {
  // The verdict codes are the analysis entry's (checkers/analyze.ts), which computes a check's exit code.
  valid: verdictExitCodes.valid,
  invalid: verdictExitCodes.violated,
  unknown: verdictExitCodes.unknown,
  notBuilt: 3,
  usage: 64,
  interrupted: 130,
  harnessError: 255,
} as const;

/** What kind of failure an error is; scripts see it only as the exit code it maps to. */
/**
 * 'bad-input' is a file the user gave that cannot be used (a malformed history): exit 64 like a usage error,
 * but among many histories it is that history's `unknown` line, not the end of the command.
 */
export type ErrorCode = 'usage' | 'bad-input' | 'not-built' | 'interrupted' | 'harness';

const exitCodeOfError: Record<ErrorCode, number> = {
  usage: ExitCode.usage,
  'bad-input': ExitCode.usage,
  'not-built': ExitCode.notBuilt,
  interrupted: ExitCode.interrupted,
  harness: ExitCode.harnessError,
};

/** An error a user can act on: what went wrong, and what to do about it. Printed without a stack trace. */
export class UserError extends Error {
  readonly hint: string | undefined;
  readonly code: ErrorCode;
  constructor(message: string, hint?: string, code: ErrorCode = 'harness') {
    super(message);
    this.name = 'UserError';
    this.hint = hint;
    this.code = code;
  }

  get exitCode(): number {
    return exitCodeOfError[this.code];
  }
}

/** Thrown by commands that exist in the CLI but are not built yet: they say so rather than pretend. */
export function notBuiltYet(command: string, issue: string): never {
  throw new UserError(
    `'faultline ${command}' is not built yet in this version of faultline.`,
    `It is tracked as ${issue}; see the status table in README.md.`,
    'not-built',
  );
}

/** A run that failed is a harness error, one interrupted is 130, whatever its analysis says. */
export function exitCodeForRun(status: 'passed' | 'failed' | 'interrupted', analysisExitCode: number): number {
  if (status === 'interrupted') return ExitCode.interrupted;
  return status !== 'passed' ? ExitCode.harnessError : analysisExitCode;
}

/** Worst first: a harness error, then interrupted, then invalid, then unknown, then valid. */
export function combineExitCodes(codes: readonly number[]): number {
  for (const code of [ExitCode.harnessError, ExitCode.interrupted, ExitCode.invalid, ExitCode.unknown])
    if (codes.includes(code)) return code;
  return ExitCode.valid;
}
