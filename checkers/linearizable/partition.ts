// Splitting a history into independently checkable partitions, and deciding one partition: the
// unique-value fast path when it applies, else the general search. Pure; used on the main thread and in workers.
import type { Operation } from '../history.ts';
import type { ViolationDetail } from '../result.ts';
import { canonicalKey, modelIncludes } from '../models/model.ts';
import type { MemberAccess, Model } from '../models/model.ts';
import { checkPartition, startPartitionSearch } from './wgl.ts';
import type { LinearizationStep, PartitionSearch, SearchBudget } from './wgl.ts';
import { settleIndeterminate } from './indeterminate.ts';
import { checkGrowOnlySets } from './setChains.ts';
import { checkUniqueValueRegister } from './zones.ts';

export interface Partition {
  key: string;
  ops: Operation[];
  /** Values of failed writes in this partition, to name aborted reads. */
  failedWrites: string[];
  /** Indeterminate writes dropped as never observed, and bounded by their first observer (indeterminate.ts). */
  droppedInfo: number;
  boundedInfo: number;
  /** The history's first invoke time, from which explanations count seconds. */
  origin: number;
}

/** A partition's verdict, as plain data (it crosses the worker boundary). */
export type PartitionReport =
  | { key: string; valid: true; algorithm: Algorithm; ops: number; timeMs: number; cached: number }
  | {
      key: string;
      valid: false;
      algorithm: Algorithm;
      ops: number;
      timeMs: number;
      cached: number;
      failedOp: number;
      /** Operation ids in the order the explanation names them. */
      involved: number[];
      longest: LinearizationStep[][];
      /** What made it fail: the zone argument, or the state the failed op met. */
      why: string;
    }
  | {
      key: string;
      valid: 'unknown';
      algorithm: Algorithm;
      ops: number;
      timeMs: number;
      cached: number;
      reason: 'time' | 'memory';
    };

export type Algorithm = 'zones' | 'search';

/** Partitions larger than this keep the zone explanation instead of re-running the search for a timeline. */
const maxOpsForSearchDetail = 5000;

/**
 * The search that draws partial linearizations for a violation the zones already proved gets as long as the
 * zones' own time, at least detailMinMs and at most detailMaxMs (and never past the check's deadline): it only
 * adds detail, and a search over hundreds of pending ops took minutes where the zones took milliseconds.
 */
const detailMinMs = 20;
const detailMaxMs = 200;
const detailPerZoneMs = 1;
const detailMemoryBytes = 64 * 1024 * 1024;

/**
 * Filters ops the model ignores, drops indeterminate read-only ops, groups the rest by partition, and settles
 * each partition's indeterminate writes (indeterminate.ts).
 */
export function partitionHistory(model: Model, operations: readonly Operation[]): Partition[] {
  let origin = Infinity;
  for (const op of operations) if (op.call < origin) origin = op.call;
  if (origin === Infinity) origin = 0;
  const byKey = new Map<string, Partition>();
  const get = (key: string): Partition => {
    let p = byKey.get(key);
    if (p === undefined)
      byKey.set(key, (p = { key, ops: [], failedWrites: [], droppedInfo: 0, boundedInfo: 0, origin }));
    return p;
  };
  for (const op of operations) {
    const key = model.partition !== undefined ? model.partition(op) : '';
    if (!modelIncludes(model, op)) {
      if (op.status === 'fail' && model.register !== undefined) {
        const v = model.register.view(op);
        if (v?.kind === 'write') get(key).failedWrites.push(canonicalKey(v.value));
      }
      continue;
    }
    // An indeterminate op that cannot change the state carries no information (checking.md §0.1).
    if (op.status === 'info' && model.readOnly?.(op) === true) continue;
    get(key).ops.push(op);
  }
  const partitions = [...byKey.values()];
  for (const p of partitions) {
    const settled = settleIndeterminate(model, p.ops);
    p.ops = settled.ops;
    p.droppedInfo = settled.dropped;
    p.boundedInfo = settled.bounded;
  }
  return partitions;
}

/** Decides one partition within the budget. Never throws for a well-formed model. */
export function decidePartition(
  model: Model,
  partition: Partition,
  budget: SearchBudget,
  detail: ViolationDetail = 'report',
): PartitionReport {
  return startDecision(model, partition, detail).run(budget);
}

/**
 * Decides a partition by the unique-value zones (checking.md §1.5) when they apply: cheap enough for the
 * calling thread whatever the size, so only partitions that need the search go to workers. null otherwise.
 */
export function decideByZones(
  model: Model,
  partition: Partition,
  budget: SearchBudget,
  detail: ViolationDetail = 'report',
): PartitionReport | null {
  if (model.members !== undefined) return decideBySetChains(model, model.members.access, partition, budget, detail);
  if (model.register === undefined) return null;
  const started = performance.now();
  const { key, ops } = partition;
  const zones = checkUniqueValueRegister(
    ops,
    model.register.initial,
    model.register.view,
    new Set(partition.failedWrites),
    partition.origin,
  );
  if (zones?.valid === true)
    return { key, valid: true, algorithm: 'zones', ops: ops.length, timeMs: performance.now() - started, cached: 0 };
  if (zones !== null && !zones.valid) {
    // The zones prove the violation; the search, when affordable, adds the partial linearizations the
    // report draws. A thin-air or aborted read is already explained fully.
    // The failed op stays the zones' own: the explanation argues from it (the search's furthest blocked
    // op may be another, and a report naming one op while arguing from others misleads).
    const simple = zones.kind === 'thin-air-read' || zones.kind === 'aborted-read';
    const detailBudget: SearchBudget = {
      deadline: Math.min(
        budget.deadline,
        performance.now() +
          Math.min(detailMaxMs, Math.max(detailMinMs, detailPerZoneMs * (performance.now() - started))),
      ),
      memoryBytes: Math.min(budget.memoryBytes, detailMemoryBytes),
    };
    const searched =
      !simple && detail === 'report' && ops.length <= maxOpsForSearchDetail
        ? checkPartition(model, ops, detailBudget)
        : undefined;
    return {
      key,
      valid: false,
      algorithm: 'zones',
      ops: ops.length,
      timeMs: performance.now() - started,
      cached: searched?.stats.cached ?? 0,
      failedOp: zones.ops[0]!,
      involved: zones.ops,
      longest: searched?.valid === false ? searched.longest : [],
      why: zones.explanation,
    };
  }
  return null;
}

/** A grow-only set with unique elements, decided by its chain of reads (setChains.ts); null otherwise. */
function decideBySetChains(
  model: Model,
  access: (op: Operation) => MemberAccess | null,
  partition: Partition,
  budget: SearchBudget,
  detail: ViolationDetail,
): PartitionReport | null {
  const started = performance.now();
  const { key, ops } = partition;
  const chains = checkGrowOnlySets(ops, access, partition.origin);
  if (chains === null) return null;
  const base = { key, algorithm: 'zones' as const, ops: ops.length, timeMs: performance.now() - started, cached: 0 };
  if (chains.valid) return { ...base, valid: true };
  // As for the zones: the search, when affordable, adds the partial linearizations the report draws; the
  // failed op stays the chains' own, which their explanation argues from.
  const detailBudget: SearchBudget = {
    deadline: Math.min(budget.deadline, performance.now() + detailMaxMs),
    memoryBytes: Math.min(budget.memoryBytes, detailMemoryBytes),
  };
  const searched =
    detail === 'report' && ops.length <= maxOpsForSearchDetail ? checkPartition(model, ops, detailBudget) : undefined;
  return {
    ...base,
    valid: false,
    timeMs: performance.now() - started,
    cached: searched?.stats.cached ?? 0,
    failedOp: chains.ops[0]!,
    involved: chains.ops,
    longest: searched?.valid === false ? searched.longest : [],
    why: chains.explanation,
  };
}

/** A partition's decision that can run in slices: a 'time' unknown from run() means call it again. */
export interface PartitionDecision {
  run(budget: SearchBudget): PartitionReport;
  /** Approximate bytes a paused search holds. */
  readonly bytes: number;
}

export function startDecision(
  model: Model,
  partition: Partition,
  detail: ViolationDetail = 'report',
): PartitionDecision {
  const { key, ops } = partition;
  let spentMs = 0;
  let search: PartitionSearch | undefined;
  const decide = (budget: SearchBudget): PartitionReport => {
    const started = performance.now();
    const elapsed = (): number => spentMs + performance.now() - started;
    if (search === undefined) {
      const zoned = decideByZones(model, partition, budget, detail);
      if (zoned !== null) return { ...zoned, timeMs: elapsed() };
    }
    search ??= startPartitionSearch(model, ops, detail === 'report');
    const outcome = search.run(budget);
    const base = { key, algorithm: 'search' as const, ops: ops.length, cached: outcome.stats.cached };
    if (outcome.valid === true) return { ...base, valid: true, timeMs: elapsed() };
    if (outcome.valid === 'unknown') return { ...base, valid: 'unknown', reason: outcome.reason, timeMs: elapsed() };
    return {
      ...base,
      valid: false,
      timeMs: elapsed(),
      failedOp: outcome.failedOp,
      involved: [outcome.failedOp],
      longest: outcome.longest,
      why: `at the furthest point the search reached, the state was ${outcome.stateSeen}, which does not allow it`,
    };
  };
  let done: PartitionReport | undefined;
  return {
    get bytes() {
      return done === undefined && search !== undefined ? search.bytes : 0;
    },
    run(budget) {
      if (done !== undefined) return done;
      const started = performance.now();
      const report = decide(budget);
      spentMs += performance.now() - started;
      if (report.valid !== 'unknown' || report.reason !== 'time') done = report;
      return report;
    },
  };
}
