// Checks a finished history. Runs after teardown, on the history as read back from disk, exactly as
// `faultline check RUN_DIR` would, through the one analysis entry (checkers/analyze.ts): check-safe, budgets,
// the model hierarchy, and `unknown` (never valid) when nothing was checked.
import type { Analysis } from '../../checkers/index.ts';
import { analyze } from '../../checkers/index.ts';
import type { AnalysisProgress } from '../../checkers/analyze.ts';
import type { Operation } from '../../checkers/history.ts';
import { inferModelSpec } from '../../checkers/linearizable/index.ts';
import type { ModelSpec } from '../../checkers/models/model.ts';
import type { CampaignSpec } from '../campaign/campaignSchema.ts';
import { durationMs, sizeBytes } from '../campaign/campaignSchema.ts';

export { defaultCheckers, defaultCheckersByModel } from '../campaign/checkerNames.ts';

/** The budgets a run's checks get; absent ones take the analysis' defaults. Recorded in results.json. */
export interface CheckBudgets {
  timeBudgetMs?: number;
  memoryBudgetBytes?: number;
}

/** The campaign's `checking` budgets, each overridden by the command line's when given. */
export function checkBudgets(checking: CampaignSpec['checking'], overrides: CheckBudgets = {}): CheckBudgets {
  const timeBudgetMs =
    overrides.timeBudgetMs ?? (checking?.timeBudget === undefined ? undefined : durationMs(checking.timeBudget));
  const memoryBudgetBytes =
    overrides.memoryBudgetBytes ??
    (checking?.memoryBudget === undefined ? undefined : sizeBytes(checking.memoryBudget));
  return {
    ...(timeBudgetMs !== undefined && { timeBudgetMs }),
    ...(memoryBudgetBytes !== undefined && { memoryBudgetBytes }),
  };
}

/**
 * Runs the named checkers; an empty list or an empty history gives `unknown` with its reason, never valid. Returns
 * the linearizability model too, inferred from the ops, for results.json (so a re-check uses the same one).
 */
export async function analyzeRun(
  operations: readonly Operation[],
  names: readonly string[],
  options: CheckBudgets & { signal?: AbortSignal; onProgress?: (progress: AnalysisProgress) => void } = {},
): Promise<{ analysis: Analysis; model: ModelSpec }> {
  const model = inferModelSpec(operations);
  return { analysis: await analyze(operations, { ...options, checkers: names, model }), model };
}
