// The public plug-in API: what a system under test provides, whether built in or the user's own module.
// A campaign names a built-in system or a path to a module whose default export is a SystemDefinition.
// Reference systems in systems-under-test/ use only this file, exactly as a user's plugin would.
import type { Value } from '../checkers/history.ts';
import type { Remote } from './nodes/remote.ts';
import type { SystemImage } from './nodes/systemImageDeclaration.ts';

export type {
  Remote,
  ExecResult,
  ExecOptions,
  DaemonSpec,
  DaemonHandle,
  AttachedProcess,
  AttachedProcessOptions,
  UploadedFile,
} from './nodes/remote.ts';
export { execOrThrow, shellQuote, RemoteCommandError, uploadFiles } from './nodes/remote.ts';
export { freePorts } from './nodes/freePorts.ts';
export type { Value } from '../checkers/history.ts';
export type { MessageLogEvent } from '../checkers/messageEvents.ts';
export type { SystemImage, SystemImageFile } from './nodes/systemImageDeclaration.ts';

export interface NodeInfo {
  name: string;
  address: string;
}

/** What a lifecycle hook gets for one node. */
export interface NodeContext {
  /** The node being acted on. */
  node: Remote;
  /** Every node of the cluster, in order (n1, n2, ...), the acted-on one included. */
  nodes: readonly NodeInfo[];
  /**
   * The system's options from the campaign file (`system: {name, options}`). On the `local` node backend,
   * where every node is 127.0.0.1, the harness adds `ports: {n1: 41234, ...}`: a distinct port per node to
   * listen on instead of the system's fixed one.
   */
  options: Record<string, unknown>;
  /**
   * Environment to start the system's processes with so the nemesis can skew their clocks (libfaketime).
   * Empty when clock faults are not in use. Start commands must include it.
   */
  clockEnv: Record<string, string>;
  /** A directory on the node the system may use for its data. */
  dataDir: string;
  /**
   * The folder of the campaign file on this machine, for options that name files relative to it (as a
   * `system:` path is). Given by `faultline run`; absent when a test calls a hook by hand.
   */
  campaignDir?: string;
  log(message: string): void;
}

/** An operation as the client adapter sees it. */
export interface ClientOp {
  f: string;
  key?: string;
  value: Value;
}

/**
 * ok: it happened (value = what was read/returned; its shape per workload is in docs/workloads.md). fail: it
 * definitely did not happen. info: unknown (timeout, connection lost after sending): it may have happened, now
 * or later. `servedBy`, when the client knows it, names the node that actually performed the op (the primary a
 * follower forwarded to, the leader that answered), as opposed to the node the client is bound to; the
 * history records both (`node` and `servedBy`). It must be a node of the cluster.
 */
export type Completion = (
  { type: 'ok'; value: Value } | { type: 'fail'; error: string; value?: Value } | { type: 'info'; error: string }
) & { servedBy?: string };

export interface Client {
  /** Performs one op. Reject or return info when the outcome is unknown; `signal` aborts at the op timeout. */
  invoke(op: ClientOp, signal: AbortSignal): Promise<Completion>;
  close(): Promise<void>;
}

/** The workload a client serves: its name and the data model its history is checked against. */
export interface WorkloadInfo {
  /** register, key-value, set, counter, list-append, rw-register, unique-ids or echo (see docs/workloads.md). */
  name: string;
  /** register, set, counter, list-append, rw-register, unique-ids or echo. */
  model: string;
}

export interface ClientContext {
  /** The node this client talks to. */
  node: NodeInfo;
  nodes: readonly NodeInfo[];
  /** As NodeContext.options (including `ports` on the local backend). */
  options: Record<string, unknown>;
  /**
   * The workload this client serves, so one adapter can map each workload's ops onto the system (a set onto a
   * table, a counter onto a row). Always given by `faultline run`; absent only when a test opens a client by hand.
   */
  workload?: WorkloadInfo;
}

/** What the cluster-wide hooks get: every node as a handle, not only its name. */
export interface ClusterContext {
  /**
   * Every node of the cluster, in order (n1, n2, ...), as handles: name and address, and exec, upload,
   * readFile... on the node itself. A command run through a handle does not cross the network between the
   * controller and the node, so it still works while a client partition cuts the controller off.
   */
  nodes: readonly Remote[];
  /** As NodeContext.options. */
  options: Record<string, unknown>;
  log(message: string): void;
}

/**
 * A system that is its own network: every message between its nodes passes through the harness process (as
 * the maelstrom system's router does), so iptables and tc on the nodes would not reach it. The nemesis's
 * partition and packet faults then act through these calls instead, on any backend. `options` is the run's
 * system options, as every hook gets them.
 */
export interface SystemNetwork {
  /** The packet behaviours `shape` does, of delay, loss, duplicate, corrupt, reorder, rate. */
  packetBehaviors: readonly string[];
  /** Makes the network look like the grudge: node → the nodes whose messages it drops; {} heals. */
  partition(grudge: Readonly<Record<string, readonly string[]>>, options: Record<string, unknown>): Promise<void>;
  /**
   * Shapes every link of `targets` with the packet fault's behaviours (as the campaign gives them: e.g.
   * `{loss: {percent: 20}}`), replacing any earlier shaping; `shape([], {})` removes it. Resolves what it only
   * approximates, in words, for the fault's record.
   */
  shape(
    targets: readonly string[],
    behaviors: Record<string, Value>,
    options: Record<string, unknown>,
  ): Promise<string[]>;
  /** Removes every partition and shaping (the heal after the fault window, and on teardown). */
  heal(options: Record<string, unknown>): Promise<void>;
}

export interface SystemDefinition {
  name: string;
  description: string;
  /**
   * Models the system claims (e.g. ['linearizable']); the weaker models they imply are claimed too. The run's
   * summary and report flag a claimed model found violated as a broken claim.
   */
  guarantees?: string[];
  /**
   * The workloads its client serves (docs/workloads.md), when not all: a campaign running another is rejected
   * before any node comes up (exit 64), naming these. Absent: the client takes any workload.
   */
  workloads?: readonly string[];
  /** When the system is its own network (see SystemNetwork): partitions and packet faults act through it. */
  network?: SystemNetwork;
  /**
   * What the system needs on its nodes beyond the base node image: Debian packages, files, setup lines. Docker
   * nodes run an image built FROM the node image with them (cached by content hash); over ssh they are
   * installed with apt-get before install(). Relative `files[].from` paths are relative to the system's module.
   */
  image?: SystemImage;
  /**
   * Why libfaketime cannot skew this system's clocks, when it cannot (e.g. a Go binary reads the clock through
   * the vDSO, not libc): clock faults through libfaketime are then reported unavailable with this reason
   * instead of running without effect. Clock faults that move an ssh host's real clock (realClock) still run.
   */
  clockSkewUnavailable?: string;
  /** Once per node, before start: upload binaries, write config. */
  install?(ctx: NodeContext): Promise<void>;
  start(ctx: NodeContext): Promise<void>;
  /**
   * Resolves true once the node serves requests. Polled after start and after restarts.
   *
   * `start` runs again on a node when a kill fault on it ends (after the fault's hold), then `ready` is polled
   * for up to 30 s. That start sees the killed process's leftovers (its dataDir as kill -9 left it, a stale pid
   * file), the same NodeContext as the first start (same options, ports and clockEnv), and a cluster that went
   * on without it (a new leader, newer data). `install` does not run again. So a start must work both on a
   * fresh node and on a crashed one.
   */
  ready?(ctx: NodeContext): Promise<boolean>;
  /**
   * Resolves true once the cluster as a whole is ready for faults: e.g. the primary knows every replica, a
   * leader is elected. Polled (every 200 ms, each call under the hook timeout, up to 60 s in all) once, after
   * every node's `ready` and before the run's traffic and fault window; not again after restarts.
   */
  clusterReady?(ctx: ClusterContext): Promise<boolean>;
  /** Graceful stop. */
  stop(ctx: NodeContext): Promise<void>;
  /** kill -9 the system's processes on this node. */
  kill(ctx: NodeContext): Promise<void>;
  /** SIGSTOP / SIGCONT the system's processes on this node. */
  pause(ctx: NodeContext): Promise<void>;
  resume(ctx: NodeContext): Promise<void>;
  /** Files on the node to collect into the run directory. */
  logFiles?(ctx: NodeContext): string[];
  /**
   * The node currently acting as primary/leader, when the system can name one (for targeted faults), by name.
   * `cluster` holds every node's handle (exec on the node itself); `faultline run` always passes it, and it is
   * absent only when a test calls the hook with names alone.
   */
  primary?(
    nodes: readonly NodeInfo[],
    options: Record<string, unknown>,
    cluster?: ClusterContext,
  ): Promise<string | undefined>;
  /** Opens a client bound to one node; told which workload it serves (ClientContext.workload). */
  client(ctx: ClientContext): Promise<Client>;
}

/** Identity helper that gives a plugin module type checking: `export default defineSystem({...})`. */
export function defineSystem(definition: SystemDefinition): SystemDefinition {
  return definition;
}
