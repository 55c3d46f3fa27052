// nemesis/ imports only types from the harness (its DEPS rule), so it carries its own error for a command
// that failed on a node: the node, the argv and the result, and a stable code callers can match on.
import type { ExecResult } from '../harness/nodes/remote.ts';

export class NemesisCommandError extends Error {
  readonly code = 'nemesis-command-failed';
  readonly node: string;
  readonly argv: readonly string[];
  readonly result: ExecResult;
  constructor(node: string, argv: readonly string[], result: ExecResult) {
    const how = result.timedOut ? 'timed out' : result.exitCode !== null ? `exited ${result.exitCode}` : 'was killed';
    const tail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join('\n');
    super(`on ${node}: \`${argv.join(' ')}\` ${how}${tail ? `: ${tail}` : ''}`);
    this.name = 'NemesisCommandError';
    this.node = node;
    this.argv = argv;
    this.result = result;
  }
}
