// The consistency models faultline checks, strongest first, and which implies which. Plain data and pure
// functions with no imports but types, so the analysis, `check --all` and the report (in the browser too)
// share one order and one way of settling verdicts by implication.
import type { CheckResult } from './result.ts';

/** Profile rows, strongest first. */
export const profileCheckers = [
  'linearizable',
  'sequential',
  'causal-ccv',
  'causal-cm',
  'causal-cc',
  'session',
  'monotonic-reads',
  'monotonic-writes',
  'read-your-writes',
  'writes-follow-reads',
] as const;

/** [stronger, weaker]: the first implies the second. */
export const modelImplications: readonly (readonly [string, string])[] = [
  ['linearizable', 'sequential'],
  ['sequential', 'causal-ccv'],
  ['sequential', 'causal-cm'],
  ['causal-ccv', 'causal-cc'],
  ['causal-cm', 'causal-cc'],
  ['causal-ccv', 'session'],
  ['session', 'monotonic-reads'],
  ['session', 'monotonic-writes'],
  ['session', 'read-your-writes'],
  ['session', 'writes-follow-reads'],
];

/** The models a system claims, closed under implication: claiming 'linearizable' claims 'sequential' too. */
export function impliedModels(claims: readonly string[]): Set<string> {
  const claimed = new Set(claims);
  for (let grew = true; grew;) {
    grew = false;
    for (const [stronger, weaker] of modelImplications) {
      if (claimed.has(stronger) && !claimed.has(weaker)) {
        claimed.add(weaker);
        grew = true;
      }
    }
  }
  return claimed;
}

/**
 * What a check's verdict means for the system's claims: a violated check of a claimed model is a broken claim
 * (a bug in the system, or in the checker); a violated unclaimed one is a weakness the system admits to.
 */
export function claimVerdict(
  checker: string,
  valid: boolean | 'unknown',
  claims: readonly string[] | undefined,
): 'unclaimed' | 'claim held' | 'claim broken' | 'claim undecided' | undefined {
  if (claims === undefined) return undefined;
  if (!impliedModels(claims).has(checker)) return 'unclaimed';
  return valid === true ? 'claim held' : valid === false ? 'claim broken' : 'claim undecided';
}

export function impliedVerdict(
  name: string,
  results: ReadonlyMap<string, Pick<CheckResult, 'valid'>>,
): { valid: boolean; by: string } | null {
  for (const [strong, weak] of modelImplications) {
    if (weak === name && results.get(strong)?.valid === true) return { valid: true, by: strong };
    if (strong === name && results.get(weak)?.valid === false) return { valid: false, by: weak };
  }
  return null;
}

export function impliedReason(by: string, valid: boolean, own: string): string {
  return `implied by ${by}, which ${valid ? 'holds' : 'is violated'} (${own})`;
}

/**
 * Settles `unknown` verdicts the model hierarchy decides (a model implied by one that holds holds; one implying
 * a violated model is violated), marking each with `impliedBy`, and returns the pairs where checkers contradict it.
 */
export function settleByHierarchy(results: CheckResult[]): string[] {
  const byName = new Map(results.map((r) => [r.checker, r]));
  for (let changed = true; changed;) {
    changed = false;
    for (const r of results) {
      if (r.valid !== 'unknown') continue;
      const implied = impliedVerdict(r.checker, byName);
      if (implied === null) continue;
      r.valid = implied.valid;
      r.impliedBy = implied.by;
      r.reason = impliedReason(implied.by, implied.valid, r.reason ?? 'its own check was undecided');
      changed = true;
    }
  }
  return modelImplications
    .filter(([strong, weak]) => byName.get(strong)?.valid === true && byName.get(weak)?.valid === false)
    .map(([strong, weak]) => `${strong} holds but ${weak} is reported violated`);
}
