// One Maelstrom node as a process on this machine: its stdin receives the messages the router delivers to it,
// each line of its stdout is a message it sends, its stderr goes to the node's log. Errors say which node,
// which binary, how it ended and the last lines it wrote to stderr.
import { spawn } from 'node:child_process';
import { accessSync, constants, createWriteStream, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AttachedProcess } from '../../harness/plugin.ts';
import type { MaelstromMessage, MessageBody } from './maelstromNetwork.ts';

export interface NodeProcessSpec {
  node: string;
  /** The binary and its arguments as the campaign gave them, for messages. */
  command: readonly string[];
  /** Where it runs when not on this machine as `command` (e.g. `on the node as /opt/...`), for the log. */
  runsAs?: string;
  /** Starts the process: a child of the harness (spawnLocal), or one on a node (Remote.spawnAttached). */
  launch(): Promise<AttachedProcess>;
  /** Host path of the node's log: stderr, and the harness's notes about the process. */
  logFile: string;
  /** Each message the node writes to stdout. */
  onMessage(message: MaelstromMessage): void;
  /** The process ended without being asked to (a crash). */
  onExit(description: string): void;
}

const stderrTailLines = 20;

/** Why a file cannot be run as a node, or undefined when it can. */
export function binProblem(bin: string): string | undefined {
  try {
    if (!statSync(bin).isFile()) return 'is not a file';
    accessSync(bin, constants.X_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not executable (chmod +x)' : String(e);
  }
}

/**
 * How a process ended, for logs and errors. Docker and ssh report an end by signal N as exit code 128+N, as a
 * shell does; the signal it stands for is named, but as what it likely was (a node may exit 137 itself).
 */
export function exitDescription(end: { exitCode: number | null; signal: string | null }): string {
  if (end.signal !== null) return `was killed by ${end.signal}`;
  if (end.exitCode === null) return 'ended in a way its node did not report';
  const signal = Object.entries(osConstants.signals).find(([, n]) => n === (end.exitCode ?? 0) - 128)?.[0];
  return `exited with code ${end.exitCode}${signal !== undefined ? ` (as after ${signal})` : ''}`;
}

/** A Maelstrom message, or why the line is not one. */
export function parseMessageLine(line: string): MaelstromMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const m = value as Record<string, unknown>;
  if (typeof m['src'] !== 'string' || typeof m['dest'] !== 'string') return 'no string src and dest';
  const body = m['body'];
  if (typeof body !== 'object' || body === null || typeof (body as Record<string, unknown>)['type'] !== 'string')
    return 'no body with a string type';
  return { src: m['src'], dest: m['dest'], body: body as MessageBody };
}

/** How long a killed process's streams may take to end before the harness lets go of them. */
const killedStreamsEndMs = 10_000;

/**
 * The binary as a child of the harness, in its own process group (as the local backend's daemons are), so the
 * terminal's Ctrl-C reaches the harness, which then stops the nodes in order.
 */
export async function spawnLocal(
  node: string,
  bin: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<AttachedProcess> {
  const problem = binProblem(bin);
  if (problem !== undefined) throw new Error(`node ${node}: the binary ${bin} ${problem}`);
  const child = spawn(bin, [...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', (e) => {
      reject(new Error(`node ${node}: could not start ${bin}: ${e.message}`));
    });
    child.once('spawn', () => {
      resolve();
    });
  });
  const pid = child.pid ?? 0;
  let ended = false;
  // 'close': the process has exited and its stdout and stderr have ended, so no line is missed.
  const exited = new Promise<{ exitCode: number | null; signal: string | null }>((resolve) => {
    child.once('close', (exitCode, signal) => {
      ended = true;
      resolve({ exitCode, signal });
    });
  });
  // A node that dies leaves writes to its stdin failing: those messages are lost, as on a real crash.
  child.stdin.on('error', () => undefined);
  return {
    pid,
    write: (data) => {
      if (!ended) child.stdin.write(data);
    },
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    signal: (signal) => {
      if (ended) return Promise.resolve(false);
      try {
        process.kill(pid, signal);
        return Promise.resolve(true);
      } catch {
        return Promise.resolve(false);
      }
    },
    detach: () => {
      child.stdout.destroy();
      child.stderr.destroy();
    },
  };
}

export class NodeProcess {
  readonly spec: NodeProcessSpec;
  private child: AttachedProcess | undefined;
  private log: WriteStream | undefined;
  private readonly stderrTail: string[] = [];
  private exitDescription: string | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** Set while kill/stop end the process, so its exit is not reported as a crash. */
  private ending = false;

  constructor(spec: NodeProcessSpec) {
    this.spec = spec;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitDescription === undefined;
  }

  /** What the binary was and how it ended, with its stderr tail: for errors. */
  describe(what: string): string {
    const tail = this.stderrTail.length > 0 ? `; last stderr:\n${this.stderrTail.join('\n')}` : '; no stderr';
    return `node ${this.spec.node} (${this.spec.command.join(' ')}) ${what}${tail}`;
  }

  /** How the process ended, undefined while it runs. */
  get exit(): string | undefined {
    return this.exitDescription;
  }

  async start(): Promise<void> {
    this.log ??= createWriteStream(this.spec.logFile, { flags: 'a' });
    this.note(`starting ${this.spec.command.join(' ')}${this.spec.runsAs !== undefined ? ` ${this.spec.runsAs}` : ''}`);
    this.stderrTail.length = 0;
    this.exitDescription = undefined;
    this.ending = false;
    const child = await this.spec.launch();
    this.child = child;
    this.exited = child.exited.then((end) => {
      this.exitDescription = exitDescription(end);
      this.note(`process ${child.pid} ${this.exitDescription}`);
      if (!this.ending) this.spec.onExit(this.describe(this.exitDescription));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.trim() === '') return;
      const parsed = parseMessageLine(line);
      if (typeof parsed === 'string') {
        this.note(`stdout line dropped (${parsed}; only messages may go to stdout): ${line.slice(0, 200)}`);
        return;
      }
      if (parsed.src !== this.spec.node) {
        this.note(`message dropped: its src is ${parsed.src}, not ${this.spec.node}: ${line.slice(0, 200)}`);
        return;
      }
      this.spec.onMessage(parsed);
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > stderrTailLines) this.stderrTail.shift();
      this.log?.write(`${line}\n`);
    });
  }

  /** Writes one message to the node's stdin (dropped if the process has ended). */
  deliver(message: MaelstromMessage): void {
    if (!this.running) return;
    this.child?.write(`${JSON.stringify(message)}\n`);
  }

  /** Resolves false when the process is not running or the signal could not be sent. */
  async signal(signal: NodeJS.Signals): Promise<boolean> {
    const child = this.child;
    if (!this.running || child === undefined) return false;
    return child.signal(signal).catch(() => false);
  }

  /** SIGKILL, and resolves once the process is gone. */
  async kill(): Promise<void> {
    this.ending = true;
    await this.signal('SIGCONT');
    await this.signal('SIGKILL');
    if (await this.endedWithin(killedStreamsEndMs)) return;
    // The process is gone but its streams did not end (an engine or a connection that hangs): let go of them.
    this.note(`the streams of process ${this.pid ?? '?'} did not end within ${killedStreamsEndMs} ms of SIGKILL`);
    this.child?.detach();
    await this.endedWithin(killedStreamsEndMs);
  }

  /** SIGTERM (continued first, in case it was paused), then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    this.ending = true;
    await this.signal('SIGTERM');
    await this.signal('SIGCONT');
    if (!(await this.endedWithin(graceMs))) await this.kill();
  }

  /** Whether the process (and its streams) ended within `ms`. */
  private async endedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => {
        resolve('late');
      }, ms);
    });
    const outcome = await Promise.race([this.exited.then(() => 'ended' as const), late]);
    clearTimeout(timer);
    return outcome === 'ended';
  }

  /** Ends the log (after stop or kill); resolves once it is on disk. */
  async closeLog(): Promise<void> {
    const log = this.log;
    this.log = undefined;
    if (log !== undefined) await new Promise<void>((resolve) => log.end(resolve));
  }

  /** Resolves once the process has ended (at once when it has). */
  whenExited(): Promise<void> {
    return this.exited;
  }

  note(message: string): void {
    this.log?.write(`[faultline ${new Date().toISOString()}] ${message}\n`);
  }
}
