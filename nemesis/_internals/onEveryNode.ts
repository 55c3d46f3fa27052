import type { Remote } from '../../harness/nodes/remote.ts';

/** Runs `action` on every node at once; waits for all, then throws the first failure (the others are logged in its message). */
export async function onEveryNode(
  remotes: readonly Remote[],
  action: (remote: Remote) => Promise<void>,
): Promise<void> {
  const results = await Promise.allSettled(remotes.map(action));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length === 1) throw failures[0] as Error;
  if (failures.length > 1) throw new AggregateError(failures, failures.map((f) => String(f)).join('\n'));
}
