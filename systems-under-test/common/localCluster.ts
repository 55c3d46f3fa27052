// N instances of a server program as local processes on 127.0.0.1, for fast tests and for trying a system
// without Docker. It runs the same bundle the nodes run, with real TCP between real processes; only the
// addressing differs: one host, a distinct port per node, passed to the system as options.ports.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePorts, type NodeInfo } from '../../harness/plugin.ts';
import { bundleServer } from './bundleServer.ts';
import { requestJson } from './jsonHttp.ts';

export interface LocalClusterSpec {
  /** Absolute path of the server's TypeScript entry. */
  entry: string;
  /** Number of nodes, named n1..nN. */
  count: number;
  /** The program's arguments for one node. */
  args(
    node: NodeInfo,
    cluster: { nodes: readonly NodeInfo[]; ports: Record<string, number>; dataDir: string },
  ): string[];
  /** GET path answering 200 once a node serves. Default /health. */
  healthPath?: string;
}

export interface LocalCluster {
  nodes: readonly NodeInfo[];
  ports: Record<string, number>;
  /** Options to hand the system's client() so it finds these nodes: { ports }. */
  options: Record<string, unknown>;
  /** Root folder holding each node's data dir and log. */
  root: string;
  url(node: string): string;
  /** (Re)starts a node and waits until it is healthy. */
  start(node: string): Promise<void>;
  /** kill -9, then waits for the process to be gone. */
  kill(node: string): Promise<void>;
  pause(node: string): void;
  resume(node: string): void;
  /** The node's combined stdout and stderr so far. */
  log(node: string): string;
  /** Kills every node and removes the root folder. Safe to call twice. */
  stop(): Promise<void>;
}

export { freePorts };

export async function launchLocalCluster(spec: LocalClusterSpec): Promise<LocalCluster> {
  const bundle = await bundleServer(spec.entry);
  const root = await mkdtemp(path.join(os.tmpdir(), 'faultline-local-'));
  const portList = await freePorts(spec.count);
  const nodes: NodeInfo[] = portList.map((_, i) => ({ name: `n${i + 1}`, address: '127.0.0.1' }));
  const ports: Record<string, number> = Object.fromEntries(nodes.map((node, i) => [node.name, portList[i]!]));
  const processes = new Map<string, ChildProcess>();
  const url = (name: string): string => `http://127.0.0.1:${ports[name] ?? 0}`;
  const nodeOf = (name: string): NodeInfo => {
    const node = nodes.find((n) => n.name === name);
    if (node === undefined) throw new Error(`no node ${name} in the local cluster`);
    return node;
  };
  const logPath = (name: string): string => path.join(root, `${name}.log`);

  const kill = async (name: string): Promise<void> => {
    const child = processes.get(name);
    processes.delete(name);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };

  const start = async (name: string): Promise<void> => {
    await kill(name);
    const dataDir = path.join(root, name);
    await mkdir(dataDir, { recursive: true });
    const fd = openSync(logPath(name), 'a');
    try {
      const child = spawn(process.execPath, [bundle.file, ...spec.args(nodeOf(name), { nodes, ports, dataDir })], {
        cwd: dataDir,
        stdio: ['ignore', fd, fd],
      });
      processes.set(name, child);
    } finally {
      closeSync(fd);
    }
    const deadline = Date.now() + 15_000;
    for (;;) {
      const reply = await requestJson(url(name) + (spec.healthPath ?? '/health'), undefined, { timeoutMs: 500 });
      if (reply.kind === 'reply' && reply.status === 200) return;
      const child = processes.get(name);
      if (child === undefined || child.exitCode !== null) {
        throw new Error(`local ${name} exited during start:\n${readFileSync(logPath(name), 'utf8').slice(-2000)}`);
      }
      if (Date.now() > deadline) throw new Error(`local ${name} not healthy after 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const cluster: LocalCluster = {
    nodes,
    ports,
    options: { ports },
    root,
    url,
    start,
    kill,
    pause(name) {
      processes.get(name)?.kill('SIGSTOP');
    },
    resume(name) {
      processes.get(name)?.kill('SIGCONT');
    },
    log(name) {
      try {
        return readFileSync(logPath(name), 'utf8');
      } catch {
        return '';
      }
    },
    async stop() {
      await Promise.all(nodes.map((node) => kill(node.name)));
      await rm(root, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(nodes.map((node) => start(node.name)));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
