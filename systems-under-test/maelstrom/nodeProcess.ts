// One Maelstrom node as a process on this machine: its stdin receives the messages the router delivers to it,
// each line of its stdout is a message it sends, its stderr goes to the node's log. Errors say which node,
// which binary, how it ended and the last lines it wrote to stderr.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants, createWriteStream, statSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { MaelstromMessage, MessageBody } from './maelstromNetwork.ts';

export interface NodeProcessSpec {
  node: string;
  bin: string;
  args: readonly string[];
  /** Working directory: the node's data folder on this machine. */
  cwd: string;
  env: Record<string, string>;
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

export class NodeProcess {
  readonly spec: NodeProcessSpec;
  private child: ChildProcessWithoutNullStreams | undefined;
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
    return `node ${this.spec.node} (${[this.spec.bin, ...this.spec.args].join(' ')}) ${what}${tail}`;
  }

  /** How the process ended, undefined while it runs. */
  get exit(): string | undefined {
    return this.exitDescription;
  }

  async start(): Promise<void> {
    const problem = binProblem(this.spec.bin);
    if (problem !== undefined) throw new Error(`node ${this.spec.node}: the binary ${this.spec.bin} ${problem}`);
    this.log ??= createWriteStream(this.spec.logFile, { flags: 'a' });
    this.note(`starting ${[this.spec.bin, ...this.spec.args].join(' ')}`);
    this.stderrTail.length = 0;
    this.exitDescription = undefined;
    this.ending = false;
    // Detached, as the local backend's daemons are: its own process group, so the terminal's Ctrl-C reaches
    // the harness, which then stops the nodes in order.
    const child = spawn(this.spec.bin, [...this.spec.args], {
      cwd: this.spec.cwd,
      env: { ...process.env, ...this.spec.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    await new Promise<void>((resolve, reject) => {
      child.once('error', (e) => {
        reject(new Error(`node ${this.spec.node}: could not start ${this.spec.bin}: ${e.message}`));
      });
      child.once('spawn', () => {
        resolve();
      });
    });
    this.child = child;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitDescription = signal !== null ? `was killed by ${signal}` : `exited with code ${code ?? '?'}`;
        this.note(`process ${child.pid ?? '?'} ${this.exitDescription}`);
        if (!this.ending) this.spec.onExit(this.describe(this.exitDescription));
        resolve();
      });
    });
    // A node that dies leaves writes to its stdin failing: those messages are lost, as on a real crash.
    child.stdin.on('error', () => {});
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
    this.child?.stdin.write(`${JSON.stringify(message)}\n`);
  }

  signal(signal: NodeJS.Signals): boolean {
    if (!this.running || this.child?.pid === undefined) return false;
    try {
      process.kill(this.child.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** SIGKILL, and resolves once the process is gone. */
  async kill(): Promise<void> {
    this.ending = true;
    this.signal('SIGCONT');
    this.signal('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (continued first, in case it was paused), then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    this.ending = true;
    this.child?.stdin.end();
    this.signal('SIGTERM');
    this.signal('SIGCONT');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>(
      (resolve) =>
        (timer = setTimeout(() => {
          resolve('late');
        }, graceMs)),
    );
    if ((await Promise.race([this.exited, late])) === 'late') await this.kill();
    clearTimeout(timer);
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
