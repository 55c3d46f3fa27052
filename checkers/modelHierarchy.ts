// The consistency models faultline checks, strongest first, and which implies which. Plain data with no imports,
// so the profile, `check --all` and the report (in the browser too) share one order.

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
