// `faultline list`: what this installation offers: built-in systems, workloads, faults and checkers.
import type { Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { listCheckers } from '../../../checkers/registry.ts';
import { builtInSystemNames, loadBuiltInSystem } from '../../../systems-under-test/index.ts';
import { listWorkloads } from '../../workloads/index.ts';
import { faultKinds as faultKindNames, faultPackage } from '../../../nemesis/index.ts';

/** The fault kinds a campaign's nemesis.faults may name, with what each does (from their packages). */
export const faultKinds: readonly { kind: string; description: string }[] = faultKindNames.map((kind) => ({
  kind,
  description: faultPackage(kind).description,
}));

export async function listText(): Promise<string> {
  const lines: string[] = [pc.bold('systems') + ' (campaign `system:`; or a path to your own module)'];
  for (const name of builtInSystemNames()) {
    try {
      const s = await loadBuiltInSystem(name);
      const optional = (['install', 'ready', 'clusterReady', 'logFiles', 'primary'] as const).filter(
        (h) => s?.[h] !== undefined,
      );
      const guarantees = s?.guarantees?.length ? ` [claims: ${s.guarantees.join(', ')}]` : '';
      const workloads = s?.workloads !== undefined ? ` [workloads: ${s.workloads.join(', ')}]` : '';
      lines.push(
        `  ${name.padEnd(16)} ${s?.description ?? ''}${guarantees}${workloads}${optional.length > 0 ? ` (has ${optional.join(', ')})` : ''}`,
      );
    } catch (e) {
      lines.push(`  ${name.padEnd(16)} ${pc.yellow(`failed to load: ${e instanceof Error ? e.message : String(e)}`)}`);
    }
  }
  lines.push('', pc.bold('workloads') + ' (campaign `workload.name`)');
  for (const w of listWorkloads()) lines.push(`  ${w.name.padEnd(16)} ${w.description} [ops: ${w.fs.join(', ')}]`);
  lines.push('', pc.bold('faults') + ' (campaign `nemesis.faults[].kind`; `faultline doctor` says which work here)');
  for (const f of faultKinds) lines.push(`  ${f.kind.padEnd(16)} ${f.description}`);
  lines.push('', pc.bold('checkers') + ' (campaign `checkers:`)');
  for (const c of listCheckers().sort((a, b) => a.name.localeCompare(b.name)))
    lines.push(`  ${c.name.padEnd(16)} ${c.description}`);
  return lines.join('\n') + '\n';
}

export function registerList(program: Command): void {
  program
    .command('list')
    .description('List built-in systems, workloads, faults and checkers')
    .action(async () => {
      process.stdout.write(await listText());
    });
}
