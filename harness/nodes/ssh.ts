// The ssh backend of Remote, on ssh2: one connection per host, commands as exec channels (at most 8 open at once:
// OpenSSH refuses the 11th session on a connection), files through the channel's stdin and stdout, `sudo -n`
// when the user is not root, and host keys checked against known_hosts unless the user accepts new ones.
import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import pLimit from 'p-limit';
import { Client } from 'ssh2';
import type { ClientChannel } from 'ssh2';
import { UserError } from '../errors.ts';
import { killCommandArgv, signalDaemonByExec, startDaemonByExec } from './daemonScripts.ts';
import { keyType, knownHostsName, knownKeysFor } from './knownHosts.ts';
import { attachedProcess } from './attachedProcess.ts';
import { PidLineSplitter } from './pidLine.ts';
import { RemoteCommandError, shellQuote } from './remote.ts';
import type {
  AttachedProcess,
  AttachedProcessOptions,
  DaemonHandle,
  DaemonSpec,
  ExecOptions,
  ExecResult,
  Remote,
} from './remote.ts';

export interface SshHostConfig {
  host: string;
  /** Default 22. */
  port?: number;
  /** Default root. Any other user runs commands through `sudo -n` (NOPASSWD sudo is needed). */
  user?: string;
  /** Default ~/.ssh/id_ed25519, else ~/.ssh/id_rsa. */
  privateKeyPath?: string;
  /** The key itself, instead of a path. */
  privateKey?: string | Buffer;
  passphrase?: string;
  /** The node's name in histories and logs. Default: host. */
  name?: string;
  /** The address other nodes reach it at. Default: host. */
  address?: string;
  /** Default ~/.ssh/known_hosts. */
  knownHostsPath?: string;
  /** Trust and record a host key never seen before (printed loudly). A changed key is always refused. */
  acceptNewHostKeys?: boolean;
  /** Default: true unless the user is root. */
  sudo?: boolean;
  /** Concurrent channels on the connection. Default 8 (OpenSSH's MaxSessions is 10). */
  maxChannels?: number;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** Where loud warnings go (a node backend prints nothing itself); connectSsh requires it. */
  onWarning?: (message: string) => void;
}

/** What connectSsh needs: a host, and where its warnings (a newly trusted host key) go. */
export type SshConnectConfig = SshHostConfig & { onWarning: (message: string) => void };

const DEFAULT_TIMEOUT_MS = 60_000;
// As in the docker backend: the wrapper shell reports its pid on stderr, then becomes the command, so a
// timeout can kill the command's process group.
const PID_PREFIX = 'echo "$$" >&2; exec "$@"';

/** Paths from campaign files may start with ~/. */
function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

function defaultKeyPath(): Promise<string> {
  const ed = join(homedir(), '.ssh', 'id_ed25519');
  return stat(ed).then(
    () => ed,
    () => join(homedir(), '.ssh', 'id_rsa'),
  );
}

interface RawResult {
  exitCode: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
}

export class SshRemote implements Remote {
  readonly name: string;
  readonly address: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  private readonly client: Client;
  private readonly sudo: boolean;
  private readonly limit: ReturnType<typeof pLimit>;

  private constructor(client: Client, config: SshHostConfig) {
    this.client = client;
    this.host = config.host;
    this.port = config.port ?? 22;
    this.user = config.user ?? 'root';
    this.name = config.name ?? config.host;
    this.address = config.address ?? config.host;
    this.sudo = config.sudo ?? this.user !== 'root';
    this.limit = pLimit(config.maxChannels ?? 8);
  }

  /** Connects, checking the host key; errors say which host, user and key, and what to do. */
  static async connect(config: SshConnectConfig): Promise<SshRemote> {
    const port = config.port ?? 22;
    const user = config.user ?? 'root';
    const keyPath =
      config.privateKey !== undefined
        ? '(key given inline)'
        : config.privateKeyPath !== undefined
          ? expandHome(config.privateKeyPath)
          : await defaultKeyPath();
    let privateKey: string | Buffer;
    if (config.privateKey !== undefined) privateKey = config.privateKey;
    else {
      try {
        privateKey = await readFile(keyPath);
      } catch (e) {
        throw new UserError(
          `Cannot read the ssh key ${keyPath} for ${user}@${config.host}: ${e instanceof Error ? e.message : String(e)}`,
          'Set the key path in the campaign (nodes.privateKeyPath, or privateKeyPath on the host) or create one with ssh-keygen -t ed25519.',
        );
      }
    }
    const knownHostsPath = expandHome(config.knownHostsPath ?? '~/.ssh/known_hosts');
    const knownHosts = await readFile(knownHostsPath, 'utf8').catch(() => '');
    const known = knownKeysFor(knownHosts, config.host, port);
    const warn = config.onWarning;
    let hostKeyProblem: UserError | undefined;
    let newKey: string | undefined;

    const client = new Client();
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => {
        // Each command is a few small packets each way: without TCP_NODELAY, Nagle's algorithm and delayed
        // ACKs add ~40 ms at several steps of every exec (measured: 92 ms a round trip with them, 6 ms without).
        client.setNoDelay(true);
        resolve();
      });
      client.once('error', (e: Error & { level?: string }) => {
        if (hostKeyProblem) {
          reject(hostKeyProblem);
          return;
        }
        if (e.level === 'client-authentication') {
          reject(
            new UserError(
              `ssh authentication failed for ${user}@${config.host}:${port} with key ${keyPath}.`,
              `Check that the key's public half is in ~${user}/.ssh/authorized_keys on ${config.host}, and that ` +
                `'ssh -i ${keyPath} -p ${port} ${user}@${config.host} true' works.`,
            ),
          );
          return;
        }
        reject(
          new UserError(
            `Cannot connect to ${user}@${config.host}:${port} over ssh: ${e.message}`,
            'Check that the host is up, sshd listens on that port, and nothing blocks it.',
          ),
        );
      });
      client.connect({
        host: config.host,
        port,
        username: user,
        privateKey,
        ...(config.passphrase !== undefined ? { passphrase: config.passphrase } : {}),
        readyTimeout: config.connectTimeoutMs ?? 10_000,
        keepaliveInterval: 5000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer): boolean => {
          const type = keyType(key);
          const blob = key.toString('base64');
          if (known.some(([t, b]) => t === type && b === blob)) return true;
          if (known.length > 0) {
            hostKeyProblem = new UserError(
              `The host key of ${config.host}:${port} has CHANGED: known_hosts (${knownHostsPath}) lists another key. ` +
                `Someone may be intercepting the connection, or the host was reinstalled.`,
              `If the host was reinstalled, remove its old key (ssh-keygen -R ${knownHostsName(config.host, port)} -f ${knownHostsPath}) and connect again.`,
            );
            return false;
          }
          if (!config.acceptNewHostKeys) {
            hostKeyProblem = new UserError(
              `The host key of ${config.host}:${port} is not in ${knownHostsPath}.`,
              `Add it after checking it (ssh-keyscan -p ${port} ${config.host} >> ${knownHostsPath}), or accept new keys ` +
                'with acceptNewHostKeys: true in the campaign (nodes or the host).',
            );
            return false;
          }
          newKey = `${knownHostsName(config.host, port)} ${type} ${blob}\n`;
          return true;
        },
      });
    });
    if (newKey !== undefined) {
      warn(
        `WARNING: accepted a NEW ssh host key for ${config.host}:${port} without checking it, and recorded it in ` +
          `${knownHostsPath}. Verify it if this network is not yours.`,
      );
      await mkdir(dirname(knownHostsPath), { recursive: true });
      await appendFile(knownHostsPath, newKey, { mode: 0o600 });
    }
    return new SshRemote(client, config);
  }

  /** The remote command line for argv: quoted, with env and cwd, under sudo when needed. */
  private commandLine(
    argv: readonly string[],
    options: { env?: Record<string, string>; cwd?: string },
    withPid: boolean,
  ): string {
    let full: string[] = [...argv];
    if (withPid) full = ['sh', '-c', PID_PREFIX, 'faultline-exec', ...full];
    if (options.cwd !== undefined)
      full = ['sh', '-c', 'cd "$1" || exit 1; shift; exec "$@"', 'faultline-cd', options.cwd, ...full];
    const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
    if (env.length > 0) full = ['env', ...env, ...full];
    if (this.sudo) full = ['sudo', '-n', '--', ...full];
    return full.map(shellQuote).join(' ');
  }

  private async openChannel(command: string): Promise<ClientChannel> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await new Promise<ClientChannel>((resolve, reject) => {
          this.client.exec(command, (err, channel) => {
            if (err) reject(err);
            else resolve(channel);
          });
        });
      } catch (e) {
        // sshd counts a session until it has processed our close of it, so right after channels close it can
        // refuse a new one for a moment (MaxSessions); other clients' sessions on the connection count too.
        if (attempt >= 20 || !(e instanceof Error) || !/open failed/i.test(e.message)) throw e;
        await new Promise((resolve) => setTimeout(resolve, 25 * (attempt + 1)));
      }
    }
  }

  /** Runs a command on a channel; stdin (if given) is streamed in and then closed. */
  private run(
    argv: readonly string[],
    options: ExecOptions & { stdin?: Readable | Buffer; stdoutTo?: NodeJS.WritableStream },
  ): Promise<RawResult> {
    return this.limit(async () => {
      const channel = await this.openChannel(this.commandLine(argv, options, true));
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let pid: number | undefined;
      let pending: Buffer | undefined = Buffer.alloc(0);
      let timedOut = false;
      if (options.stdoutTo) channel.pipe(options.stdoutTo);
      else channel.on('data', (d: Buffer) => out.push(d));
      channel.stderr.on('data', (d: Buffer) => {
        if (pending === undefined) return void err.push(d);
        const joined = Buffer.concat([pending, d]);
        const nl = joined.indexOf(10);
        if (nl < 0) return void (pending = joined);
        const first = Number(joined.subarray(0, nl).toString());
        if (Number.isInteger(first) && first > 0) {
          pid = first;
          // A timeout that fired before the pid arrived kills now.
          if (timedOut) void this.killGroup(first);
        } else err.push(joined.subarray(0, nl + 1));
        err.push(joined.subarray(nl + 1));
        pending = undefined;
      });
      const stop = (): void => {
        if (timedOut) return;
        timedOut = true;
        if (pid !== undefined) void this.killGroup(pid);
        try {
          channel.signal('KILL');
        } catch {
          // Servers may refuse signals; the group kill above and closing the channel still apply.
        }
        setTimeout(() => {
          channel.close();
        }, 2000).unref();
      };
      const timer = setTimeout(stop, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const onAbort = (): void => {
        stop();
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) stop();
      const stdin = options.stdin;
      if (stdin === undefined) channel.end();
      else if (Buffer.isBuffer(stdin)) channel.end(stdin);
      else stdin.pipe(channel);
      try {
        const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => {
          channel.on('close', (c: number | null | undefined, s: string | undefined) => {
            resolve([c ?? null, s ?? null]);
          });
        });
        if (pending !== undefined && pending.length > 0) err.push(pending);
        return {
          exitCode: timedOut ? null : code,
          signal: timedOut ? 'SIGKILL' : signal === null ? null : `SIG${signal.replace(/^SIG/, '')}`,
          stdout: Buffer.concat(out),
          stderr: Buffer.concat(err).toString('utf8'),
          timedOut,
        };
      } finally {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      }
    });
  }

  private async killGroup(pid: number): Promise<void> {
    // Not through the semaphore's queue position of the command it kills: a kill must not wait behind it.
    const command = this.commandLine(killCommandArgv(pid), {}, false);
    await this.openChannel(command)
      .then((ch) => {
        ch.resume();
        ch.stderr.resume();
        ch.end();
      })
      .catch(() => undefined);
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new Error('exec needs a command');
    const raw = await this.run(argv, options);
    return { ...raw, stdout: raw.stdout.toString('utf8') };
  }

  private async writeFrom(remotePath: string, stdin: Readable | Buffer, mode: number): Promise<void> {
    const argv = [
      'sh',
      '-c',
      'mkdir -p "$(dirname "$1")" && cat >"$1.faultline-tmp" && chmod "$2" "$1.faultline-tmp" && mv -f "$1.faultline-tmp" "$1"',
      'faultline-write',
      remotePath,
      mode.toString(8),
    ];
    const result = await this.run(argv, { stdin, timeoutMs: 300_000 });
    if (result.exitCode !== 0)
      throw new RemoteCommandError(this.name, argv, { ...result, stdout: result.stdout.toString() });
  }

  async writeFile(remotePath: string, content: string | Uint8Array, options: { mode?: number } = {}): Promise<void> {
    await this.writeFrom(remotePath, Buffer.from(content), options.mode ?? 0o644);
  }

  async upload(localPath: string, remotePath: string, options: { mode?: number } = {}): Promise<void> {
    const mode = options.mode ?? (await stat(localPath)).mode & 0o777;
    await this.writeFrom(remotePath, createReadStream(localPath), mode);
  }

  async readFile(remotePath: string): Promise<Buffer> {
    const argv = ['cat', '--', remotePath];
    const result = await this.run(argv, { timeoutMs: 300_000 });
    if (result.exitCode !== 0) throw new RemoteCommandError(this.name, argv, { ...result, stdout: '' });
    return result.stdout;
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    await mkdir(dirname(localPath), { recursive: true });
    const argv = ['cat', '--', remotePath];
    const file = createWriteStream(localPath);
    const result = await this.run(argv, { timeoutMs: 300_000, stdoutTo: file });
    if (!file.writableFinished)
      await new Promise<void>((resolve) =>
        file.once('finish', () => {
          resolve();
        }),
      );
    if (result.exitCode !== 0) throw new RemoteCommandError(this.name, argv, { ...result, stdout: '' });
  }

  /**
   * One exec channel for as long as the process runs. It is opened outside the channel limit (it would hold a
   * slot for the whole run) but counts against the host's MaxSessions: one such process per host, with the
   * limit's 8 and a kill's channel, stays within OpenSSH's 10. Its stdin is never closed from here.
   */
  async spawnAttached(argv: readonly string[], options: AttachedProcessOptions = {}): Promise<AttachedProcess> {
    if (argv.length === 0) throw new Error('spawnAttached needs a command');
    const channel = await this.openChannel(this.commandLine(argv, options, true));
    // A write after the process ended fails on the channel: that message is lost, as on a crash.
    channel.on('error', () => undefined);
    const stdout = new PassThrough();
    const stderr = new PidLineSplitter();
    channel.pipe(stdout);
    channel.stderr.pipe(stderr);
    const exited = new Promise<{ exitCode: number | null; signal: string | null }>((resolve) => {
      channel.on('close', (code: number | null | undefined, signal: string | undefined) => {
        resolve({ exitCode: code ?? null, signal: signal === undefined ? null : `SIG${signal.replace(/^SIG/, '')}` });
      });
    });
    return attachedProcess(this, argv, {
      stdout,
      stderr,
      exited,
      write: (data) => channel.write(data),
      detach: () => {
        channel.close();
      },
    });
  }

  startDaemon(spec: DaemonSpec): Promise<DaemonHandle> {
    return startDaemonByExec(this, spec);
  }

  signalDaemon(name: string, signal: NodeJS.Signals, options: { pidFile?: string } = {}): Promise<boolean> {
    return signalDaemonByExec(this, name, signal, options);
  }

  close(): Promise<void> {
    this.client.end();
    return Promise.resolve();
  }
}

/** Connects to one ssh host (see SshHostConfig). */
export function connectSsh(config: SshConnectConfig): Promise<SshRemote> {
  return SshRemote.connect(config);
}
