// The argv that start and signal daemons on a node, shared by the docker and ssh backends. The shell snippets
// are constants; every value reaches them as a positional argument, never spliced into the script.
import { RemoteCommandError } from './remote.ts';
import type { DaemonHandle, DaemonSpec, Remote } from './remote.ts';

export function daemonPaths(spec: { name: string; pidFile?: string; logFile?: string }): {
  pidFile: string;
  logFile: string;
} {
  return {
    pidFile: spec.pidFile ?? `/var/run/faultline/${spec.name}.pid`,
    logFile: spec.logFile ?? `/var/log/faultline/${spec.name}.log`,
  };
}

// $1 pidfile, $2 logfile, $3 cwd ('' for none), then the daemon's argv. If the pidfile names a live process
// the daemon is already running and its pid is printed again (as Jepsen's start-daemon! does). Otherwise the
// daemon is detached into its own session (setsid: so a signal to its group reaches its children, and it
// survives the exec that started it), its output appended to the log, and its pid printed.
const START = [
  'pidfile=$1; logfile=$2; dir=$3; shift 3',
  'mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")" || exit 1',
  'if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then cat "$pidfile"; exit 0; fi',
  'if [ -n "$dir" ]; then cd "$dir" || exit 1; fi',
  'setsid "$@" >>"$logfile" 2>&1 </dev/null &',
  'pid=$!',
  'echo "$pid" >"$pidfile"',
  'echo "$pid"',
].join('\n');

export function startDaemonArgv(spec: DaemonSpec): string[] {
  const { pidFile, logFile } = daemonPaths(spec);
  const env = Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`);
  return [
    ...(env.length > 0 ? ['env', ...env] : []),
    'sh',
    '-c',
    START,
    'faultline-start',
    pidFile,
    logFile,
    spec.cwd ?? '',
    ...spec.argv,
  ];
}

// $1 pidfile, $2 signal name. Exit 3: not running. The daemon leads its own process group (setsid above),
// so the group is signalled; a process started some other way is signalled alone.
const SIGNAL = [
  'pid=$(cat "$1" 2>/dev/null) || exit 3',
  '[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || exit 3',
  // dash's kill takes `--` only after `-s SIG`, not after `-SIG`.
  'kill -s "$2" -- "-$pid" 2>/dev/null || kill -s "$2" "$pid"',
].join('\n');

export function signalDaemonArgv(pidFile: string, signal: NodeJS.Signals): string[] {
  return ['sh', '-c', SIGNAL, 'faultline-signal', pidFile, signal.replace(/^SIG/, '')];
}

export const NOT_RUNNING_EXIT = 3;

// $1 pid, $2 signal name. Signals the process group the pid is in (read from /proc, since under sudo the group
// is sudo's rather than the command's own: sudo stops itself when its command stops, and must be continued
// with it), never group 1; falls back to the pid alone.
const SIGNAL_GROUP = [
  'pg=$(sed "s/.*) //" "/proc/$1/stat" 2>/dev/null | cut -d" " -f3)',
  'if [ -n "$pg" ] && [ "$pg" -gt 1 ]; then kill -s "$2" -- "-$pg" 2>/dev/null && exit 0; fi',
  'kill -s "$2" "$1"',
].join('\n');

/** The argv that signals a command started by an exec that reported its pid, with its children (and sudo). */
export function signalCommandArgv(pid: number, signal: NodeJS.Signals): string[] {
  return ['sh', '-c', SIGNAL_GROUP, 'faultline-signal-group', String(pid), signal.replace(/^SIG/, '')];
}

/** The argv that kills a command (started by an exec that reported its pid) with its children. */
export function killCommandArgv(pid: number): string[] {
  return signalCommandArgv(pid, 'SIGKILL');
}

/** Remote.startDaemon for backends that run commands on the node (docker, ssh): one exec of the start script. */
export async function startDaemonByExec(node: Pick<Remote, 'name' | 'exec'>, spec: DaemonSpec): Promise<DaemonHandle> {
  const argv = startDaemonArgv(spec);
  const result = await node.exec(argv, { timeoutMs: 30_000 });
  const pid = Number(result.stdout.trim().split('\n').pop());
  if (result.exitCode !== 0 || !Number.isInteger(pid) || pid <= 0)
    throw new RemoteCommandError(node.name, argv, result);
  return { name: spec.name, pid, ...daemonPaths(spec) };
}

/** Remote.signalDaemon for backends that run commands on the node: false when the daemon is not running. */
export async function signalDaemonByExec(
  node: Pick<Remote, 'name' | 'exec'>,
  name: string,
  signal: NodeJS.Signals,
  options: { pidFile?: string } = {},
): Promise<boolean> {
  const argv = signalDaemonArgv(daemonPaths({ name, ...options }).pidFile, signal);
  const result = await node.exec(argv, { timeoutMs: 10_000 });
  if (result.exitCode === NOT_RUNNING_EXIT) return false;
  if (result.exitCode !== 0) throw new RemoteCommandError(node.name, argv, result);
  return true;
}
