// Copies each node's log files (SystemDefinition.logFiles) into <run>/logs/<node>/. Runs in teardown, so it
// reports problems instead of throwing: a missing log must not hide why the run failed.
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { NodeContext, SystemDefinition } from '../plugin.ts';
import type { Remote } from '../nodes/remote.ts';

export async function collectNodeLogs(
  nodes: readonly Remote[],
  system: SystemDefinition,
  context: (node: Remote) => NodeContext,
  logsDir: string,
): Promise<string[]> {
  const problems: string[] = [];
  await Promise.all(
    nodes.map(async (node) => {
      const dir = join(logsDir, node.name);
      mkdirSync(dir, { recursive: true });
      let files: string[] = [];
      try {
        files = system.logFiles?.(context(node)) ?? [];
      } catch (e) {
        problems.push(`${node.name}: logFiles() threw: ${e instanceof Error ? e.message : String(e)}`);
      }
      for (const file of files) {
        try {
          await node.download(file, join(dir, basename(file)));
        } catch (e) {
          problems.push(`${node.name}:${file}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }),
  );
  return problems;
}
