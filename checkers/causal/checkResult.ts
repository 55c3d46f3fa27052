// Builds the shared CheckResult for the register-history checkers, with a cap on stored anomalies: a badly
// broken 100,000-op history would otherwise produce a report nobody reads. The full count stays in stats.
import type { Anomaly, CheckResult, Verdict } from '../result.ts';

export const MAX_REPORTED_ANOMALIES = 50;

export class AnomalyCollector {
  readonly anomalies: Anomaly[] = [];
  count = 0;
  add(a: Anomaly): void {
    this.count++;
    if (this.anomalies.length < MAX_REPORTED_ANOMALIES) this.anomalies.push(a);
  }
  /** Whether another anomaly would still be stored (lets callers skip building explanations). */
  get wantsMore(): boolean {
    return this.anomalies.length < MAX_REPORTED_ANOMALIES;
  }
}

export interface ResultParts {
  checker: string;
  model: string;
  valid: Verdict;
  anomalies?: AnomalyCollector;
  reason?: string;
  ops: number;
  started: number;
  extra?: Record<string, number>;
  /** The caller's timeBudgetMs: a pass that took longer is reported unknown, never valid (violations stand). */
  budgetMs?: number | undefined;
}

export function checkResult(parts: ResultParts): CheckResult {
  const timeMs = Date.now() - parts.started;
  const stats: CheckResult['stats'] = { ops: parts.ops, timeMs, ...parts.extra };
  if (parts.anomalies) stats['anomalies'] = parts.anomalies.count;
  const result: CheckResult = {
    checker: parts.checker,
    model: parts.model,
    valid: parts.valid,
    anomalies: parts.anomalies?.anomalies ?? [],
    stats,
  };
  if (parts.reason !== undefined) result.reason = parts.reason;
  if (parts.valid === true && parts.budgetMs !== undefined && timeMs >= parts.budgetMs) {
    result.valid = 'unknown';
    result.reason = `the check took ${timeMs} ms, not within the time budget of ${parts.budgetMs} ms`;
  }
  return result;
}
