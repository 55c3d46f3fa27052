// The checkers a campaign may name, and those it gets when it names none: whatever the checker list
// (checkers/registry.ts) holds, by the workload model each checker judges.
import { checkersForWorkloadModel, getChecker, listCheckers } from '../../checkers/index.ts';
import { getWorkload } from '../workloads/index.ts';
import type { CampaignSpec } from './campaignSchema.ts';

export function knownCheckerNames(): string[] {
  return listCheckers()
    .map((c) => c.name)
    .sort();
}

/**
 * Checkers that apply to a workload model when the campaign names none. Once they exist: `set` → the set
 * checker, `counter` → the counter checker, `list-append` → the transactional checker (rename the entry to its
 * registered name). A workload whose default checkers are not registered is rejected at validation.
 */
export const defaultCheckersByModel: Readonly<Record<string, readonly string[]>> = {
  register: ['linearizable'],
  set: ['set'],
  counter: ['counter'],
  'unique-ids': ['unique-ids'],
  echo: ['echo'],
  // Elle's default: the strongest level; `faultline check --all` lists every level.
  'list-append': ['strict-serializable'],
  // Register reads leave version orders partly inferred, so the isolation checker proves rw-register histories
  // valid only up to transactional causal (above it, no anomaly found means unknown): default to the strongest
  // level it can decide rather than one that would be unknown on every correct run.
  'rw-register': ['transactional-causal'],
};

/** The default checkers of a workload model that this version of faultline has, plus sequential for read/write registers. */
export function defaultCheckers(model: string, fs: readonly string[] = []): string[] {
  // The sequential checker handles read/write registers only: add it when no cas is in the mix.
  const extra = model === 'register' && !fs.includes('cas') ? ['sequential'] : [];
  return [...(defaultCheckersByModel[model] ?? []), ...extra].filter((name) => getChecker(name) !== undefined);
}

/** Checker names that judge histories of this workload model. */
export function checkerNamesForWorkloadModel(model: string): string[] {
  return checkersForWorkloadModel(model).map((c) => c.name);
}

/**
 * The checkers a campaign's run asks for: its `checkers:`, else the defaults of its workload's model for the ops
 * its mix draws. The run and `faultline matrix` (which checks `expect:` against them) share this.
 */
export function campaignCheckerNames(campaign: CampaignSpec): string[] {
  if (campaign.checkers !== undefined) return campaign.checkers;
  const workload = getWorkload(campaign.workload.name);
  if (workload === undefined) return [];
  const mix = campaign.workload.mix ?? workload.defaultMix;
  return defaultCheckers(
    workload.model,
    Object.keys(mix).filter((f) => (mix[f] ?? 0) > 0),
  );
}
