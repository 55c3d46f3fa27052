// The consistency profile of a history: which models it satisfies, from linearizability down to the session
// guarantees, in one call. Models form a hierarchy (linearizable ⇒ sequential ⇒ CCv and CM ⇒ CC; CCv ⇒
// all four session guarantees per key), so verdicts are propagated along it: a model implied by one that
// holds is valid, a model implying one that is violated is violated. A checker that contradicts the
// hierarchy is a bug; it is listed in `contradictions`, never silently resolved.
import type { Operation, Value } from './history.ts';
import { getChecker } from './registry.ts';
import type { Anomaly, CheckOptions, CheckResult, Verdict } from './result.ts';
import { inferModelSpec } from './linearizable/index.ts';
import './all.ts';
import { modelImplications, profileCheckers } from './modelHierarchy.ts';

export interface ProfileRow {
  checker: string;
  model: string;
  valid: Verdict;
  anomalies: Anomaly[];
  /** Why the verdict is unknown, or where an implied verdict came from. */
  reason?: string;
  /** The model whose verdict decided this row without (or instead of) running its checker. */
  impliedBy?: string;
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

/** Cheap checkers first, so their verdicts can spare the expensive ones (SC's search, linearizability). */
const runOrder = [
  'monotonic-reads',
  'monotonic-writes',
  'read-your-writes',
  'writes-follow-reads',
  'session',
  'causal-cc',
  'causal-ccv',
  'causal-cm',
  'linearizable',
  'sequential',
];

function impliedVerdict(name: string, rows: Map<string, ProfileRow>): { valid: boolean; by: string } | null {
  for (const [strong, weak] of modelImplications) {
    if (weak === name && rows.get(strong)?.valid === true) return { valid: true, by: strong };
    if (strong === name && rows.get(weak)?.valid === false) return { valid: false, by: weak };
  }
  return null;
}

async function runChecker(
  name: string,
  operations: readonly Operation[],
  options: ProfileOptions,
): Promise<ProfileRow> {
  const checker = getChecker(name);
  if (checker === undefined) {
    return {
      checker: name,
      model: name,
      valid: 'unknown',
      anomalies: [],
      reason: `no checker named ${name} is registered`,
    };
  }
  const checkerOptions: Record<string, unknown> = { ...options };
  if (name === 'linearizable') {
    const spec = inferModelSpec(operations);
    checkerOptions['model'] = { name: spec.name, options: { ...spec.options, initial: options.initialValue ?? null } };
  }
  try {
    const result = await checker.check(operations, checkerOptions);
    const row: ProfileRow = {
      checker: name,
      model: result.model,
      valid: result.valid,
      anomalies: result.anomalies,
      result,
    };
    if (result.reason !== undefined) row.reason = result.reason;
    return row;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      checker: name,
      model: checker.model,
      valid: 'unknown',
      anomalies: [],
      reason: `the checker failed: ${message}`,
    };
  }
}

/** Runs linearizability, sequential, causal (CC, CM, CCv) and session-guarantee checkers on one history. */
export async function checkConsistencyProfile(
  operations: readonly Operation[],
  options: ProfileOptions = {},
): Promise<ConsistencyProfile> {
  const started = Date.now();
  const skipImplied = options.skipImplied ?? true;
  const rows = new Map<string, ProfileRow>();
  for (const name of runOrder) {
    const implied = skipImplied ? impliedVerdict(name, rows) : null;
    if (implied !== null) {
      const model = getChecker(name)?.model ?? name;
      rows.set(name, {
        checker: name,
        model,
        valid: implied.valid,
        anomalies: [],
        impliedBy: implied.by,
        reason: `${implied.valid ? 'holds because' : 'violated because'} ${implied.by} ${implied.valid ? 'holds' : 'is violated'}`,
      });
      continue;
    }
    rows.set(name, await runChecker(name, operations, options));
  }
  const contradictions: string[] = [];
  for (const [strong, weak] of modelImplications) {
    if (rows.get(strong)?.valid === true && rows.get(weak)?.valid === false) {
      contradictions.push(
        `${strong} holds but ${weak} is reported violated (a checker bug: ${strong} implies ${weak})`,
      );
    }
  }
  // Fill in unknowns the hierarchy decides, to a fixpoint (chains are at most four long).
  for (let changed = true; changed;) {
    changed = false;
    for (const row of rows.values()) {
      if (row.valid !== 'unknown') continue;
      const implied = impliedVerdict(row.checker, rows);
      if (implied === null) continue;
      row.valid = implied.valid;
      row.impliedBy = implied.by;
      row.reason = `${row.reason ?? 'not decided'}; ${implied.valid ? 'holds because' : 'violated because'} ${implied.by} ${implied.valid ? 'holds' : 'is violated'}`;
      changed = true;
    }
  }
  const ordered = profileCheckers.map((name) => rows.get(name)!);
  const valid: Verdict = ordered.some((r) => r.valid === false)
    ? false
    : ordered.some((r) => r.valid === 'unknown')
      ? 'unknown'
      : true;
  return { rows: ordered, contradictions, valid, timeMs: Date.now() - started };
}
