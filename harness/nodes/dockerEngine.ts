// Connecting to the Docker engine, with an error a user can act on when none answers.
import Docker from 'dockerode';
import { UserError } from '../errors.ts';

/** The label every container and network of a run carries; `faultline clean` finds leftovers by it. */
export const RUN_LABEL = 'faultline.run';
/** The node's name (n1, n2, ...) on its container. */
export const NODE_LABEL = 'faultline.node';
/** host:pid of the controller that made it: `faultline clean` leaves live runs alone. */
export const OWNER_LABEL = 'faultline.owner';

let shared: Docker | undefined;

// dockerode's ping takes an abortSignal, which its types do not declare.
type PingWithOptions = (options: { abortSignal: AbortSignal }) => Promise<unknown>;
async function ping(docker: Docker, timeoutMs: number): Promise<void> {
  await (docker.ping as unknown as PingWithOptions).call(docker, { abortSignal: AbortSignal.timeout(timeoutMs) });
}

/** Where the engine is expected, for messages. */
export function engineAddress(): string {
  return process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

/** A dockerode client (DOCKER_HOST or the default socket), shared by the process. Does not check the engine. */
export function dockerClient(): Docker {
  shared ??= new Docker();
  return shared;
}

/** The client, once the engine has answered a ping; otherwise a UserError saying how to start one. */
export async function connectEngine(options: { timeoutMs?: number } = {}): Promise<Docker> {
  const docker = dockerClient();
  try {
    await ping(docker, options.timeoutMs ?? 5000);
  } catch (e) {
    throw engineNotRunning(e);
  }
  return docker;
}

/** True when an engine answers within the time given (for tests that skip without one). */
export async function engineAnswers(timeoutMs = 3000): Promise<boolean> {
  try {
    await ping(dockerClient(), timeoutMs);
    return true;
  } catch {
    return false;
  }
}

export function engineNotRunning(cause: unknown): UserError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new UserError(
    `No Docker engine answers at ${engineAddress()} (${why}).`,
    'Start one: as root on Debian, `bash docker/ensure-engine.sh` installs and starts it; elsewhere start Docker ' +
      '(Docker Desktop, `sudo systemctl start docker`), or set DOCKER_HOST to where your engine listens.',
  );
}
