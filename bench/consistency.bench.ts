// Benchmark of the sequential, causal and session-guarantee checkers on 100,000-op key-value histories with
// unique values (issue 4 targets: session guarantees and CC/CCv under 2 s each, CM under 10 s; the SC
// search's reach). Histories come from the in-memory store simulations, valid ones being the worst case
// (no early exit). Run: node --import tsx bench/consistency.bench.ts [ops] [scBudgetMs]
import { pairOperations } from '../checkers/history.ts';
import type { Operation } from '../checkers/history.ts';
import { getChecker } from '../checkers/registry.ts';
import { checkSequential } from '../checkers/sequential/sequential.ts';
import { simulateStore } from '../checkers/testing/stores.ts';
import type { StoreDesign } from '../checkers/testing/stores.ts';

const ops = Number(process.argv[2] ?? 100_000);
const scBudgetMs = Number(process.argv[3] ?? 20_000);

const targetsMs: Record<string, number> = {
  'monotonic-reads': 2000,
  'monotonic-writes': 2000,
  'read-your-writes': 2000,
  'writes-follow-reads': 2000,
  session: 2000,
  'causal-cc': 2000,
  'causal-ccv': 2000,
  'causal-cm': 10_000,
};

function history(design: StoreDesign, processes: number, keys: number): Operation[] {
  const t = performance.now();
  const h = pairOperations(simulateStore({ design, seed: 42, processes, keys, ops }));
  console.log(
    `history: ${design} store, ${h.length} ops, ${processes} processes, ${keys} keys (generated in ${Math.round(performance.now() - t)} ms)`,
  );
  return h;
}

/** CPU time of this process: on a shared machine, wall time also counts waiting for a core. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function timeCheckers(operations: Operation[]): Promise<void> {
  for (const [name, target] of Object.entries(targetsMs)) {
    const checker = getChecker(name)!;
    const t = performance.now();
    const cpu = process.cpuUsage();
    const result = await checker.check(operations);
    const ms = performance.now() - t;
    const cpuMs = cpuMsSince(cpu);
    // Judged on CPU time: on a shared machine wall time mostly measures the wait for a core.
    const mark = cpuMs <= target ? 'ok' : 'OVER TARGET';
    console.log(
      `  ${name.padEnd(20)} ${String(Math.round(ms)).padStart(6)} ms  wall, ${String(Math.round(cpuMs)).padStart(5)} ms cpu (target < ${target} ms cpu: ${mark})  valid=${String(result.valid)}`,
    );
  }
}

function scReach(operations: Operation[], label: string, budgetMs: number): void {
  const t = performance.now();
  const r = checkSequential(operations, { timeBudgetMs: budgetMs, maxSearchStates: 5_000_000 });
  const ms = Math.round(performance.now() - t);
  const placed = r.stats['searchPlaced'];
  const reach =
    r.valid === 'unknown' ? `reached ${placed} of ${r.stats['searchOps']} ops in one sequential order` : 'decided';
  console.log(
    `  sequential (${label}): valid=${String(r.valid)} in ${ms} ms, ${r.stats['searchStates'] ?? 0} frontiers; ${reach}`,
  );
}

console.log(`consistency checkers on ${ops}-op histories (SC search budget ${scBudgetMs} ms in all)`);
const sequentialStore = history('sequential', 8, 200);
await timeCheckers(sequentialStore);
const causalStore = history('causal-lww', 8, 200);
await timeCheckers(causalStore);
const linearizableStore = history('linearizable', 8, 200);
const crowdedStore = history('sequential', 32, 20);
const reachCases: [Operation[], string][] = [
  [linearizableStore, 'linearizable store, 8 processes'],
  [sequentialStore, 'sequential store, 8 processes, lagging readers'],
  [crowdedStore, 'sequential store, 32 processes on 20 keys'],
  [causalStore, 'causal store: CCv by design, usually not SC'],
];
console.log(`SC search reach (${scBudgetMs} ms in all):`);
for (const [operations, label] of reachCases) scReach(operations, label, scBudgetMs / reachCases.length);
