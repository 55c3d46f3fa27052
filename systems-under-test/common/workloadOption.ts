// The SQL adapters keep their tables per workload and their node hooks (which are not told the campaign's
// workload) read it from `options.workload`. A client is told the workload it serves, so the two are matched
// here: absent, the option is taken from the client's workload; different, the campaign contradicts itself,
// and every txn would fail against the wrong table, so the client refuses to open.
import type { WorkloadInfo } from '../../harness/plugin.ts';

export function withServedWorkload(
  system: string,
  options: Record<string, unknown>,
  served: WorkloadInfo | undefined,
): Record<string, unknown> {
  if (served === undefined) return options;
  const given = options['workload'];
  if (given === undefined) return { ...options, workload: served.name };
  if (given === served.name) return options;
  throw new Error(
    `${system}: system option workload ${JSON.stringify(given)} differs from the campaign's workload.name ${JSON.stringify(served.name)}: give the same name in both, or drop the option`,
  );
}
