// Process faults through the system's own lifecycle hooks (kill/start/ready, pause/resume): what "kill" means
// is the system author's call, as in Jepsen's db/Kill and db/Pause. The nemesis adds what outlives a crash of
// the harness: before pausing, it notes which processes the pause stopped (pids in a file on the node), so
// healAll can SIGCONT exactly those even when no system definition is at hand (`faultline clean`).
import type { NodeContext, NodeInfo, SystemDefinition } from '../../harness/plugin.ts';
import type { Remote } from '../../harness/nodes/remote.ts';
import { tryExec } from '../_internals/exec.ts';

/** The system's process hooks, bound to node names. */
export interface ProcessHooks {
  kill(node: string): Promise<void>;
  start(node: string): Promise<void>;
  /** Resolves true once the node serves again; absent means "ready once started". */
  ready?(node: string): Promise<boolean>;
  pause(node: string): Promise<void>;
  resume(node: string): Promise<void>;
  /** The node acting as primary now, when the system can name one. */
  primary?(): Promise<string | undefined>;
}

/** Binds a SystemDefinition's hooks to node names, given how the runner builds a node's context. */
export function processHooksFor(
  system: Pick<SystemDefinition, 'kill' | 'start' | 'ready' | 'pause' | 'resume' | 'primary'>,
  contextFor: (node: string) => NodeContext,
  nodes: readonly NodeInfo[],
  options: Record<string, unknown> = {},
): ProcessHooks {
  const hooks: ProcessHooks = {
    kill: (node) => system.kill(contextFor(node)),
    start: (node) => system.start(contextFor(node)),
    pause: (node) => system.pause(contextFor(node)),
    resume: (node) => system.resume(contextFor(node)),
  };
  const { ready, primary } = system;
  if (ready !== undefined) hooks.ready = (node) => ready.call(system, contextFor(node));
  if (primary !== undefined) hooks.primary = () => primary.call(system, nodes, options);
  return hooks;
}

/** Pids stopped by faultline's pauses on this node, for heal after a crash. */
export const pausedPidsFile = '/var/run/faultline/paused-pids';

/** Pids in state T (stopped) from `ps -eo pid=,stat=`. */
export function stoppedPids(psOutput: string): number[] {
  return psOutput
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\S+)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && m[2]!.startsWith('T'))
    .map((m) => Number(m[1]));
}

async function stoppedOn(remote: Remote): Promise<Set<number>> {
  const ps = await tryExec(remote, ['ps', '-eo', 'pid=,stat=']);
  return new Set(ps.exitCode === 0 ? stoppedPids(ps.stdout) : []);
}

export async function killNodes(hooks: ProcessHooks, nodes: readonly string[]): Promise<void> {
  await Promise.all(nodes.map((n) => hooks.kill(n)));
}

export interface RestartOptions {
  /** How long to wait for ready() after start. Default 30 s. */
  readyTimeoutMs?: number;
  signal?: AbortSignal;
}

/** Starts the nodes again and waits until each is ready (or the timeout passes: then it throws). */
export async function restartNodes(
  hooks: ProcessHooks,
  nodes: readonly string[],
  options: RestartOptions = {},
): Promise<void> {
  const timeout = options.readyTimeoutMs ?? 30_000;
  await Promise.all(
    nodes.map(async (n) => {
      await hooks.start(n);
      if (hooks.ready === undefined) return;
      const deadline = Date.now() + timeout;
      for (;;) {
        if (await hooks.ready(n).catch(() => false)) return;
        if (Date.now() > deadline) throw new Error(`${n} was restarted but not ready after ${timeout} ms`);
        if (options.signal?.aborted) throw new Error(`${n}: waiting for ready was aborted`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }),
  );
}

/** Pauses the nodes' processes through the hook, noting which pids it stopped (for heal after a crash). */
export async function pauseNodes(
  hooks: ProcessHooks,
  remotes: readonly Remote[],
  nodes: readonly string[],
): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      const remote = remotes.find((r) => r.name === n);
      const before = remote === undefined ? new Set<number>() : await stoppedOn(remote);
      await hooks.pause(n);
      if (remote === undefined) return;
      const stopped = [...(await stoppedOn(remote))].filter((p) => !before.has(p));
      if (stopped.length === 0) return;
      await tryExec(remote, ['mkdir', '-p', '/var/run/faultline']);
      await remote.writeFile(pausedPidsFile, stopped.join('\n') + '\n');
    }),
  );
}

export async function resumeNodes(
  hooks: ProcessHooks,
  remotes: readonly Remote[],
  nodes: readonly string[],
): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      await hooks.resume(n);
      const remote = remotes.find((r) => r.name === n);
      if (remote !== undefined) await tryExec(remote, ['rm', '-f', pausedPidsFile]);
    }),
  );
}

/** SIGCONT to the pids a pause left stopped (after a crash); returns how many. Idempotent. */
export async function resumeLeftoverPauses(remote: Remote): Promise<number> {
  const listed = await tryExec(remote, ['cat', pausedPidsFile]);
  if (listed.exitCode !== 0) return 0;
  const pids = listed.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+$/.test(l));
  // Only pids still stopped: a pid reused since then by a running process is left alone.
  const stillStopped = await stoppedOn(remote);
  const targets = pids.filter((p) => stillStopped.has(Number(p)));
  if (targets.length > 0) await tryExec(remote, ['kill', '-s', 'CONT', ...targets]);
  await tryExec(remote, ['rm', '-f', pausedPidsFile]);
  return targets.length;
}
