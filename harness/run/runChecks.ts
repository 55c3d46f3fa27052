// Checks a finished history. Runs after teardown, on the history as read back from disk, exactly as
// `faultline check RUN_DIR` would, through the one analysis entry (checkers/analyze.ts): check-safe, budgets,
// the model hierarchy, and `unknown` (never valid) when nothing was checked.
import type { Analysis } from '../../checkers/analyze.ts';
import { analyze } from '../../checkers/analyze.ts';
import type { Operation } from '../../checkers/history.ts';
import { inferModelSpec } from '../../checkers/linearizable/index.ts';
import type { ModelSpec } from '../../checkers/models/model.ts';
import { getChecker } from '../../checkers/registry.ts';

/**
 * Checkers that judge a workload model when the campaign names none. Once they exist: `set` → the set
 * checker, `counter` → the counter checker, `list-append` → the transactional checker. A workload whose
 * checkers are not registered is rejected when its campaign is validated (harness/campaign/checkCampaign.ts).
 */
export const defaultCheckersByModel: Readonly<Record<string, readonly string[]>> = {
  register: ['linearizable'],
  set: ['set'],
  counter: ['counter'],
  'list-append': ['list-append'],
};

/** The default checkers of a workload model that this version of faultline has, plus sequential for read/write registers. */
export function defaultCheckers(model: string, fs: readonly string[] = []): string[] {
  // The sequential checker handles read/write registers only: add it when no cas is in the mix.
  const extra = model === 'register' && !fs.includes('cas') ? ['sequential'] : [];
  return [...(defaultCheckersByModel[model] ?? []), ...extra].filter((name) => getChecker(name) !== undefined);
}

/**
 * Runs the named checkers; an empty list or an empty history gives `unknown` with its reason, never valid. Returns
 * the linearizability model too, inferred from the ops, for results.json (so a re-check uses the same one).
 */
export async function analyzeRun(
  operations: readonly Operation[],
  names: readonly string[],
  options: { timeBudgetMs?: number; memoryBudgetBytes?: number } = {},
): Promise<{ analysis: Analysis; model: ModelSpec }> {
  const model = inferModelSpec(operations);
  return { analysis: await analyze(operations, { ...options, checkers: names, model }), model };
}
