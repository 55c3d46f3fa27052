// Running a system's lifecycle hooks across the nodes: in parallel, every failure named by its node.
import type { NodeContext, SystemDefinition } from '../plugin.ts';
import type { Remote } from '../nodes/remote.ts';

/** Runs `action` on every node at once; throws one error naming each node that failed. */
export async function onEveryNode(nodes: readonly Remote[], action: (node: Remote) => Promise<void>): Promise<void> {
  const outcomes = await Promise.allSettled(nodes.map((n) => action(n)));
  const failures = outcomes.flatMap((o, i) =>
    o.status === 'rejected'
      ? [`${nodes[i]!.name}: ${o.reason instanceof Error ? o.reason.message : String(o.reason)}`]
      : [],
  );
  if (failures.length > 0) throw new Error(failures.join('\n'));
}

/** Polls `ready` on every node until all answer true; throws naming the nodes that never did. */
export async function waitReady(
  system: SystemDefinition,
  nodes: readonly Remote[],
  context: (node: Remote) => NodeContext,
  timeoutMs: number,
): Promise<void> {
  if (system.ready === undefined) return;
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(nodes);
  let lastError = '';
  while (pending.size > 0) {
    for (const node of [...pending]) {
      try {
        if (await system.ready(context(node))) pending.delete(node);
      } catch (e) {
        lastError = e instanceof Error ? e.message : String(e);
      }
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      const names = [...pending].map((n) => n.name).join(', ');
      throw new Error(
        `${system.name} was not ready on ${names} after ${timeoutMs / 1000} s${lastError !== '' ? ` (last error: ${lastError})` : ''}; see logs/ in the run directory`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
