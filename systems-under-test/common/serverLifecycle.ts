// The lifecycle of a system whose server is one program per node (daemonLifecycle), and for TypeScript server
// programs (serverLifecycle): bundle, upload to /opt/faultline/<system>/server.mjs, run it as a daemon with
// the clock environment (so the nemesis can skew its clock through libfaketime), and signal it.
import type { NodeContext, NodeInfo, SystemDefinition } from '../../harness/plugin.ts';
import { execOrThrow } from '../../harness/plugin.ts';
import { bundleServer } from './bundleServer.ts';
import { requestJson } from './jsonHttp.ts';

export interface ServerProgram {
  /** The system's name: names the daemon, its install folder, pid file and log file. */
  system: string;
  /** Absolute path of the server's TypeScript entry on the controller. */
  entry: string;
  /** Port the server listens on when the campaign does not set one (see nodePort). */
  defaultPort: number;
  /** The program's arguments on one node (after the script path). */
  args(ctx: NodeContext): string[];
  /** GET path that answers 200 once the server serves. Default /health. */
  healthPath?: string;
}

export type ServerLifecycle = Required<
  Pick<SystemDefinition, 'install' | 'start' | 'ready' | 'stop' | 'kill' | 'pause' | 'resume' | 'logFiles'>
>;

/**
 * The port of `node`: options.ports[node.name] when the campaign gives per-node ports (several nodes on one
 * host, as the local test cluster does), else options.port, else the default.
 */
export function nodePort(node: string, options: Record<string, unknown>, defaultPort: number): number {
  const ports = options['ports'];
  if (typeof ports === 'object' && ports !== null) {
    const port = (ports as Record<string, unknown>)[node];
    if (typeof port === 'number') return port;
  }
  return typeof options['port'] === 'number' ? options['port'] : defaultPort;
}

/** http://address:port of a node. */
export function nodeUrl(node: NodeInfo, options: Record<string, unknown>, defaultPort: number): string {
  return `http://${node.address}:${nodePort(node.name, options, defaultPort)}`;
}

/** Where a peer-to-peer server listens and whom it talks to: the part of its config every such system shares. */
export interface PeerServerConfig {
  name: string;
  host: string;
  port: number;
  nodes: { name: string; url: string }[];
}

export function peerServerConfig(
  node: NodeInfo,
  nodes: readonly NodeInfo[],
  options: Record<string, unknown>,
  defaultPort: number,
): PeerServerConfig {
  return {
    name: node.name,
    host: node.address,
    port: nodePort(node.name, options, defaultPort),
    nodes: nodes.map((peer) => ({ name: peer.name, url: nodeUrl(peer, options, defaultPort) })),
  };
}

/** options[key] when it is a positive number, else the default (campaign options arrive untyped). */
export function positiveOption(options: Record<string, unknown>, key: string, defaultValue: number): number {
  const value = options[key];
  return typeof value === 'number' && value > 0 ? value : defaultValue;
}

/** Where a system's files live on a node. */
export function serverPaths(system: string): { dir: string; script: string; pidFile: string; logFile: string } {
  return {
    dir: `/opt/faultline/${system}`,
    script: `/opt/faultline/${system}/server.mjs`,
    pidFile: `/var/run/faultline/${system}.pid`,
    logFile: `/var/log/faultline/${system}.log`,
  };
}

export interface DaemonProgram {
  /** Names the daemon, its pid file and its log file (see serverPaths). */
  system: string;
  /** The full argv on one node, e.g. ['etcd', '--name', ctx.node.name, ...]. */
  argv(ctx: NodeContext): string[];
  /** Port ready() probes when the campaign does not set one (see nodePort). */
  defaultPort: number;
  /** GET path ready() probes. Default /health. */
  healthPath?: string;
  /** Whether the health reply means ready. Default: status 200. */
  healthy?(status: number, body: unknown): boolean;
}

export type DaemonLifecycle = Required<
  Pick<SystemDefinition, 'start' | 'ready' | 'stop' | 'kill' | 'pause' | 'resume' | 'logFiles'>
>;

/** start/ready/stop/kill/pause/resume/logFiles for any program run as one daemon per node (a binary too). */
export function daemonLifecycle(program: DaemonProgram): DaemonLifecycle {
  const paths = serverPaths(program.system);
  const running = async (ctx: NodeContext): Promise<boolean> => {
    const pid = (await ctx.node.exec(['cat', paths.pidFile])).stdout.trim();
    if (!/^\d+$/.test(pid)) return false;
    return (await ctx.node.exec(['kill', '-0', pid])).exitCode === 0;
  };
  const waitForExit = async (ctx: NodeContext, timeoutMs: number): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    while (await running(ctx)) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return true;
  };
  return {
    async start(ctx) {
      await execOrThrow(ctx.node, ['mkdir', '-p', ctx.dataDir, '/var/run/faultline', '/var/log/faultline']);
      const handle = await ctx.node.startDaemon({
        name: program.system,
        argv: program.argv(ctx),
        env: { ...ctx.clockEnv },
        cwd: ctx.dataDir,
        pidFile: paths.pidFile,
        logFile: paths.logFile,
      });
      ctx.log(`started ${program.system} (pid ${handle.pid})`);
    },
    async ready(ctx) {
      const node = { name: ctx.node.name, address: ctx.node.address };
      const url = nodeUrl(node, ctx.options, program.defaultPort) + (program.healthPath ?? '/health');
      const reply = await requestJson(url, undefined, { timeoutMs: 1000 });
      if (reply.kind !== 'reply') return false;
      return program.healthy === undefined ? reply.status === 200 : program.healthy(reply.status, reply.body);
    },
    async stop(ctx) {
      await ctx.node.signalDaemon(program.system, 'SIGTERM', { pidFile: paths.pidFile });
      // A paused process only sees SIGTERM once continued.
      await ctx.node.signalDaemon(program.system, 'SIGCONT', { pidFile: paths.pidFile });
      if (!(await waitForExit(ctx, 5000))) {
        await ctx.node.signalDaemon(program.system, 'SIGKILL', { pidFile: paths.pidFile });
        await waitForExit(ctx, 5000);
      }
    },
    async kill(ctx) {
      await ctx.node.signalDaemon(program.system, 'SIGKILL', { pidFile: paths.pidFile });
      await waitForExit(ctx, 5000);
    },
    async pause(ctx) {
      await ctx.node.signalDaemon(program.system, 'SIGSTOP', { pidFile: paths.pidFile });
    },
    async resume(ctx) {
      await ctx.node.signalDaemon(program.system, 'SIGCONT', { pidFile: paths.pidFile });
    },
    logFiles() {
      return [paths.logFile];
    },
  };
}

/** daemonLifecycle for a TypeScript server program, plus install: bundle it and upload it to the node. */
export function serverLifecycle(program: ServerProgram): ServerLifecycle {
  const paths = serverPaths(program.system);
  return {
    async install(ctx) {
      const bundle = await bundleServer(program.entry);
      await execOrThrow(ctx.node, ['mkdir', '-p', paths.dir, ctx.dataDir, '/var/run/faultline', '/var/log/faultline']);
      await ctx.node.upload(bundle.file, paths.script, { mode: 0o644 });
      ctx.log(`installed ${program.system} server ${bundle.hash.slice(0, 12)} at ${paths.script}`);
    },
    ...daemonLifecycle({
      system: program.system,
      argv: (ctx) => ['node', paths.script, ...program.args(ctx)],
      defaultPort: program.defaultPort,
      ...(program.healthPath === undefined ? {} : { healthPath: program.healthPath }),
    }),
  };
}
