// The `local` node backend: each node is a folder on this machine and its processes run here, on 127.0.0.1.
// It needs no Docker, so a user can try a system (and the tutorial runs) anywhere. Absolute paths under
// /opt, /var, /etc, /srv and /data, in argv and in file calls, land inside the node's folder, so systems written
// for real nodes (pidfiles in /var/run, binaries in /opt) run unchanged and nodes do not collide.
// Nodes share one address, so the harness gives the system a distinct port per node as options.ports
// (the convention of systems-under-test/common: nodePort(name, options, default)).
// Network and clock faults are unavailable here: they would act on this machine itself.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { daemonPaths } from './daemonScripts.ts';
import type { DaemonHandle, DaemonSpec, ExecOptions, ExecResult, Remote } from './remote.ts';
import { freePorts } from './freePorts.ts';

const mappedRoots = ['/opt/', '/var/', '/etc/', '/srv/', '/data/'];
// Commands that would change this machine's network or clock rather than a node's: refused, so a heal or a
// fault aimed at local nodes can never touch the host.
const refused = new Set([
  'iptables',
  'ip6tables',
  'iptables-save',
  'iptables-restore',
  'tc',
  'conntrack',
  'ip',
  'date',
  'sysctl',
  'hwclock',
]);

export class LocalRemote implements Remote {
  readonly name: string;
  readonly address = '127.0.0.1';
  /** The node's folder: its virtual root. */
  readonly root: string;

  constructor(name: string, root: string) {
    this.name = name;
    this.root = root;
  }

  /** Where a node path lives on this machine. */
  hostPath(path: string): string {
    if (path.startsWith(this.root)) return path;
    return mappedRoots.some((r) => path.startsWith(r) || path === r.slice(0, -1)) ? join(this.root, path) : path;
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const [cmd, ...args] = argv.map((a) => this.hostPath(a));
    if (cmd === undefined) throw new Error('exec needs a command');
    const base = cmd.split('/').pop() ?? cmd;
    if (refused.has(base) || (argv[0] === 'sh' && argv.slice(1).some((a) => /\b(iptables|tc|conntrack)\b/.test(a)))) {
      const stderr = `the local backend does not run ${base}: it would change this machine, not a node`;
      return { exitCode: 126, signal: null, stdout: '', stderr, timedOut: false };
    }
    const timeoutMs = options.timeoutMs ?? 60_000;
    return new Promise<ExecResult>((resolve) => {
      const child = spawn(cmd, args, {
        cwd: options.cwd !== undefined ? this.hostPath(options.cwd) : this.root,
        env: { ...process.env, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const stop = (): void => {
        timedOut = true;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(stop, timeoutMs);
      options.signal?.addEventListener('abort', stop, { once: true });
      child.on('error', (e) => {
        clearTimeout(timer);
        resolve({ exitCode: 127, signal: null, stdout, stderr: stderr + e.message, timedOut: false });
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', stop);
        resolve({ exitCode: timedOut ? null : code, signal, stdout, stderr, timedOut });
      });
    });
  }

  async upload(localPath: string, remotePath: string, options: { mode?: number } = {}): Promise<void> {
    const target = this.hostPath(remotePath);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(localPath, target);
    if (options.mode !== undefined) await chmod(target, options.mode);
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    await mkdir(dirname(localPath), { recursive: true });
    await copyFile(this.hostPath(remotePath), localPath);
  }

  async writeFile(remotePath: string, content: string | Uint8Array, options: { mode?: number } = {}): Promise<void> {
    const target = this.hostPath(remotePath);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
    if (options.mode !== undefined) await chmod(target, options.mode);
  }

  readFile(remotePath: string): Promise<Buffer> {
    return readFile(this.hostPath(remotePath));
  }

  async startDaemon(spec: DaemonSpec): Promise<DaemonHandle> {
    const { pidFile, logFile } = daemonPaths(spec);
    const running = await this._pid(pidFile);
    if (running !== null && alive(running)) return { name: spec.name, pid: running, pidFile, logFile };
    await mkdir(dirname(this.hostPath(pidFile)), { recursive: true });
    await mkdir(dirname(this.hostPath(logFile)), { recursive: true });
    const fd = openSync(this.hostPath(logFile), 'a');
    const [cmd, ...args] = spec.argv.map((a) => this.hostPath(a));
    if (cmd === undefined) throw new Error(`daemon ${spec.name} has an empty argv`);
    try {
      const child = spawn(cmd, args, {
        cwd: spec.cwd !== undefined ? this.hostPath(spec.cwd) : this.root,
        env: { ...process.env, ...spec.env },
        stdio: ['ignore', fd, fd],
        detached: true,
      });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('spawn', () => {
          resolve(child.pid!);
        });
      });
      child.unref();
      await writeFile(this.hostPath(pidFile), `${pid}\n`);
      return { name: spec.name, pid, pidFile, logFile };
    } finally {
      closeSync(fd);
    }
  }

  async signalDaemon(name: string, signal: NodeJS.Signals, options: { pidFile?: string } = {}): Promise<boolean> {
    const pid = await this._pid(daemonPaths({ name, ...options }).pidFile);
    if (pid === null) return false;
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Kills every daemon this node started (by its pidfiles): the local backend's "destroy". */
  async killAll(): Promise<void> {
    const runDir = this.hostPath('/var/run/faultline');
    let names: string[];
    try {
      const { readdir } = await import('node:fs/promises');
      names = (await readdir(runDir)).filter((n) => n.endsWith('.pid'));
    } catch {
      return;
    }
    for (const n of names) {
      const pid = await this._pid(join('/var/run/faultline', n));
      if (pid === null) continue;
      for (const sig of ['SIGCONT', 'SIGKILL'] as const) {
        try {
          process.kill(pid, sig);
        } catch {
          // already gone
        }
      }
    }
  }

  private async _pid(pidFile: string): Promise<number | null> {
    try {
      const pid = Number((await readFile(this.hostPath(pidFile), 'utf8')).trim());
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface LocalCluster {
  nodes: LocalRemote[];
  /** Per-node ports to merge into the system's options. */
  ports: Record<string, number>;
  destroy(options?: { keepFiles?: boolean }): Promise<void>;
}

/** Creates `count` local nodes n1..nN as folders under `root`, each with a free port. */
export async function createLocalCluster(root: string, count: number): Promise<LocalCluster> {
  const nodes: LocalRemote[] = [];
  for (let i = 1; i <= count; i++) {
    const dir = join(root, `n${i}`);
    await mkdir(dir, { recursive: true });
    nodes.push(new LocalRemote(`n${i}`, dir));
  }
  const free = await freePorts(count);
  const ports = Object.fromEntries(nodes.map((n, i) => [n.name, free[i]!]));
  // For `clean --heal` after a crash: restarting a node's system needs the ports the run gave it.
  await writeFile(join(root, 'ports.json'), `${JSON.stringify(ports)}\n`);
  return {
    nodes,
    ports,
    async destroy(options = {}) {
      await Promise.all(nodes.map((n) => n.killAll()));
      if (options.keepFiles !== true) await rm(root, { recursive: true, force: true });
    },
  };
}

// What a local run leaves when its harness dies before teardown (SIGKILL): the nodes' folder under the temp
// dir and the daemons whose pidfiles are in it. `faultline clean` finds them from the run id alone.

const localRunPrefix = 'faultline-local-';

/** The folder of a local run's nodes (provisionNodes puts them there). */
export function localRunRoot(runId: string): string {
  return join(tmpdir(), `${localRunPrefix}${runId}`);
}

/** Run ids whose local nodes' folder still exists. */
export function localRunIds(): string[] {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith(localRunPrefix)).map((n) => n.slice(localRunPrefix.length));
}

export interface LocalRunProcess {
  node: string;
  daemon: string;
  pid: number;
  /** Stopped by a pause fault (state T in /proc). */
  stopped: boolean;
}

/**
 * The daemons of a local run that still run, from their pidfiles and from /proc. A pid is taken as the run's
 * only when the process's working directory or command line lies in a node's folder, so a pid reused since is
 * left alone.
 */
export function localRunProcesses(runId: string): LocalRunProcess[] {
  const root = localRunRoot(runId);
  const found: LocalRunProcess[] = [];
  let nodes: string[];
  try {
    nodes = readdirSync(root);
  } catch {
    return [];
  }
  for (const node of nodes) {
    const nodeRoot = join(root, node);
    const pidDir = join(nodeRoot, 'var', 'run', 'faultline');
    let pidFiles: string[];
    try {
      pidFiles = readdirSync(pidDir).filter((n) => n.endsWith('.pid'));
    } catch {
      continue;
    }
    for (const file of pidFiles) {
      let pid: number;
      try {
        pid = Number(readFileSync(join(pidDir, file), 'utf8').trim());
      } catch {
        continue;
      }
      if (!Number.isInteger(pid) || pid <= 0 || !belongsTo(pid, nodeRoot)) continue;
      found.push({ node, daemon: file.slice(0, -'.pid'.length), pid, stopped: processState(pid) === 'T' });
    }
  }
  // A daemon spawned just before the harness died may have no pidfile yet: find it by where it runs.
  const known = new Set(found.map((p) => p.pid));
  for (const pid of processIds()) {
    if (known.has(pid) || pid === process.pid) continue;
    const node = nodes.find((n) => belongsTo(pid, join(root, n)));
    if (node === undefined) continue;
    found.push({ node, daemon: 'unrecorded process', pid, stopped: processState(pid) === 'T' });
  }
  return found;
}

function processIds(): number[] {
  try {
    return readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
}

function belongsTo(pid: number, nodeRoot: string): boolean {
  try {
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    if (cwd === nodeRoot || cwd.startsWith(`${nodeRoot}/`)) return true;
  } catch {
    // gone, or not ours to read
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .some((arg) => arg === nodeRoot || arg.startsWith(`${nodeRoot}/`));
  } catch {
    return false;
  }
}

function processState(pid: number): string | undefined {
  try {
    // "pid (comm) S ...": the state follows the last ')' (comm may contain spaces and parentheses).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** Sends a signal to the daemon's process group (it was started detached, as its leader), else to the pid. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Resumes every stopped process of a local run (what a pause fault left); the nodes are kept. */
export function healLocalRun(runId: string): { node: string; healed: string[] }[] {
  const byNode = new Map<string, string[]>();
  for (const p of localRunProcesses(runId)) {
    const healed = byNode.get(p.node) ?? [];
    byNode.set(p.node, healed);
    if (!p.stopped) continue;
    signalGroup(p.pid, 'SIGCONT');
    healed.push(`resumed ${p.daemon} (pid ${p.pid})`);
  }
  return [...byNode].map(([node, healed]) => ({ node, healed })).sort((a, b) => a.node.localeCompare(b.node));
}

/** Kills a local run's processes (stopped ones are resumed first, so they die now) and removes its folder. */
export async function removeLocalRun(runId: string): Promise<{ killed: string[]; folder?: string }> {
  const killed: string[] = [];
  for (const p of localRunProcesses(runId)) {
    signalGroup(p.pid, 'SIGCONT');
    signalGroup(p.pid, 'SIGKILL');
    killed.push(`${p.node} ${p.daemon} (pid ${p.pid})`);
  }
  const root = localRunRoot(runId);
  if (!existsSync(root)) return { killed };
  await rm(root, { recursive: true, force: true });
  return { killed, folder: root };
}
