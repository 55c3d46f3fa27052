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
