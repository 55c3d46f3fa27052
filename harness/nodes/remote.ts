// The one way the harness, the nemesis and systems touch a node. Two implementations: docker (dockerode)
// and ssh (ssh2). Arguments are argv arrays, never strings glued together from values; the rare shell
// snippet goes through `shellQuote`.

export interface ExecOptions {
  /** Kill the command after this long; the result then has timedOut: true. Default 60 s. */
  timeoutMs?: number;
  env?: Record<string, string>;
  cwd?: string;
  /** Cancels the command (e.g. Ctrl-C); the result then has timedOut: true. */
  signal?: AbortSignal;
}

export interface ExecResult {
  /** null when the command was ended by a signal or a timeout. */
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface DaemonSpec {
  /** Names the daemon on this node: its pidfile and log file derive from it unless given. */
  name: string;
  argv: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Default /var/run/faultline/<name>.pid. */
  pidFile?: string;
  /** Default /var/log/faultline/<name>.log; stdout and stderr both go there. */
  logFile?: string;
}

export interface DaemonHandle {
  name: string;
  pid: number;
  pidFile: string;
  logFile: string;
}

export interface Remote {
  /** The node's name (n1, n2, ... or the ssh host's name). */
  readonly name: string;
  /** The address other nodes reach it at. */
  readonly address: string;
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  upload(localPath: string, remotePath: string, options?: { mode?: number }): Promise<void>;
  download(remotePath: string, localPath: string): Promise<void>;
  writeFile(remotePath: string, content: string | Uint8Array, options?: { mode?: number }): Promise<void>;
  readFile(remotePath: string): Promise<Buffer>;
  /** Starts a background process that outlives this call; returns once its pid is known. */
  startDaemon(spec: DaemonSpec): Promise<DaemonHandle>;
  /** Sends a signal to the daemon's process (by the pid in its pidfile). Resolves false if it was not running. */
  signalDaemon(name: string, signal: NodeJS.Signals, options?: { pidFile?: string }): Promise<boolean>;
  /** Releases the connection; does not stop the node. */
  close(): Promise<void>;
}

/** A command that failed on a node, with everything a user needs to act on it. */
export class RemoteCommandError extends Error {
  readonly node: string;
  readonly argv: readonly string[];
  readonly result: ExecResult;
  constructor(node: string, argv: readonly string[], result: ExecResult) {
    const how = result.timedOut
      ? 'timed out'
      : result.exitCode !== null
        ? `exited ${result.exitCode}`
        : `was killed by ${result.signal ?? 'a signal'}`;
    const tail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-10).join('\n');
    super(`on ${node}: \`${argv.map(shellQuote).join(' ')}\` ${how}${tail ? `\n${tail}` : ''}`);
    this.name = 'RemoteCommandError';
    this.node = node;
    this.argv = argv;
    this.result = result;
  }
}

/** Runs argv and throws a RemoteCommandError unless it exits 0. Returns stdout. */
export async function execOrThrow(remote: Remote, argv: readonly string[], options?: ExecOptions): Promise<string> {
  const result = await remote.exec(argv, options);
  if (result.exitCode !== 0) throw new RemoteCommandError(remote.name, argv, result);
  return result.stdout;
}

/** POSIX single-quote escaping, for the rare shell snippet. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_\-./=:@,+%]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}
