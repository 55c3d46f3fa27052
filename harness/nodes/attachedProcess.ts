// What the docker and ssh backends' spawnAttached share once their stream is open: the pid from the wrapper's
// first stderr line, signals sent by a `kill` of its process group on the node (its children, and sudo over
// ssh, get them too), writes dropped once the process has ended.
import { signalCommandArgv } from './daemonScripts.ts';
import type { PidLineSplitter } from './pidLine.ts';
import { shellQuote } from './remote.ts';
import type { AttachedProcess, Remote } from './remote.ts';

export interface OpenedStream {
  stdout: NodeJS.ReadableStream;
  /** The command's stderr, with the wrapper's pid line split off. */
  stderr: PidLineSplitter;
  /** Resolves once the process and its streams have ended. */
  exited: Promise<{ exitCode: number | null; signal: string | null }>;
  write(data: string | Uint8Array): void;
  detach(): void;
}

/** The AttachedProcess over an opened stream, once its pid is in; throws if it ends before saying it. */
export async function attachedProcess(
  remote: Remote,
  argv: readonly string[],
  opened: OpenedStream,
): Promise<AttachedProcess> {
  let ended = false;
  const exited = opened.exited.then((end) => {
    ended = true;
    return end;
  });
  const pid = await Promise.race([opened.stderr.pid, exited.then(() => undefined)]);
  if (pid === undefined) {
    const { exitCode } = await exited;
    throw new Error(
      `on ${remote.name}: \`${argv.map(shellQuote).join(' ')}\` ended (exit code ${exitCode ?? 'unknown'}) before it started`,
    );
  }
  return {
    pid,
    write: (data) => {
      if (!ended) opened.write(data);
    },
    stdout: opened.stdout,
    stderr: opened.stderr,
    exited,
    signal: async (signal) => {
      if (ended) return false;
      const r = await remote.exec(signalCommandArgv(pid, signal), { timeoutMs: 10_000 });
      return r.exitCode === 0;
    },
    detach: () => {
      opened.detach();
    },
  };
}
