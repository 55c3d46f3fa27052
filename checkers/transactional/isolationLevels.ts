// The isolation levels the transactional checker decides, which implies which, and which levels each anomaly
// rules out. Plain data. Conventions (say them, they differ between papers):
// - read committed, read atomic and causal are the axiomatic levels of Biswas & Enea and Plume: the session
//   (process) order is part of causality, so a cycle through process edges (G1c-process) breaks them;
// - repeatable read, snapshot isolation and serializable are Adya's and Elle's: no session order, so a cycle
//   that needs a process edge breaks only the strong-session variants; realtime edges only strict serializable.
export const isolationLevels = [
  'strict-serializable',
  'strong-session-serializable',
  'serializable',
  'strong-session-snapshot-isolation',
  'snapshot-isolation',
  'repeatable-read',
  'causal',
  'read-atomic',
  'read-committed',
  'read-uncommitted',
] as const;

export type IsolationLevel = (typeof isolationLevels)[number];

export const isolationLevelNames: Record<IsolationLevel, string> = {
  'strict-serializable': 'strict serializability',
  'strong-session-serializable': 'strong session serializability',
  serializable: 'serializability',
  'strong-session-snapshot-isolation': 'strong session snapshot isolation',
  'snapshot-isolation': 'snapshot isolation',
  'repeatable-read': 'repeatable read',
  causal: 'transactional causal consistency',
  'read-atomic': 'read atomic',
  'read-committed': 'read committed',
  'read-uncommitted': 'read uncommitted',
};

/** [stronger, weaker]: every history the first allows, the second allows. */
export const isolationImplications: readonly (readonly [IsolationLevel, IsolationLevel])[] = [
  ['strict-serializable', 'strong-session-serializable'],
  ['strong-session-serializable', 'serializable'],
  ['strong-session-serializable', 'strong-session-snapshot-isolation'],
  ['serializable', 'snapshot-isolation'],
  ['serializable', 'repeatable-read'],
  ['strong-session-snapshot-isolation', 'snapshot-isolation'],
  ['strong-session-snapshot-isolation', 'causal'],
  ['causal', 'read-atomic'],
  ['read-atomic', 'read-committed'],
  ['read-committed', 'read-uncommitted'],
  ['snapshot-isolation', 'read-uncommitted'],
  ['repeatable-read', 'read-uncommitted'],
];

/** The levels `level` implies, itself included. */
export function weakerLevels(level: IsolationLevel): Set<IsolationLevel> {
  const out = new Set<IsolationLevel>([level]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [s, w] of isolationImplications)
      if (out.has(s) && !out.has(w)) {
        out.add(w);
        grew = true;
      }
  }
  return out;
}

/** The levels that imply `level` (itself included): ruling `level` out rules these out too. */
export function strongerLevels(level: IsolationLevel): Set<IsolationLevel> {
  return new Set(isolationLevels.filter((l) => weakerLevels(l).has(level)));
}

const everything: IsolationLevel[] = [...isolationLevels];
const aboveUncommitted = everything.filter((l) => l !== 'read-uncommitted');

/** The weakest levels each anomaly rules out (closed upward by `ruledOutBy`). */
const weakestForbidding: Record<string, IsolationLevel[]> = {
  G0: ['read-uncommitted'],
  'G0-process': ['read-committed', 'strong-session-snapshot-isolation'],
  'G0-realtime': ['strict-serializable'],
  G1a: ['read-committed', 'snapshot-isolation', 'repeatable-read'],
  G1b: ['read-committed', 'snapshot-isolation', 'repeatable-read'],
  G1c: ['read-committed', 'snapshot-isolation', 'repeatable-read'],
  'G1c-process': ['read-committed', 'strong-session-snapshot-isolation'],
  'G1c-realtime': ['strict-serializable'],
  'G-single': ['snapshot-isolation', 'repeatable-read'],
  'G-single-process': ['strong-session-snapshot-isolation', 'strong-session-serializable'],
  'G-single-realtime': ['strict-serializable'],
  'G-nonadjacent': ['snapshot-isolation', 'repeatable-read'],
  'G-nonadjacent-process': ['strong-session-snapshot-isolation', 'strong-session-serializable'],
  'G-nonadjacent-realtime': ['strict-serializable'],
  'G2-item': ['repeatable-read'],
  'G2-item-process': ['strong-session-serializable'],
  'G2-item-realtime': ['strict-serializable'],
  internal: ['read-committed', 'snapshot-isolation', 'repeatable-read'],
  // A second read of a key showing another txn's later appends: Elle's internal, allowed by read committed.
  'non-repeatable-read': ['read-atomic', 'snapshot-isolation', 'repeatable-read'],
  'future-read': ['read-committed', 'snapshot-isolation', 'repeatable-read'],
  'dirty-update': ['read-committed', 'snapshot-isolation', 'repeatable-read'],
  'lost-update': ['snapshot-isolation', 'repeatable-read'],
  // The weak levels' own anomalies rule out their level (and what implies it); when one is also a data-only
  // cycle, the cycle search reports that too, which rules out the Adya levels.
  'non-monotonic-read': ['read-committed'],
  'fractured-read': ['read-atomic'],
  'causality-violation': ['causal'],
  'duplicate-elements': everything,
  'incompatible-order': everything,
  'thin-air-read': everything,
  'cyclic-versions': everything,
};

export const anomalyTypes: readonly string[] = Object.keys(weakestForbidding);

/** Every level the anomaly rules out: its weakest forbidding levels and all levels stronger than those. */
export function ruledOutBy(anomalyType: string): Set<IsolationLevel> {
  const out = new Set<IsolationLevel>();
  for (const l of weakestForbidding[anomalyType] ?? aboveUncommitted) for (const s of strongerLevels(l)) out.add(s);
  return out;
}

/** Level names as users type them, including Elle's and common short forms. */
export function parseIsolationLevel(name: string): IsolationLevel | undefined {
  const n = name.toLowerCase().replace(/[_ ]/g, '-');
  const aliases: Record<string, IsolationLevel> = {
    'strict-serializability': 'strict-serializable',
    'strong-serializable': 'strict-serializable',
    serializability: 'serializable',
    si: 'snapshot-isolation',
    ser: 'serializable',
    rr: 'repeatable-read',
    rc: 'read-committed',
    ra: 'read-atomic',
    ru: 'read-uncommitted',
    cc: 'causal',
    tcc: 'causal',
    'causal-consistency': 'causal',
    'transactional-causal': 'causal',
  };
  return (isolationLevels as readonly string[]).includes(n) ? (n as IsolationLevel) : aliases[n];
}
