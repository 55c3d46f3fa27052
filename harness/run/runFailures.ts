// Failures that reach no await of the run: a plug-in's unhandled rejection or a throw in its timer callback,
// and a history write that failed (a full disk). Left alone, Node ends the process with exit 1, which means
// "violated", with no teardown and no results.json. Here each one fails the run instead: the task runner stops
// the setups, teardown heals and removes everything, what was recorded is checked, and the run exits 255.

export class RunFailures {
  /** Resolves with the first failure. */
  readonly first: Promise<Error>;
  private readonly _all: Error[] = [];
  private readonly _resolve: (error: Error) => void;

  constructor() {
    let resolve!: (error: Error) => void;
    this.first = new Promise<Error>((r) => (resolve = r));
    this._resolve = resolve;
  }

  get all(): readonly Error[] {
    return this._all;
  }

  report(error: Error): void {
    this._all.push(error);
    if (this._all.length === 1) this._resolve(error);
  }

  /**
   * Turns unhandled rejections and uncaught exceptions into failures of this run, until the returned
   * function is called. The message says where it was thrown (the first stack frame), for the plug-in's author.
   */
  watchProcess(): () => void {
    const onRejection = (reason: unknown): void => {
      this.report(
        new Error(`an unhandled promise rejection (a promise nobody awaited, in a plug-in?): ${describe(reason)}`),
      );
    };
    const onException = (error: unknown): void => {
      this.report(new Error(`an uncaught exception (thrown in a callback, in a plug-in?): ${describe(error)}`));
    };
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    return () => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    };
  }
}

/** The error's message and the first stack frame: where it was thrown. */
export function describe(error: unknown): string {
  if (!(error instanceof Error)) {
    try {
      return String(error);
    } catch {
      return 'a value that cannot be printed';
    }
  }
  const frame = (error.stack ?? '').split('\n').find((l) => /^\s+at /.test(l));
  return `${error.message}${frame !== undefined ? ` (${frame.trim()})` : ''}`;
}
