// A plug-in hook run under the campaign's hookTimeout: the run's lifecycle hooks and the client pool's opens
// and closes both use it, so a hook that never settles is named instead of hanging the run.

/** A plug-in hook that did not settle within the campaign's hookTimeout: named, with its node. */
export class HookTimeoutError extends Error {
  constructor(system: string, hook: string, node: string | undefined, timeoutMs: number) {
    super(
      `${system}: ${hook}()${node !== undefined ? ` on ${node}` : ''} did not finish within ${timeoutMs / 1000} s (hookTimeout in the campaign)`,
    );
    this.name = 'HookTimeoutError';
  }
}

/** Settles as `work` does, or rejects with a HookTimeoutError after `timeoutMs`; `work` is left to itself then. */
export function withinHookTimeout<T>(
  work: () => Promise<T>,
  what: { system: string; hook: string; node?: string },
  timeoutMs: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new HookTimeoutError(what.system, what.hook, what.node, timeoutMs));
    }, timeoutMs);
    const settle =
      <A>(f: (a: A) => void) =>
      (a: A): void => {
        clearTimeout(timer);
        f(a);
      };
    try {
      work().then(settle(resolve), settle(reject));
    } catch (e) {
      settle(reject)(e);
    }
  });
}
