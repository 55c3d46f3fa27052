// Exit codes shared by every command: 0 all valid, 1 some invalid, 2 some unknown, 64 usage, 130 interrupted
// (128 + SIGINT, as a shell reports it), 255 the harness failed.
export const ExitCode = {
  valid: 0,
  invalid: 1,
  unknown: 2,
  notBuilt: 3,
  usage: 64,
  interrupted: 130,
  harnessError: 255,
} as const;

/** An error a user can act on: what went wrong, and what to do about it. Printed without a stack trace. */
export class UserError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;
  constructor(message: string, hint?: string, exitCode: number = ExitCode.harnessError) {
    super(message);
    this.name = 'UserError';
    this.hint = hint;
    this.exitCode = exitCode;
  }
}

/** Thrown by commands that exist in the CLI but are not built yet: they say so rather than pretend. */
export function notBuiltYet(command: string, issue: string): never {
  throw new UserError(
    `'faultline ${command}' is not built yet in this version of faultline.`,
    `It is tracked as ${issue}; see the status table in README.md.`,
    ExitCode.notBuilt,
  );
}
