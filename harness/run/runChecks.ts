// Checks a finished history. Runs after teardown, on the history as read back from disk, exactly as
// `faultline check RUN_DIR` would. A checker that throws yields `unknown` with the error (Jepsen's
// check-safe), never a crash and never `valid`.
import '../../checkers/all.ts';
import type { Operation } from '../../checkers/history.ts';
import { getChecker, listCheckers } from '../../checkers/registry.ts';
import type { CheckResult, Verdict } from '../../checkers/result.ts';

/** Checkers that apply to a workload model when the campaign names none. */
export const defaultCheckersByModel: Readonly<Record<string, readonly string[]>> = {
  register: ['linearizable'],
  set: ['set'],
  counter: ['counter'],
  'list-append': ['list-append'],
};

export function defaultCheckers(model: string, fs: readonly string[] = []): string[] {
  const known = new Set(listCheckers().map((c) => c.name));
  // The sequential checker handles read/write registers only: add it when no cas is in the mix.
  const extra = model === 'register' && !fs.includes('cas') ? ['sequential'] : [];
  return [...(defaultCheckersByModel[model] ?? []), ...extra].filter((name) => known.has(name));
}

export async function runChecks(
  operations: readonly Operation[],
  names: readonly string[],
  options: { timeBudgetMs?: number } = {},
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const name of names) {
    const checker = getChecker(name);
    const started = performance.now();
    if (checker === undefined) {
      results.push(
        unknownResult(name, name, `no checker named ${name} in this version of faultline`, operations.length, 0),
      );
      continue;
    }
    try {
      results.push(
        await checker.check(
          operations,
          options.timeBudgetMs !== undefined ? { timeBudgetMs: options.timeBudgetMs } : {},
        ),
      );
    } catch (e) {
      const reason = `the checker failed: ${e instanceof Error ? e.message : String(e)}`;
      results.push(unknownResult(name, checker.model, reason, operations.length, performance.now() - started));
    }
  }
  return results;
}

function unknownResult(checker: string, model: string, reason: string, ops: number, timeMs: number): CheckResult {
  return { checker, model, valid: 'unknown', anomalies: [], reason, stats: { ops, timeMs } };
}

/** The worst verdict: false beats unknown beats true (Jepsen's valid-priorities). No checks: true. */
export function overallVerdict(results: readonly CheckResult[]): Verdict {
  if (results.some((r) => r.valid === false)) return false;
  if (results.some((r) => r.valid === 'unknown')) return 'unknown';
  return true;
}
