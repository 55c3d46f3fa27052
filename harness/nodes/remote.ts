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

/**
 * A process on a node whose stdin, stdout and stderr stay connected to the harness while it runs (a long-lived
 * exec with attached streams), for a system whose nodes talk to the harness over stdio (Maelstrom's protocol).
 */
export interface AttachedProcess {
  /** Its pid on the node. */
  readonly pid: number;
  /** Lines or bytes for its stdin. Stdin is never closed from here: stop the process with a signal. */
  write(data: string | Uint8Array): void;
  readonly stdout: NodeJS.ReadableStream;
  readonly stderr: NodeJS.ReadableStream;
  /**
   * Resolves once it has ended and both streams have ended. `signal` is set when the backend knows a signal
   * ended it; docker and ssh report such an end as exit code 128+N, as a shell does.
   */
  readonly exited: Promise<{ exitCode: number | null; signal: string | null }>;
  /** Sends a signal to its process group on the node (its children, and sudo over ssh); false once it has ended. */
  signal(signal: NodeJS.Signals): Promise<boolean>;
  /** Drops the harness's end of its streams (after a kill that did not end them); does not signal it. */
  detach(): void;
}

export interface AttachedProcessOptions {
  env?: Record<string, string>;
  /** Its working directory on the node (created by the caller). */
  cwd?: string;
}

/** One file of an uploadFiles call. */
export interface UploadedFile {
  localPath: string;
  /** Absolute, on the node; parent folders are created. */
  remotePath: string;
  /** Default: the local file's permission bits. */
  mode?: number;
}

export interface Remote {
  /** The node's name (n1, n2, ... or the ssh host's name). */
  readonly name: string;
  /** The address other nodes reach it at. */
  readonly address: string;
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  upload(localPath: string, remotePath: string, options?: { mode?: number }): Promise<void>;
  download(remotePath: string, localPath: string): Promise<void>;
  /** Many files in one transfer where the backend can (docker: one archive); `uploadFiles` below falls back. */
  uploadFiles?(files: readonly UploadedFile[]): Promise<void>;
  writeFile(remotePath: string, content: string | Uint8Array, options?: { mode?: number }): Promise<void>;
  readFile(remotePath: string): Promise<Buffer>;
  /** Starts a background process that outlives this call; returns once its pid is known. */
  startDaemon(spec: DaemonSpec): Promise<DaemonHandle>;
  /** Sends a signal to the daemon's process (by the pid in its pidfile). Resolves false if it was not running. */
  signalDaemon(name: string, signal: NodeJS.Signals, options?: { pidFile?: string }): Promise<boolean>;
  /**
   * Starts argv (no shell) with its stdio attached to the harness; resolves once its pid is known. Backends whose
   * node is a container or a host have it; the local backend's nodes are processes of the harness already.
   */
  spawnAttached?(argv: readonly string[], options?: AttachedProcessOptions): Promise<AttachedProcess>;
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

/** Copies files to a node: in one transfer where its backend has one, else a few uploads at a time. */
export async function uploadFiles(remote: Remote, files: readonly UploadedFile[]): Promise<void> {
  if (remote.uploadFiles !== undefined) {
    await remote.uploadFiles(files);
    return;
  }
  for (let i = 0; i < files.length; i += 8)
    await Promise.all(
      files
        .slice(i, i + 8)
        .map((f) => remote.upload(f.localPath, f.remotePath, f.mode !== undefined ? { mode: f.mode } : {})),
    );
}

/** POSIX single-quote escaping, for the rare shell snippet. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_\-./=:@,+%]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}
