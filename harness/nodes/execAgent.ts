// The harness's end of a docker node's exec agent (the program is in execAgentSource.ts): one engine exec,
// started once, whose hijacked stdin and stdout carry framed JSON requests and replies. Hijacked stdin is
// safe here because it is never half-closed while in use (the docker-modem #48 pitfall is the half-close);
// the channel ends only when the agent is retired, and then the agent is meant to exit.
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { EXEC_AGENT_SOURCE } from './execAgentSource.ts';
import type { ExecResult } from './remote.ts';

export interface AgentRunOptions {
  timeoutMs: number;
  env?: Record<string, string>;
  cwd?: string;
  signal?: AbortSignal;
}

export type AgentOutcome =
  /** The agent ran the command and reported how it ended. */
  | { kind: 'done'; result: ExecResult }
  /**
   * The agent went away before starting the command: it did not run, so it may run another way, unless
   * timedOut: its deadline or abort had come by then.
   */
  | { kind: 'not-started'; timedOut: boolean; reason: string }
  /**
   * The agent went away after starting the command (pid, in the container): how it ended is unknown and it
   * may still run. timedOut: its deadline or abort had come by then.
   */
  | { kind: 'lost'; pid: number; timedOut: boolean; reason: string };

// How long after a command's own deadline the agent may take to answer before it counts as wedged (stopped,
// frozen): its kill, plus its 2 s output grace, plus slack for a loaded machine.
const WEDGED_AFTER_MS = 10_000;
const STDERR_KEPT = 4096;

type AgentMessage =
  | { t: 'ready'; pid: number }
  | { t: 'started'; id: number; pid: number }
  | {
      t: 'done';
      id: number;
      exitCode: number | null;
      signal: string | null;
      stdout: string;
      stderr: string;
      timedOut: boolean;
    }
  | { t: 'error'; message: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** One line from the agent, or undefined when it is not a message this side knows. */
export function parseAgentMessage(line: string): AgentMessage | undefined {
  let m: unknown;
  try {
    m = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(m)) return undefined;
  switch (m.t) {
    case 'ready':
      return isInt(m.pid) ? { t: 'ready', pid: m.pid } : undefined;
    case 'started':
      return isInt(m.id) && isInt(m.pid) ? { t: 'started', id: m.id, pid: m.pid } : undefined;
    case 'done': {
      const { id, exitCode, signal, stdout, stderr, timedOut } = m;
      if (!isInt(id) || typeof stdout !== 'string' || typeof stderr !== 'string' || typeof timedOut !== 'boolean')
        return undefined;
      if (!(exitCode === null || isInt(exitCode)) || !(signal === null || typeof signal === 'string')) return undefined;
      return { t: 'done', id, exitCode, signal, stdout, stderr, timedOut };
    }
    case 'error':
      return typeof m.message === 'string' ? { t: 'error', message: m.message } : undefined;
    default:
      return undefined;
  }
}

/** Splits the demuxed stdout into lines without re-scanning what was already searched. */
class LineSink extends Writable {
  private readonly onLine: (line: string) => void;
  private parts: Buffer[] = [];
  constructor(onLine: (line: string) => void) {
    super();
    this.onLine = onLine;
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    let rest = chunk;
    for (let nl = rest.indexOf(10); nl >= 0; nl = rest.indexOf(10)) {
      this.parts.push(rest.subarray(0, nl));
      const line = Buffer.concat(this.parts).toString('utf8');
      this.parts = [];
      rest = rest.subarray(nl + 1);
      this.onLine(line);
    }
    if (rest.length > 0) this.parts.push(rest);
    callback();
  }
}

/** Keeps the tail of the agent's stderr, for the message when it fails. */
class TailSink extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text = (this.text + chunk.toString('utf8')).slice(-STDERR_KEPT);
    callback();
  }
}

interface Pending {
  settle(outcome: AgentOutcome): void;
  pid: number | undefined;
  deadline: number;
  aborted: boolean;
}

export class ExecAgent {
  private readonly channel: Duplex;
  private readonly pending = new Map<number, Pending>();
  private readonly stderr = new TailSink();
  private nextId = 1;
  private agentPid: number | undefined;
  private onReady: ((pid: number) => void) | undefined;
  private onEnd: ((why: string) => void) | undefined;
  private ended: string | undefined;
  private retiredWhileOpen = false;

  private constructor(docker: Docker, channel: Duplex) {
    this.channel = channel;
    docker.modem.demuxStream(
      channel,
      new LineSink((line) => {
        this.receive(line);
      }),
      this.stderr,
    );
    const gone = (why: string) => (): void => {
      this.end(why);
    };
    channel.on('end', gone('its channel ended'));
    channel.on('close', gone('its channel closed'));
    channel.on('error', (e: Error) => {
      this.end(`its channel failed: ${e.message}`);
    });
    // An idle agent must not keep the harness's process alive; pending requests hold their own timers.
    if (channel instanceof Socket) channel.unref();
  }

  /** Starts the agent in the container and resolves once it has said it is ready. */
  static async start(docker: Docker, container: Docker.Container, timeoutMs = 10_000): Promise<ExecAgent> {
    const signal = AbortSignal.timeout(timeoutMs);
    const exec = await container.exec({
      Cmd: ['node', '-e', EXEC_AGENT_SOURCE],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      abortSignal: signal,
    });
    // No abortSignal on start: it would tear the long-lived channel down later. Bounded by a race instead.
    const starting = exec.start({ hijack: true, stdin: true });
    let timer: NodeJS.Timeout | undefined;
    const channel = await Promise.race([
      starting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`the engine did not start the exec agent within ${timeoutMs} ms`));
          // Should it answer after all, nobody talks to that agent: end its channel.
          void starting.then((late) => late.destroy()).catch(() => undefined);
        }, timeoutMs);
      }),
    ]).finally(() => {
      clearTimeout(timer);
    });
    const agent = new ExecAgent(docker, channel);
    try {
      await new Promise<void>((resolve, reject) => {
        const readyTimer = setTimeout(() => {
          reject(new Error(`the exec agent did not start within ${timeoutMs} ms`));
        }, timeoutMs);
        agent.onReady = (): void => {
          clearTimeout(readyTimer);
          resolve();
        };
        agent.onEnd = (why): void => {
          clearTimeout(readyTimer);
          const said = agent.stderr.text.trim();
          reject(new Error(`the exec agent did not start: ${why}${said ? `\n${said}` : ''}`));
        };
      });
    } catch (e) {
      agent.close();
      // The engine tells why a command could not run only by its exit code (127: no `node` in the image).
      const code = (await exec.inspect().catch(() => undefined))?.ExitCode;
      if (typeof code === 'number' && e instanceof Error)
        e.message +=
          code === 126 || code === 127 ? ` (exit ${code}: is node installed in the image?)` : ` (exit ${code})`;
      throw e;
    } finally {
      agent.onReady = undefined;
      agent.onEnd = undefined;
    }
    return agent;
  }

  /** Its pid in the container, once ready. */
  get pid(): number | undefined {
    return this.agentPid;
  }

  get alive(): boolean {
    return this.ended === undefined && this.agentPid !== undefined;
  }

  /** Why it went away, once it has. */
  get endedBecause(): string | undefined {
    return this.ended;
  }

  /** True when it was retired while its channel was still open: it may be stopped or stuck, not gone. */
  get mayLinger(): boolean {
    return this.retiredWhileOpen;
  }

  run(argv: readonly string[], options: AgentRunOptions): Promise<AgentOutcome> {
    if (this.ended !== undefined) return Promise.resolve({ kind: 'not-started', timedOut: false, reason: this.ended });
    const id = this.nextId++;
    return new Promise<AgentOutcome>((resolve) => {
      const onAbort = (): void => {
        pending.aborted = true;
        this.send({ t: 'cancel', id });
      };
      const wedged = setTimeout(
        () => {
          this.close(`it did not answer within ${WEDGED_AFTER_MS} ms of a command's deadline`);
        },
        Math.min(options.timeoutMs + WEDGED_AFTER_MS, 2 ** 31 - 1),
      );
      const pending: Pending = {
        pid: undefined,
        deadline: Date.now() + options.timeoutMs,
        aborted: false,
        settle: (outcome) => {
          clearTimeout(wedged);
          options.signal?.removeEventListener('abort', onAbort);
          this.pending.delete(id);
          resolve(outcome);
        },
      };
      this.pending.set(id, pending);
      this.send({
        t: 'run',
        id,
        argv,
        timeoutMs: options.timeoutMs,
        ...(options.env ? { env: options.env } : {}),
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) onAbort();
    });
  }

  /** Retires the agent: ends the channel, so the agent kills what it runs and exits. Idempotent. */
  close(reason = 'it was closed'): void {
    if (this.ended === undefined) this.retiredWhileOpen = true;
    this.end(reason);
    this.channel.destroy();
  }

  private send(message: object): void {
    try {
      this.channel.write(`${JSON.stringify(message)}\n`);
    } catch (e) {
      this.end(`a write failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private receive(line: string): void {
    const m = parseAgentMessage(line);
    if (m === undefined) return;
    switch (m.t) {
      case 'ready':
        this.agentPid = m.pid;
        this.onReady?.(m.pid);
        return;
      case 'started': {
        const p = this.pending.get(m.id);
        if (p) p.pid = m.pid;
        return;
      }
      case 'done':
        this.pending.get(m.id)?.settle({
          kind: 'done',
          result: {
            exitCode: m.exitCode,
            signal: m.signal,
            stdout: Buffer.from(m.stdout, 'base64').toString('utf8'),
            stderr: Buffer.from(m.stderr, 'base64').toString('utf8'),
            timedOut: m.timedOut,
          },
        });
        return;
      case 'error':
        // A request it could not read is a bug on this side; retire it rather than leave the caller waiting.
        this.close(`it rejected a request: ${m.message}`);
        return;
    }
  }

  private end(why: string): void {
    if (this.ended !== undefined) return;
    this.ended = why;
    this.onEnd?.(why);
    const now = Date.now();
    for (const p of [...this.pending.values()]) {
      const timedOut = p.aborted || now >= p.deadline;
      p.settle(
        p.pid === undefined
          ? { kind: 'not-started', timedOut, reason: why }
          : { kind: 'lost', pid: p.pid, timedOut, reason: why },
      );
    }
  }
}
