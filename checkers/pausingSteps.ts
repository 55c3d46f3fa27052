// Long checks (sequential consistency, transactional isolation) are written as generators that yield their
// progress every so often; these run one to its end on this thread, or pausing at each yield so the event loop
// runs (a progress line repaints, a Ctrl-C is heard) while it reports what it has decided so far.

/** Runs the steps to their end without pausing (tests, benchmarks, the synchronous checks). */
export function runToEnd<Progress, Result>(steps: Generator<Progress, Result, undefined>): Result {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/** Runs the steps, giving each progress to `onProgress`, then letting the event loop run; stops when aborted. */
export async function runPausing<Progress, Result>(
  steps: Generator<Progress, Result, undefined>,
  options: { onProgress?: ((progress: Progress) => void) | undefined; signal?: AbortSignal | undefined },
  stopped: string,
): Promise<Result> {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    options.onProgress?.(step.value);
    await new Promise((resolve) => setImmediate(resolve));
    if (options.signal?.aborted === true) throw new Error(`interrupted: ${stopped}`);
  }
}
