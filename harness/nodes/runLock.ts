// Whether a run's harness is still alive, in a way that holds across PID namespaces (a host:pid label means
// nothing under `unshare` or in a container): the live harness listens on a Unix socket named after its run
// id, and `clean` tries to connect. A dead process cannot accept, whatever its pid was; the kernel closes
// the listening socket when the process dies, however it dies (SIGKILL included). A stopped (SIGSTOP) harness
// still counts as live: the kernel completes the connect from the socket's backlog.
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Short and fixed in length: a socket path must fit in 107 bytes, and run ids can be long. */
export function runLockPath(runId: string): string {
  const digest = createHash('sha256').update(runId).digest('hex').slice(0, 20);
  return join(tmpdir(), `faultline-run-${digest}.sock`);
}

export interface RunLock {
  release(): Promise<void>;
}

/** Marks the run live until released (or until this process dies). */
export async function holdRunLock(runId: string): Promise<RunLock> {
  const path = runLockPath(runId);
  if (await runLockHeld(runId)) throw new Error(`run ${runId} is already held by a live faultline process`);
  // A stale socket file from a killed run: nothing listens on it, so it can go.
  rmSync(path, { force: true });
  const server: Server = createServer((socket) => {
    socket.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Never what keeps the process alive.
  server.unref();
  return {
    release: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** True when a live process holds the run's lock. */
export function runLockHeld(runId: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = createConnection(runLockPath(runId));
    const done = (held: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(held);
    };
    // No answer in time: something holds the socket open, so count the run as live rather than remove it.
    const timer = setTimeout(() => {
      done(true);
    }, timeoutMs);
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}
