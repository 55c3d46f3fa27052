// Process faults through the system's own lifecycle hooks (kill/start/ready, pause/resume): what "kill" means
// is the system author's call, as in Jepsen's db/Kill and db/Pause. The nemesis adds what outlives a crash of
// the harness, each written on the node before the fault acts: before pausing, the processes already stopped
// (so a crash between SIGSTOP and the pid list still lets heal find the ones the pause stopped), then the pids
// the pause stopped; before killing, a marker saying the system is down by a kill fault. healAll SIGCONTs
// exactly those pids and reports a node still down, even when no system definition is at hand (`faultline clean`).
import type { ClusterContext, NodeContext, NodeInfo, SystemDefinition } from '../../harness/plugin.ts';
import type { Remote } from '../../harness/nodes/remote.ts';
import { mustExec, tryExec } from '../_internals/exec.ts';

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
  cluster?: ClusterContext,
): ProcessHooks {
  const hooks: ProcessHooks = {
    kill: (node) => system.kill(contextFor(node)),
    start: (node) => system.start(contextFor(node)),
    pause: (node) => system.pause(contextFor(node)),
    resume: (node) => system.resume(contextFor(node)),
  };
  const { ready, primary } = system;
  if (ready !== undefined) hooks.ready = (node) => ready.call(system, contextFor(node));
  if (primary !== undefined) hooks.primary = () => primary.call(system, nodes, options, cluster);
  return hooks;
}

/** Pids stopped by faultline's pauses on this node, for heal after a crash. */
export const pausedPidsFile = '/var/run/faultline/paused-pids';
/** Written before a pause acts: the pids already stopped then; any other stopped pid was stopped by the pause. */
export const pausePendingFile = '/var/run/faultline/pause-pending';
/** Written before a kill acts, removed once the system is started again: the node's system is down. */
export const killedMarkerFile = '/var/run/faultline/killed';

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

/**
 * Kills the nodes' systems through the hook. With `remotes`, each node first gets a marker (written before the
 * kill) that heal reports until restartNodes removes it: a crash of the harness cannot hide a node left down.
 */
export async function killNodes(
  hooks: ProcessHooks,
  nodes: readonly string[],
  remotes: readonly Remote[] = [],
): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      const remote = remotes.find((r) => r.name === n);
      if (remote !== undefined) {
        await mustExec(remote, ['mkdir', '-p', '/var/run/faultline']);
        await remote.writeFile(killedMarkerFile, `${new Date().toISOString()} killed by a faultline kill fault\n`);
      }
      await hooks.kill(n);
    }),
  );
}

/** Whether a kill fault left this node's system down (its marker is there); removes nothing. */
export async function killedByFault(remote: Remote): Promise<boolean> {
  return (await tryExec(remote, ['test', '-e', killedMarkerFile])).exitCode === 0;
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
  remotes: readonly Remote[] = [],
): Promise<void> {
  const timeout = options.readyTimeoutMs ?? 30_000;
  await Promise.all(
    nodes.map(async (n) => {
      await hooks.start(n);
      // Started: whether it becomes ready is the run's question now, not a crash leftover's.
      const remote = remotes.find((r) => r.name === n);
      if (remote !== undefined) await tryExec(remote, ['rm', '-f', killedMarkerFile]);
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
      if (remote === undefined) {
        await hooks.pause(n);
        return;
      }
      const before = await stoppedOn(remote);
      // The intent first: a harness killed after SIGSTOP but before the pid list still leaves heal a way back.
      await mustExec(remote, ['mkdir', '-p', '/var/run/faultline']);
      await remote.writeFile(pausePendingFile, [...before].map((p) => `${p}\n`).join(''));
      try {
        await hooks.pause(n);
      } finally {
        // Also when the hook failed half-way: what it did stop is noted. A SIGSTOP is not in force the moment
        // kill returns (a loaded machine shows the state a little later), so look again for a while; when no
        // stop shows, the wider intent stays and heal resumes whatever stopped since the pause began.
        const stopped = await newlyStopped(remote, before, 2_000);
        if (stopped.length > 0) {
          await remote.writeFile(pausedPidsFile, stopped.join('\n') + '\n');
          await tryExec(remote, ['rm', '-f', pausePendingFile]);
        }
      }
    }),
  );
}

/** The pids stopped now that were not before, looked for until some show or `withinMs` passes. */
async function newlyStopped(remote: Remote, before: ReadonlySet<number>, withinMs: number): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const stopped = [...(await stoppedOn(remote))].filter((p) => !before.has(p));
    if (stopped.length > 0 || Date.now() >= deadline) return stopped;
    await new Promise((r) => setTimeout(r, 100));
  }
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
      if (remote !== undefined) await tryExec(remote, ['rm', '-f', pausedPidsFile, pausePendingFile]);
    }),
  );
}

function pidLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+$/.test(l));
}

/**
 * SIGCONT to the pids a pause left stopped (after a crash); returns how many. Idempotent. A pause interrupted
 * before its pid list was written left its pending file: then every process stopped now that was not stopped
 * before the pause is resumed.
 */
export async function resumeLeftoverPauses(remote: Remote): Promise<number> {
  const listed = await tryExec(remote, ['cat', pausedPidsFile]);
  const pending = await tryExec(remote, ['cat', pausePendingFile]);
  if (listed.exitCode !== 0 && pending.exitCode !== 0) return 0;
  // Only pids still stopped: a pid reused since then by a running process is left alone.
  const stillStopped = await stoppedOn(remote);
  const pids = new Set(listed.exitCode === 0 ? pidLines(listed.stdout) : []);
  if (pending.exitCode === 0) {
    const before = new Set(pidLines(pending.stdout).map(Number));
    for (const p of stillStopped) if (!before.has(p)) pids.add(String(p));
  }
  const targets = [...pids].filter((p) => stillStopped.has(Number(p)));
  if (targets.length > 0) await tryExec(remote, ['kill', '-s', 'CONT', ...targets]);
  await tryExec(remote, ['rm', '-f', pausedPidsFile, pausePendingFile]);
  return targets.length;
}
