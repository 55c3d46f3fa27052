// The consistency profile of a history: which models it satisfies, from linearizability down to the session
// guarantees, in one call. Models form a hierarchy (linearizable ⇒ sequential ⇒ CCv and CM ⇒ CC; CCv ⇒
// all four session guarantees per key), so verdicts are propagated along it: a model implied by one that
// holds is valid, a model implying one that is violated is violated. A checker that contradicts the
// hierarchy is a bug; it is listed in `contradictions`, never silently resolved.
import { analyze } from './analyze.ts';
import type { Operation, Value } from './history.ts';
import type { CheckOptions, CheckResult, Verdict } from './result.ts';
import { profileCheckers } from './modelHierarchy.ts';

/**
 * A CheckResult's verdict fields; `impliedBy` names the model whose verdict decided this row without (or
 * instead of) running its checker.
 */
export interface ProfileRow extends Pick<
  CheckResult,
  'checker' | 'model' | 'valid' | 'anomalies' | 'reason' | 'impliedBy'
> {
  /** The checker's own result, when it ran. */
  result?: CheckResult;
}

export interface ConsistencyProfile {
  rows: ProfileRow[];
  /** Pairs where a stronger model holds but a weaker one is reported violated: a checker bug. */
  contradictions: string[];
  /** The worst verdict over all rows: false > unknown > true. */
  valid: Verdict;
  timeMs: number;
}

export interface ProfileOptions extends CheckOptions {
  /** The value every key holds before any write. Default null. */
  initialValue?: Value;
  /** Skip a checker whose verdict the hierarchy already implies (e.g. SC's search when linearizable holds). Default true. */
  skipImplied?: boolean;
}

/** Runs linearizability, sequential, causal (CC, CM, CCv) and session-guarantee checkers on one history. */
export async function checkConsistencyProfile(
  operations: readonly Operation[],
  options: ProfileOptions = {},
): Promise<ConsistencyProfile> {
  const analysis = await analyze(operations, {
    ...options,
    checkers: profileCheckers,
    initialValue: options.initialValue ?? null,
    skipImplied: options.skipImplied ?? true,
  });
  const ran = new Set(analysis.ran);
  const rows = analysis.results.map((result): ProfileRow => {
    const row: ProfileRow = {
      checker: result.checker,
      model: result.model,
      valid: result.valid,
      anomalies: result.anomalies,
    };
    if (result.reason !== undefined) row.reason = result.reason;
    if (result.impliedBy !== undefined) row.impliedBy = result.impliedBy;
    if (ran.has(result.checker)) row.result = result;
    return row;
  });
  return { rows, contradictions: analysis.contradictions, valid: analysis.valid, timeMs: analysis.timeMs };
}
