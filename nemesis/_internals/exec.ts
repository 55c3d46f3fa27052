// The two ways the nemesis runs a command on a node: one that must succeed, and one whose failure is an answer
// (e.g. "no such chain" while healing). A timeout is never an answer.
import type { ExecResult, Remote } from '../../harness/nodes/remote.ts';
import { NemesisCommandError } from '../nemesisCommandError.ts';

const defaultTimeoutMs = 20_000;

export async function mustExec(remote: Remote, argv: readonly string[], timeoutMs = defaultTimeoutMs): Promise<string> {
  const result = await remote.exec(argv, { timeoutMs });
  if (result.exitCode !== 0) throw new NemesisCommandError(remote.name, argv, result);
  return result.stdout;
}

export async function tryExec(
  remote: Remote,
  argv: readonly string[],
  timeoutMs = defaultTimeoutMs,
): Promise<ExecResult> {
  const result = await remote.exec(argv, { timeoutMs });
  if (result.timedOut) throw new NemesisCommandError(remote.name, argv, result);
  return result;
}
