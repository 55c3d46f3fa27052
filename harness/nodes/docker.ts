// The docker backend of Remote: one container per node, commands via the node's resident exec agent
// (execAgent.ts, a few ms each) or, when it is not up, the Engine API's exec (50-100 ms each), files via its
// archive endpoints. See libraries.md §2.1 for the pitfalls this code steps around (demuxing, exit codes read
// after the stream ends, hijacked stdin only for the agent's never half-closed channel, a per-call abortSignal).
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, posix } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { extract, pack } from 'tar-stream';
import { ExecAgent } from './execAgent.ts';
import { killCommandArgv, signalDaemonByExec, startDaemonByExec } from './daemonScripts.ts';
import { attachedProcess } from './attachedProcess.ts';
import { PidLineReader, PidLineSplitter } from './pidLine.ts';
import { RemoteCommandError, shellQuote } from './remote.ts';
import type {
  AttachedProcess,
  AttachedProcessOptions,
  DaemonHandle,
  DaemonSpec,
  ExecOptions,
  ExecResult,
  Remote,
  UploadedFile,
} from './remote.ts';

const DEFAULT_TIMEOUT_MS = 60_000;
// The command runs under a tiny shell that first tells us its pid on stderr (so a timeout can kill its
// process group: each exec is its own session) and then becomes the command.
const PID_PREFIX = 'echo "$$" >&2; exec "$@"';

export interface DockerRemoteOptions {
  docker: Docker;
  /** Container id or name. */
  container: string;
  /** The node's name (n1, ...). */
  name: string;
  /** Its address on the run's network. */
  address: string;
  /** Run commands through a resident agent in the container (default true); false: every command is an engine exec. */
  execAgent?: boolean;
}

// After a failed agent start, commands use the engine's exec for this long before the next try.
const AGENT_RETRY_MS = 10_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { statusCode?: unknown }).statusCode === 404;
}

/** Collects a stream's bytes; the first line (the wrapper's pid) is split off when asked. */
class Collector extends Writable {
  readonly chunks: Buffer[] = [];
  private readonly pidLine: PidLineReader | undefined;
  private readonly onPid: ((pid: number) => void) | undefined;
  constructor(onPid?: (pid: number) => void) {
    super();
    this.onPid = onPid;
    if (onPid) this.pidLine = new PidLineReader();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(
      this.pidLine?.feed(chunk, (pid) => {
        if (pid !== undefined) this.onPid?.(pid);
      }) ?? chunk,
    );
    callback();
  }
  text(): string {
    return Buffer.concat([...this.chunks, this.pidLine?.flush() ?? Buffer.alloc(0)]).toString('utf8');
  }
}

/** A tar archive of these files, in memory (what the engine's putArchive takes). */
function tarOf(entries: readonly { name: string; mode: number; data: Buffer }[]): Promise<Buffer> {
  const tar = pack();
  const mtime = new Date();
  for (const e of entries) tar.entry({ name: e.name, mode: e.mode, mtime }, e.data);
  tar.finalize();
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    tar.on('data', (c: unknown) => chunks.push(c as Buffer));
    tar.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    tar.on('error', reject);
  });
}

export class DockerRemote implements Remote {
  readonly name: string;
  readonly address: string;
  readonly containerName: string;
  readonly docker: Docker;
  /** How many commands went each way: through the agent, or one engine exec each. */
  readonly execCounts = { agent: 0, engine: 0 };
  private readonly container: Docker.Container;
  private readonly useAgent: boolean;
  private agent: ExecAgent | undefined;
  private agentStarting: Promise<boolean> | undefined;
  private agentRetryAt = 0;
  private closed = false;
  /** Why the agent last failed to start or went away, for diagnostics. */
  lastAgentProblem: string | undefined;

  constructor(options: DockerRemoteOptions) {
    this.docker = options.docker;
    this.containerName = options.container;
    this.name = options.name;
    this.address = options.address;
    this.container = options.docker.getContainer(options.container);
    this.useAgent = options.execAgent ?? true;
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new Error('exec needs a command');
    const agent = this.agentIfUp();
    if (agent !== undefined) {
      const outcome = await agent.run(argv, {
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        ...(options.env ? { env: options.env } : {}),
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (outcome.kind === 'done') {
        this.execCounts.agent++;
        return outcome.result;
      }
      this.forgetAgent(agent);
      // The command may still run with nobody to report it: kill it, as a timeout would.
      if (outcome.kind === 'lost') await this.killGroup(outcome.pid).catch(() => undefined);
      if (outcome.timedOut) return { exitCode: null, signal: 'SIGKILL', stdout: '', stderr: '', timedOut: true };
      if (outcome.kind === 'lost') {
        throw new Error(
          `on ${this.name}: the exec agent went away (${outcome.reason}) while \`${argv.map(shellQuote).join(' ')}\` ` +
            'ran; it was killed and whether it took effect is unknown',
        );
      }
      // Not started: it never ran, so the engine's exec runs it instead.
    }
    this.execCounts.engine++;
    return this.engineExec(argv, options);
  }

  /**
   * Starts the node's exec agent unless it is up; resolves whether it is. exec starts it lazily on its own
   * (using the engine's exec meanwhile); call this to have it ready before timing-sensitive work.
   */
  startExecAgent(): Promise<boolean> {
    if (!this.useAgent || this.closed) return Promise.resolve(false);
    if (this.agent?.alive === true) return Promise.resolve(true);
    this.agentStarting ??= (async () => {
      try {
        const agent = await ExecAgent.start(this.docker, this.container);
        if (this.closed) {
          agent.close();
          return false;
        }
        this.agent = agent;
        return true;
      } catch (e) {
        this.lastAgentProblem = e instanceof Error ? e.message : String(e);
        this.agentRetryAt = Date.now() + AGENT_RETRY_MS;
        return false;
      } finally {
        this.agentStarting = undefined;
      }
    })();
    return this.agentStarting;
  }

  /** The agent if it is up; otherwise undefined, having retired a dead one and started a new one lazily. */
  private agentIfUp(): ExecAgent | undefined {
    if (!this.useAgent || this.closed) return undefined;
    const agent = this.agent;
    if (agent?.alive === true) return agent;
    if (agent !== undefined) this.forgetAgent(agent);
    if (this.agentStarting === undefined && Date.now() >= this.agentRetryAt) void this.startExecAgent();
    return undefined;
  }

  /** Drops an agent that went away (once), killing it if it may still be there, stopped or stuck. */
  private forgetAgent(agent: ExecAgent): void {
    if (this.agent !== agent) return;
    this.agent = undefined;
    this.lastAgentProblem = agent.endedBecause ?? 'it went away';
    const pid = agent.pid;
    if (agent.mayLinger && pid !== undefined)
      void this.engineExec(['kill', '-s', 'KILL', String(pid)], { timeoutMs: 10_000 }).catch(() => undefined);
  }

  /** One engine exec per command: the way when the agent is not up (or not wanted). */
  private async engineExec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // Ends our side of the streams if the process cannot be killed in time.
    const local = new AbortController();
    let pid: number | undefined;
    let timedOut = false;
    const stdout = new Collector();
    const stderr = new Collector((p) => {
      pid = p;
      // A timeout that fired before the pid arrived kills now.
      if (timedOut) void this.killGroup(p).catch(() => undefined);
    });

    const exec = await this.container.exec({
      Cmd: ['sh', '-c', PID_PREFIX, 'faultline-exec', ...argv],
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      ...(options.env ? { Env: Object.entries(options.env).map(([k, v]) => `${k}=${v}`) } : {}),
      ...(options.cwd !== undefined ? { WorkingDir: options.cwd } : {}),
      abortSignal: local.signal,
    });
    const stream = (await exec.start({
      hijack: true,
      stdin: false,
      abortSignal: local.signal,
    })) as NodeJS.ReadableStream & {
      destroy(): void;
    };
    this.docker.modem.demuxStream(stream, stdout, stderr);

    const stop = (): void => {
      if (timedOut) return;
      timedOut = true;
      const target = pid;
      if (target !== undefined) {
        void this.killGroup(target).catch(() => undefined);
      }
      // If the kill does not end the stream soon (no pid yet, engine stuck), stop waiting for it.
      setTimeout(() => {
        local.abort();
        stream.destroy();
      }, 2000).unref();
    };
    const timer = setTimeout(stop, timeoutMs);
    const onAbort = (): void => {
      stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) stop();

    try {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          resolve();
        };
        stream.on('end', done);
        stream.on('close', done);
        stream.on('error', done);
        local.signal.addEventListener('abort', done, { once: true });
      });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }

    let exitCode: number | null = null;
    if (!timedOut) {
      // The exit code is known only once the engine has seen the process end, shortly after the stream ends.
      let info = await exec.inspect();
      for (let i = 0; info.Running && i < 100; i++) {
        await sleep(i < 10 ? 5 : 20);
        info = await exec.inspect();
      }
      exitCode = info.ExitCode;
    }
    return {
      exitCode,
      signal: timedOut ? 'SIGKILL' : null,
      stdout: stdout.text(),
      stderr: stderr.text(),
      timedOut,
    };
  }

  /**
   * One engine exec with stdin, stdout and stderr attached, for as long as the process runs. Its stdin is never
   * half-closed (libraries.md §2.1: that can lose the stream); the process ends by a signal sent through exec.
   */
  async spawnAttached(argv: readonly string[], options: AttachedProcessOptions = {}): Promise<AttachedProcess> {
    if (argv.length === 0) throw new Error('spawnAttached needs a command');
    const exec = await this.container.exec({
      Cmd: ['sh', '-c', PID_PREFIX, 'faultline-exec', ...argv],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      ...(options.env ? { Env: Object.entries(options.env).map(([k, v]) => `${k}=${v}`) } : {}),
      ...(options.cwd !== undefined ? { WorkingDir: options.cwd } : {}),
    });
    const stream = await exec.start({ hijack: true, stdin: true });
    // A write after the process ended fails on the socket: that message is lost, as on a crash.
    stream.on('error', () => undefined);
    const stdout = new PassThrough();
    const stderr = new PidLineSplitter();
    this.docker.modem.demuxStream(stream, stdout, stderr);
    const streamEnded = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', resolve);
    });
    const exited = streamEnded.then(async () => {
      // demuxStream never ends its outputs (libraries.md §2.1).
      stdout.end();
      stderr.end();
      let info = await exec.inspect();
      for (let i = 0; info.Running && i < 100; i++) {
        await sleep(i < 10 ? 5 : 20);
        info = await exec.inspect();
      }
      return { exitCode: info.Running ? null : info.ExitCode, signal: null };
    });
    return attachedProcess(this, argv, {
      stdout,
      stderr,
      exited,
      write: (data) => stream.write(data),
      detach: () => {
        stream.destroy();
      },
    });
  }

  private async killGroup(pid: number): Promise<void> {
    // Attached and drained like any exec: a detached start leaves its HTTP socket open, keeping Node alive.
    const signal = AbortSignal.timeout(10_000);
    const exec = await this.container.exec({
      Cmd: killCommandArgv(pid),
      AttachStdout: true,
      AttachStderr: true,
      abortSignal: signal,
    });
    const stream = (await exec.start({ hijack: true, stdin: false, abortSignal: signal })) as NodeJS.ReadableStream & {
      destroy(): void;
    };
    await new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', resolve);
      stream.resume();
    });
    stream.destroy();
  }

  async writeFile(remotePath: string, content: string | Uint8Array, options: { mode?: number } = {}): Promise<void> {
    const data = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
    const body = await tarOf([{ name: posix.basename(remotePath), mode: options.mode ?? 0o644, data }]);
    await this.putArchive(body, posix.dirname(remotePath));
  }

  /** Every file in one archive, unpacked at / (an archive's folders are created as it unpacks). */
  async uploadFiles(files: readonly UploadedFile[]): Promise<void> {
    const entries = await Promise.all(
      files.map(async (f) => {
        if (!posix.isAbsolute(f.remotePath)) throw new Error(`on ${this.name}: ${f.remotePath} is not absolute`);
        return {
          name: f.remotePath.slice(1),
          mode: f.mode ?? (await stat(f.localPath)).mode & 0o777,
          data: await readFile(f.localPath),
        };
      }),
    );
    await this.putArchive(await tarOf(entries), '/');
  }

  private async putArchive(body: Buffer, dir: string): Promise<void> {
    try {
      await this.container.putArchive(body, { path: dir });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      // The folder does not exist yet: make it, then try again (one extra round trip, only then).
      const argv = ['mkdir', '-p', dir];
      const result = await this.exec(argv, { timeoutMs: 10_000 });
      if (result.exitCode !== 0) throw new RemoteCommandError(this.name, argv, result);
      await this.container.putArchive(body, { path: dir });
    }
  }

  async upload(localPath: string, remotePath: string, options: { mode?: number } = {}): Promise<void> {
    const mode = options.mode ?? (await stat(localPath)).mode & 0o777;
    await this.writeFile(remotePath, await readFile(localPath), { mode });
  }

  /** Streams the one file at remotePath to sink; throws when it is missing or a folder. */
  private async readInto(remotePath: string, sink: () => NodeJS.WritableStream): Promise<void> {
    let archive: NodeJS.ReadableStream;
    try {
      archive = await this.container.getArchive({ path: remotePath });
    } catch (e) {
      if (isNotFound(e)) throw new Error(`on ${this.name}: ${remotePath}: no such file`, { cause: e });
      throw e;
    }
    const ex = extract();
    let found = false;
    let kind: string | undefined;
    ex.on('entry', (header, entry, next) => {
      if (!found && (header.type === 'file' || header.type === 'contiguous-file')) {
        found = true;
        const out = sink();
        entry.pipe(out);
        out.on('finish', next);
        out.on('error', next);
      } else {
        kind ??= header.type ?? undefined;
        entry.on('end', next);
        entry.resume();
      }
    });
    await pipeline(archive, ex);
    if (!found) throw new Error(`on ${this.name}: ${remotePath}: not a regular file (${kind ?? 'empty'})`);
  }

  async readFile(remotePath: string): Promise<Buffer> {
    const collected = new PassThrough();
    const chunks: Buffer[] = [];
    collected.on('data', (c: Buffer) => chunks.push(c));
    await this.readInto(remotePath, () => collected);
    return Buffer.concat(chunks);
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    await mkdir(dirname(localPath), { recursive: true });
    await this.readInto(remotePath, () => createWriteStream(localPath));
  }

  startDaemon(spec: DaemonSpec): Promise<DaemonHandle> {
    return startDaemonByExec(this, spec);
  }

  signalDaemon(name: string, signal: NodeJS.Signals, options: { pidFile?: string } = {}): Promise<boolean> {
    return signalDaemonByExec(this, name, signal, options);
  }

  async close(): Promise<void> {
    // The engine client is shared by the process; the agent is this node's own. Later commands (if any) use
    // the engine's exec.
    this.closed = true;
    this.agent?.close();
    this.agent = undefined;
    await this.agentStarting;
  }
}
