// Every consistency checker, in one explicit list: `faultline check --checker NAME`, `faultline list`, campaign
// files, the run and the consistency profile all read it. To add a checker, import it here and add one entry
// to `registeredCheckers`, naming the workload models whose histories it judges (harness/workloads: register,
// set, counter, list-append, rw-register, unique-ids, echo); checkers for transactional histories (Elle, dbcop, Plume) say so in `appliesTo`.
import { causalChecker, causalConvergenceChecker } from './causal/causal.ts';
import { causalMemoryChecker } from './causal/causalMemory.ts';
import { transactionalCausalChecker } from './causal/transactionalCausal.ts';
import { linearizableChecker } from './linearizable/index.ts';
import type { ConsistencyChecker } from './result.ts';
import { counterChecker } from './counter/counter.ts';
import { uniqueIdsChecker } from './uniqueIds/uniqueIds.ts';
import { echoChecker } from './echo/echo.ts';
import { sequentialChecker } from './sequential/sequential.ts';
import { setChecker } from './set/index.ts';
import { isolationChecker, isolationLevelCheckers } from './transactional/index.ts';
import { sessionChecker, sessionGuaranteeCheckers } from './session/sessionCheckers.ts';

export interface RegisteredChecker {
  checker: ConsistencyChecker;
  /** The workload models (Workload.model) whose histories this checker judges; [] for none of faultline's own. */
  workloadModels: readonly string[];
}

export const registeredCheckers: readonly RegisteredChecker[] = [
  { checker: linearizableChecker, workloadModels: ['register'] },
  { checker: sequentialChecker, workloadModels: ['register'] },
  { checker: causalChecker, workloadModels: ['register'] },
  { checker: causalConvergenceChecker, workloadModels: ['register'] },
  { checker: causalMemoryChecker, workloadModels: ['register'] },
  ...sessionGuaranteeCheckers.map((checker) => ({ checker, workloadModels: ['register'] })),
  { checker: sessionChecker, workloadModels: ['register'] },
  { checker: setChecker, workloadModels: ['set'] },
  { checker: counterChecker, workloadModels: ['counter'] },
  { checker: uniqueIdsChecker, workloadModels: ['unique-ids'] },
  { checker: echoChecker, workloadModels: ['echo'] },
  // Register transactions (dbcop, Plume, Elle rw-register); no faultline workload writes them yet.
  { checker: transactionalCausalChecker, workloadModels: [] },
  // Elle-class isolation levels for list-append and rw-register transactions, strongest first.
  ...isolationLevelCheckers.map((checker) => ({ checker, workloadModels: ['list-append', 'rw-register'] })),
  { checker: isolationChecker, workloadModels: ['list-append', 'rw-register'] },
];

const byName = new Map<string, RegisteredChecker>();
for (const entry of registeredCheckers) {
  if (byName.has(entry.checker.name)) throw new Error(`checker ${entry.checker.name} is listed twice`);
  byName.set(entry.checker.name, entry);
}

export function getChecker(name: string): ConsistencyChecker | undefined {
  return byName.get(name)?.checker;
}

export function listCheckers(): ConsistencyChecker[] {
  return registeredCheckers.map((entry) => entry.checker);
}

/** The checkers that judge histories of this workload model, in list order. */
export function checkersForWorkloadModel(model: string): ConsistencyChecker[] {
  return registeredCheckers.filter((entry) => entry.workloadModels.includes(model)).map((entry) => entry.checker);
}
