// Playwright's TaskRunner, adapted: a run is a list of {title, setup?, teardown?} tasks. A task's teardown is
// registered BEFORE its setup runs, so a setup that throws halfway is still undone; teardowns run newest
// first, each with its own time budget (not the run's: an unhealed iptables rule outlives this process), and
// a teardown error is recorded as a soft error without stopping the other teardowns or hiding the cause.

export interface Task<C> {
  title: string;
  setup?(context: C, signal: AbortSignal): Promise<void>;
  teardown?(context: C): Promise<void>;
}

export type RunStatus = 'passed' | 'failed' | 'interrupted';

export interface TaskError {
  task: string;
  phase: 'setup' | 'teardown';
  error: unknown;
}

export interface TaskRunResult {
  status: RunStatus;
  /** The setup error that failed the run, if one did. */
  errors: TaskError[];
  /** Teardown errors: reported, never the run's cause. */
  softErrors: TaskError[];
}

export interface TaskRunnerOptions {
  /** Resolves when the user asks to stop (first Ctrl-C). */
  interrupted?: Promise<void>;
  /**
   * Resolves with an error that must fail the run wherever it came from (an unhandled rejection, a failed
   * history write): the setup under way stops as if it had thrown it.
   */
  failed?: Promise<Error>;
  /** Each teardown's own budget. Default 60 s. */
  teardownTimeoutMs?: number;
  onTaskStart?(title: string, phase: 'setup' | 'teardown'): void;
}

export class TaskRunner<C> {
  private readonly _tasks: Task<C>[] = [];
  private readonly _options: TaskRunnerOptions;

  constructor(options: TaskRunnerOptions = {}) {
    this._options = options;
  }

  addTask(task: Task<C>): this {
    this._tasks.push(task);
    return this;
  }

  async run(context: C): Promise<TaskRunResult> {
    const teardowns: Task<C>[] = [];
    const errors: TaskError[] = [];
    const softErrors: TaskError[] = [];
    const abort = new AbortController();
    let status: RunStatus = 'passed';
    const interrupted = this._options.interrupted?.then(() => 'interrupted' as const);
    void interrupted?.then(() => {
      abort.abort(new Error('interrupted'));
    });
    const failed = this._options.failed?.then((error) => ({ error, external: true as const }));
    const stops = [interrupted, failed].filter((p) => p !== undefined);
    for (const task of this._tasks) {
      if (abort.signal.aborted) break;
      teardowns.unshift(task);
      if (task.setup === undefined) continue;
      this._options.onTaskStart?.(task.title, 'setup');
      const setup = task.setup(context, abort.signal).then(
        () => 'done' as const,
        (error: unknown) => ({ error }),
      );
      const outcome = await (stops.length > 0 ? Promise.race([setup, ...stops]) : setup);
      if (outcome === 'interrupted') {
        status = 'interrupted';
        // Let the setup see the abort and unwind before its teardown runs, but never wait forever.
        await Promise.race([setup, delay(5_000)]);
        break;
      }
      if (outcome !== 'done') {
        errors.push({ task: task.title, phase: 'setup', error: outcome.error });
        status = 'failed';
        abort.abort(new Error(`setup of "${task.title}" failed`));
        if ('external' in outcome) await Promise.race([setup, delay(5_000)]);
        break;
      }
    }
    const budget = this._options.teardownTimeoutMs ?? 60_000;
    for (const task of teardowns) {
      if (task.teardown === undefined) continue;
      this._options.onTaskStart?.(task.title, 'teardown');
      // Not unref'd: a hung teardown must still time out even when nothing else keeps the process alive.
      let timer: NodeJS.Timeout | undefined;
      try {
        const done = task.teardown(context);
        const timedOut = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(new Error(`teardown "${task.title}" did not finish within ${budget} ms`));
          }, budget);
        });
        await Promise.race([done, timedOut]);
      } catch (error) {
        softErrors.push({ task: task.title, phase: 'teardown', error });
      } finally {
        clearTimeout(timer);
      }
    }
    return { status, errors, softErrors };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
