// Running a system's lifecycle hooks across the nodes: in parallel, every failure named by its node.
import type { ClusterContext, NodeContext, SystemDefinition } from '../plugin.ts';
import type { Remote } from '../nodes/remote.ts';
import { withinHookTimeout } from '../clients/hookTimeout.ts';

/** Runs `action` on every node at once; throws one error naming each node that failed. */
export { HookTimeoutError, withinHookTimeout } from '../clients/hookTimeout.ts';

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

/**
 * Polls the system's `clusterReady` until it answers true (a thrown error counts as not yet, and is named if
 * the deadline passes); returns at once when the system has none.
 */
export async function waitClusterReady(
  system: SystemDefinition,
  cluster: ClusterContext,
  timeoutMs: number,
  pollMs = 200,
): Promise<void> {
  if (system.clusterReady === undefined) return;
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      if (await system.clusterReady(cluster)) return;
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > deadline)
      throw new Error(
        `${system.name}: every node was ready, but clusterReady did not answer true within ${timeoutMs / 1000} s${lastError !== '' ? ` (last error: ${lastError})` : ''}; see logs/ in the run directory`,
      );
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

const nodeHooks = ['install', 'start', 'ready', 'stop', 'kill', 'pause', 'resume'] as const;

/**
 * The system with every lifecycle hook run under `timeoutMs`, so a hook that never settles fails the step it
 * is in (named) instead of hanging the run. client() is timed by the client pool, which knows when a slow
 * open is a partition and when it is a hang.
 */
export function withHookTimeouts(system: SystemDefinition, timeoutMs: number): SystemDefinition {
  const timed: SystemDefinition = { ...system };
  for (const hook of nodeHooks) {
    const original = (system[hook] as ((ctx: NodeContext) => Promise<unknown>) | undefined)?.bind(system);
    if (original === undefined) continue;
    (timed as unknown as Record<string, unknown>)[hook] = (ctx: NodeContext) =>
      withinHookTimeout(() => original(ctx), { system: system.name, hook, node: ctx.node.name }, timeoutMs);
  }
  if (system.primary !== undefined) {
    const primary = system.primary.bind(system);
    timed.primary = (nodes, options, cluster) =>
      withinHookTimeout(() => primary(nodes, options, cluster), { system: system.name, hook: 'primary' }, timeoutMs);
  }
  if (system.clusterReady !== undefined) {
    const clusterReady = system.clusterReady.bind(system);
    timed.clusterReady = (cluster) =>
      withinHookTimeout(() => clusterReady(cluster), { system: system.name, hook: 'clusterReady' }, timeoutMs);
  }
  return timed;
}
