// The set checker: Jepsen set-full's verdict on a set workload (add unique elements, read the whole set), per
// key. Lost acknowledged elements, phantom, aborted, duplicate and read-before-add elements are violations;
// stale elements are violations only when asked for (staleReadsAreViolations: a linearizable set). A
// history in which no element could be judged (no read began after any element was known) is unknown.
import type { Operation, Value } from '../history.ts';
import type { Anomaly, CheckOptions, CheckResult, ConsistencyChecker } from '../result.ts';
import { historyIndices } from '../result.ts';
import { count, escapeControl, opAt, plural, seconds, secondsSpan, showValue, valueList } from '../explanationText.ts';
import { analyseSet } from './setFull.ts';
import type { SetElementReport, SetKeyAnalysis, SetProblem, SetProblemType } from './setFull.ts';

export { analyseSet } from './setFull.ts';
export type { SetAnalysis, SetElementReport, SetKeyAnalysis, SetOutcome, SetProblem } from './setFull.ts';

export interface SetCheckOptions extends CheckOptions {
  /** A read that began after an element was known and missed it is a violation (a linearizable set). */
  staleReadsAreViolations?: boolean;
}

const name = 'set';
const model = 'set-full: no lost, phantom or aborted elements';

/** Elements listed per anomaly's detail; the count of the rest is kept. */
const MAX_DETAIL_ELEMENTS = 1000;

export function checkSet(operations: readonly Operation[], options: SetCheckOptions = {}): CheckResult {
  const started = performance.now();
  const analysis = analyseSet(operations);
  const stats: CheckResult['stats'] = { ops: operations.length, timeMs: 0, keys: analysis.keys.length };
  const done = (valid: CheckResult['valid'], anomalies: Anomaly[], reason?: string): CheckResult => {
    stats.timeMs = performance.now() - started;
    const r: CheckResult = { checker: name, model, valid, anomalies, stats };
    if (reason !== undefined) r.reason = reason;
    return r;
  };
  if (analysis.otherOps.length > 0) {
    const op = analysis.otherOps[0]!;
    return done(
      'unknown',
      [],
      `the set checker reads add and read ops only, but ${opAt(op)} is a ${escapeControl(op.f)} (${plural(analysis.otherOps.length, 'such op')})`,
    );
  }
  const byId = new Map<number, Operation>();
  for (const op of operations) byId.set(op.id, op);
  const totals = {
    stable: 0,
    lost: 0,
    'never-read': 0,
    stale: 0,
    recovered: 0,
    problems: 0,
    unobservedIndeterminate: 0,
  };
  const anomalies: Anomaly[] = [];
  for (const k of analysis.keys) {
    for (const e of k.elements) {
      totals[e.outcome]++;
      if (e.stale) totals.stale++;
      if (e.recovered) totals.recovered++;
    }
    totals.problems += k.problems.length;
    totals.unobservedIndeterminate += k.unobservedIndeterminateAdds;
    anomalies.push(...keyAnomalies(k, byId, analysis.keys.length > 1, options));
  }
  Object.assign(stats, {
    stable: totals.stable,
    lost: totals.lost,
    neverRead: totals['never-read'],
    stale: totals.stale,
    recovered: totals.recovered,
    problems: totals.problems,
    unobservedIndeterminateAdds: totals.unobservedIndeterminate,
  });
  // Lost acknowledged elements first, whatever their key: they are what a reader must see first.
  anomalies.sort((a, b) => Number(b.type === 'lost') - Number(a.type === 'lost'));
  for (const a of anomalies) {
    a.indices = historyIndices(a.ops.slice(0, MAX_DETAIL_ELEMENTS).flatMap((id) => byId.get(id) ?? []));
  }
  if (anomalies.length > 0) return done(false, anomalies);
  const judged = totals.stable + totals.lost;
  if (judged === 0) {
    const elements = totals['never-read'];
    return done(
      'unknown',
      [],
      elements === 0
        ? 'no element was acknowledged or read, so nothing could be checked'
        : `none of the ${plural(elements, 'known element')} was judged: no read began after any of them was acknowledged or first read (add final reads to the workload)`,
    );
  }
  return done(true, []);
}

function keyAnomalies(
  k: SetKeyAnalysis,
  byId: ReadonlyMap<number, Operation>,
  multiKey: boolean,
  options: SetCheckOptions,
): Anomaly[] {
  const of = multiKey || k.key !== '' ? ` of set ${escapeControl(k.key)}` : '';
  const out: Anomaly[] = [];
  const lost = k.elements.filter((e) => e.outcome === 'lost');
  if (lost.length > 0) out.push(lostAnomaly(k, lost, byId, of));
  const groups = new Map<SetProblemType, SetProblem[]>();
  for (const p of k.problems) {
    const list = groups.get(p.type);
    if (list === undefined) groups.set(p.type, [p]);
    else list.push(p);
  }
  for (const [type, problems] of groups) out.push(problemAnomaly(k, type, problems, byId, of));
  if (options.staleReadsAreViolations === true) {
    const stale = k.elements.filter((e) => e.stale);
    if (stale.length > 0) {
      out.push(
        withKey(k, {
          type: 'stale-read',
          ops: stale.slice(0, MAX_DETAIL_ELEMENTS).map((e) => e.addOp),
          explanation: `${plural(stale.length, 'element')}${of} missed by a read that began after they were known, then read again: elements ${valueList(stale.map((e) => e.element))}, known ${spanOf(stale.map((e) => e.knownAt))}`,
          detail: elementDetail(stale),
        }),
      );
    }
  }
  return out;
}

function lostAnomaly(
  k: SetKeyAnalysis,
  lost: readonly SetElementReport[],
  byId: ReadonlyMap<number, Operation>,
  of: string,
): Anomaly {
  const acknowledged = lost.filter((e) => e.acknowledgedAt !== null);
  const known = lost.map((e) => e.knownAt);
  const seen = lost.filter((e) => e.lastSeenAt !== null);
  const lastEvidence = Math.max(...lost.map((e) => e.lastSeenAt ?? e.knownAt));
  const what =
    acknowledged.length === lost.length
      ? `${plural(lost.length, 'acknowledged element')}${of} lost`
      : `${plural(lost.length, 'element')}${of} lost (${count(acknowledged.length)} acknowledged, ${count(lost.length - acknowledged.length)} only seen by a read)`;
  const seenText =
    seen.length === 0
      ? 'never returned by any read'
      : `last returned ${spanOf(seen.map((e) => e.lastSeenAt!))}${seen.length < lost.length ? `; ${count(lost.length - seen.length)} never returned by any read` : ''}`;
  // The read that proves it for the first element: the first one that missed it for good.
  const first = lost[0]!;
  const missing = first.firstMissingOp === null ? undefined : byId.get(first.firstMissingOp);
  const proof =
    missing === undefined
      ? ''
      : `; e.g. element ${showValue(first.element)} (added by op ${first.addOp}) is missing from the read ${opAt(missing)} and from every later read of the key`;
  return withKey(k, {
    type: 'lost',
    ops: [...new Set([...lost.slice(0, MAX_DETAIL_ELEMENTS).map((e) => e.addOp), ...(missing ? [missing.id] : [])])],
    explanation: `${what}: elements ${valueList(lost.map((e) => e.element))}, ${acknowledged.length > 0 ? `acknowledged ${spanOf(acknowledged.map((e) => e.acknowledgedAt!))}` : `known ${spanOf(known)}`}, never read after ${seconds(lastEvidence, 1)} (${seenText})${proof}`,
    detail: elementDetail(lost),
  });
}

const problemWords: Record<SetProblemType, string> = {
  phantom: 'never added by anyone',
  aborted: 'whose only add failed (an aborted add must not be seen)',
  'read-before-add': 'returned by a read that completed before the element was even added',
  duplicate: 'returned twice by one read of a set',
  'malformed-read': 'reads that returned something other than a list of elements',
};

function problemAnomaly(
  k: SetKeyAnalysis,
  type: SetProblemType,
  problems: readonly SetProblem[],
  byId: ReadonlyMap<number, Operation>,
  of: string,
): Anomaly {
  const first = problems[0]!;
  const read = byId.get(first.readOp);
  const example =
    type === 'malformed-read'
      ? `: the read ${read ? opAt(read) : `op ${first.readOp}`} returned ${showValue(first.element)}`
      : `: elements ${valueList(problems.map((p) => p.element))}; first in the read ${read ? opAt(read) : `op ${first.readOp}`}${first.addOp !== null ? ` (add: op ${first.addOp})` : ''}`;
  const noun = type === 'malformed-read' ? plural(problems.length, 'read') : plural(problems.length, 'element');
  return withKey(k, {
    type: type === 'malformed-read' ? 'malformed-read' : `${type}-element`,
    ops: [
      ...new Set(
        problems.slice(0, MAX_DETAIL_ELEMENTS).flatMap((p) => (p.addOp === null ? [p.readOp] : [p.readOp, p.addOp])),
      ),
    ],
    explanation: `${noun}${of} ${problemWords[type]}${example}`,
    detail: {
      elements: problems
        .slice(0, MAX_DETAIL_ELEMENTS)
        .map((p) => ({ element: p.element, readOp: p.readOp, addOp: p.addOp })),
      omitted: Math.max(0, problems.length - MAX_DETAIL_ELEMENTS),
    },
  });
}

function spanOf(times: readonly number[]): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of times) {
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  return secondsSpan(lo, hi);
}

/** Per element: when it was acknowledged and last seen, in seconds, for the report. */
function elementDetail(elements: readonly SetElementReport[]): Value {
  const s = (ns: number | null): Value => (ns === null ? null : Number((ns / 1e9).toFixed(3)));
  return {
    elements: elements.slice(0, MAX_DETAIL_ELEMENTS).map((e) => ({
      element: e.element,
      addOp: e.addOp,
      acknowledgedAtS: s(e.acknowledgedAt),
      lastSeenOp: e.lastSeenOp,
      lastSeenAtS: s(e.lastSeenAt),
      firstMissingOp: e.firstMissingOp,
    })),
    omitted: Math.max(0, elements.length - MAX_DETAIL_ELEMENTS),
  };
}

function withKey(k: SetKeyAnalysis, a: Anomaly): Anomaly {
  if (k.key !== '') a.key = k.key;
  return a;
}

/**
 * Set histories: adds and reads only, at least one add, and no read returning a number (a counter history
 * has the same op names, but its reads return sums).
 */
export function isSetHistory(operations: readonly Operation[]): boolean {
  let adds = 0;
  for (const op of operations) {
    if (op.f === 'add') adds++;
    else if (op.f !== 'read') return false;
    else if (op.status === 'ok' && typeof op.output === 'number') return false;
  }
  return adds > 0;
}

export const setChecker: ConsistencyChecker = {
  name,
  model,
  description:
    'Set (Jepsen set-full), per key: acknowledged elements lost, elements never added or read although their add failed, stale and never-read elements, each with when it was acknowledged and last seen',
  appliesTo: isSetHistory,
  check: (operations, options) => checkSet(operations, options),
};
