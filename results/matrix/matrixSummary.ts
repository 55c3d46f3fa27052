// The verdict matrix as data: runs of campaigns in, per campaign × checker (model) × fault kind tallies out, each
// checker judged against the campaign's `expect:` (holds / violates / anomalies / minOk). Pure: `faultline
// matrix` records the runs, this decides what they show, the terminal table and the matrix page only print it.
// A claim (`holds`) is met only when every run reported it valid: unknown, a missing verdict or a run with too
// few ok ops is "not shown", never valid. A weakness (`violates`) is caught in a run when that checker reported
// a violation with (when `anomalies` is given) one of the anomaly types named.
import type { Verdict } from '../../checkers/result.ts';

/** What a campaign says it should show (campaign files' `expect:`, harness/campaign/campaignSchema.ts). */
export interface MatrixExpectation {
  holds: readonly string[];
  violates: readonly string[];
  anomalies?: readonly string[] | undefined;
  minOk?: number | undefined;
  source?: string | undefined;
}

export interface MatrixCampaign {
  name: string;
  /** The campaign file as given on the command line. */
  file: string;
  /** The checkers the campaign runs (its `checkers:`, or the workload's defaults). */
  checkers: readonly string[];
  /** Absent: no expectation, verdicts are shown and nothing is judged. */
  expect?: MatrixExpectation | undefined;
  runsPlanned: number;
  /** The seed the campaign file fixes, when it does: every run repeats that schedule. */
  fixedSeed?: number | undefined;
}

export interface MatrixRunCheck {
  checker: string;
  model: string;
  valid: Verdict;
  anomalyTypes: readonly string[];
  reason?: string | undefined;
}

export interface MatrixRun {
  campaign: string;
  /** 1-based, within its campaign. */
  index: number;
  seed: number;
  /** The run directory relative to the store, '/'-separated: `<campaign>/<timestamp>`. */
  runDir: string;
  runId: string;
  /** The harness's status: passed, failed, interrupted, timedout. */
  status: string;
  exitCode: number;
  durationMs: number;
  /** The whole run as the matrix saw it, nodes up to report written. */
  wallMs: number;
  opCounts: { ok: number; fail: number; info: number };
  /** Fault kinds applied in this run. */
  faults: readonly string[];
  checks: readonly MatrixRunCheck[];
  hasReport: boolean;
}

export type CheckerRole = 'holds' | 'violates' | 'shown';
/** met: the expectation held · contradicted: a verdict says the opposite · not-shown: neither (unknown, missing, too few ops, a miss). */
export type ExpectationOutcome = 'met' | 'contradicted' | 'not-shown';

export interface FaultTally {
  fault: string;
  /** Runs in which this fault kind was applied. */
  runs: number;
  valid: number;
  violated: number;
  unknown: number;
  /** For a `violates` checker: runs with this fault in which the weakness was caught. */
  caught: number;
}

export interface CheckerCell {
  checker: string;
  role: CheckerRole;
  runs: number;
  valid: number;
  violated: number;
  unknown: number;
  /** Runs whose results have no verdict of this checker (the run failed before checking, say). */
  missing: number;
  /** Runs reported valid but with fewer ok ops than `minOk`: the verdict means nothing, counted apart. */
  thin: number;
  /** Runs in which the weakness was caught (violated, with an expected anomaly type when any are named). */
  caught: number;
  /** Anomaly types seen in violated runs, with in how many runs each was seen, most frequent first. */
  anomalyTypes: { type: string; runs: number }[];
  byFault: FaultTally[];
  /** Absent for `shown` (no expectation on this checker). */
  outcome?: ExpectationOutcome;
  /** In words: "valid in 3 of 3 runs", "G2-item caught in 2 of 3 runs". */
  summary: string;
}

export interface CampaignRow {
  name: string;
  file: string;
  expect?: MatrixExpectation | undefined;
  runsPlanned: number;
  fixedSeed?: number | undefined;
  runs: MatrixRun[];
  cells: CheckerCell[];
  /** Every expectation on this campaign met, weaknesses caught included: undefined when it has none (or no run finished). */
  met?: boolean;
  durations: { minMs: number; maxMs: number; totalMs: number } | undefined;
}

export interface MatrixSummary {
  rows: CampaignRow[];
  requireCatch: boolean;
  /** Runs whose harness did not pass (failed, interrupted, timed out). */
  harnessProblems: MatrixRun[];
  /** Every expectation not met, each with the runs that show it, for the terminal and the page. */
  unmet: {
    campaign: string;
    checker: string;
    role: 'holds' | 'violates';
    outcome: ExpectationOutcome;
    summary: string;
  }[];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function countBy(values: readonly string[]): { type: string; runs: number }[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .map(([type, runs]) => ({ type, runs }))
    .sort((a, b) => b.runs - a.runs || a.type.localeCompare(b.type));
}

function roleOf(checker: string, expect: MatrixExpectation | undefined): CheckerRole {
  if (expect === undefined) return 'shown';
  if (expect.holds.includes(checker)) return 'holds';
  if (expect.violates.includes(checker)) return 'violates';
  return 'shown';
}

function isCaught(check: MatrixRunCheck | undefined, expect: MatrixExpectation | undefined): boolean {
  if (check?.valid !== false) return false;
  const wanted = expect?.anomalies;
  if (wanted === undefined || wanted.length === 0) return true;
  return check.anomalyTypes.some((t) => wanted.includes(t));
}

function cellOf(checker: string, campaign: MatrixCampaign, runs: readonly MatrixRun[]): CheckerCell {
  const { expect } = campaign;
  const role = roleOf(checker, expect);
  const checks = runs.map((r) => r.checks.find((c) => c.checker === checker));
  const isThin = (r: MatrixRun): boolean => expect?.minOk !== undefined && r.opCounts.ok < expect.minOk;
  let valid = 0;
  let violated = 0;
  let unknown = 0;
  let missing = 0;
  let thin = 0;
  let caught = 0;
  const types: string[] = [];
  runs.forEach((run, i) => {
    const check = checks[i];
    if (check === undefined) missing++;
    else if (check.valid === true) {
      if (isThin(run)) thin++;
      else valid++;
    } else if (check.valid === false) {
      violated++;
      types.push(...new Set(check.anomalyTypes));
    } else unknown++;
    if (isCaught(check, expect)) caught++;
  });
  const faultKinds = [...new Set(runs.flatMap((r) => r.faults))].sort();
  const byFault = faultKinds.map((fault): FaultTally => {
    const t: FaultTally = { fault, runs: 0, valid: 0, violated: 0, unknown: 0, caught: 0 };
    runs.forEach((run, i) => {
      if (!run.faults.includes(fault)) return;
      const check = checks[i];
      t.runs++;
      if (check?.valid === true && !isThin(run)) t.valid++;
      else if (check?.valid === false) t.violated++;
      else if (check !== undefined && check.valid === 'unknown') t.unknown++;
      if (isCaught(check, expect)) t.caught++;
    });
    return t;
  });
  const n = runs.length;
  const anomalyTypes = countBy(types);
  const apart = [
    unknown > 0 ? `${unknown} unknown` : '',
    missing > 0 ? `${missing} without a verdict` : '',
    thin > 0 ? `${thin} valid with fewer than ${expect?.minOk} ok ops` : '',
  ].filter((s) => s !== '');
  const apartText = apart.length === 0 ? '' : ` (${apart.join(', ')})`;
  let outcome: ExpectationOutcome | undefined;
  let summary: string;
  if (role === 'holds') {
    outcome = n > 0 && valid === n ? 'met' : violated > 0 ? 'contradicted' : 'not-shown';
    summary = `valid in ${valid} of ${plural(n, 'run')}${violated > 0 ? `, violated in ${violated}` : ''}${apartText}`;
  } else if (role === 'violates') {
    // A weakness shows when it is caught at least once; reported valid in every run, the runs say otherwise.
    outcome = caught > 0 ? 'met' : n > 0 && valid === n ? 'contradicted' : 'not-shown';
    const wanted = expect?.anomalies;
    const what = wanted !== undefined && wanted.length > 0 ? wanted.join(' or ') : 'violation';
    const seen =
      anomalyTypes.length === 0 ? '' : `; seen: ${anomalyTypes.map((a) => `${a.type} ×${a.runs}`).join(', ')}`;
    const other = violated > caught ? `, violated without ${what} in ${violated - caught}` : '';
    summary = `${what} caught in ${caught} of ${plural(n, 'run')}${other}${apartText}${seen}`;
  } else {
    const seen = anomalyTypes.length === 0 ? '' : ` (${anomalyTypes.map((a) => a.type).join(', ')})`;
    summary = `valid ${valid}, violated ${violated}${seen}, unknown ${unknown} of ${plural(n, 'run')}${missing > 0 ? `, ${missing} without a verdict` : ''}`;
  }
  return {
    checker,
    role,
    runs: n,
    valid,
    violated,
    unknown,
    missing,
    thin,
    caught,
    anomalyTypes,
    byFault,
    ...(outcome !== undefined && { outcome }),
    summary,
  };
}

/** The checkers a row shows: the campaign's, then any a run reported that the campaign did not name. */
function checkersOf(campaign: MatrixCampaign, runs: readonly MatrixRun[]): string[] {
  const names = [...campaign.checkers];
  for (const name of [...(campaign.expect?.holds ?? []), ...(campaign.expect?.violates ?? [])])
    if (!names.includes(name)) names.push(name);
  for (const run of runs) for (const c of run.checks) if (!names.includes(c.checker)) names.push(c.checker);
  return names;
}

export function summarizeMatrix(
  campaigns: readonly MatrixCampaign[],
  runs: readonly MatrixRun[],
  options: { requireCatch?: boolean } = {},
): MatrixSummary {
  const requireCatch = options.requireCatch === true;
  const rows = campaigns.map((campaign): CampaignRow => {
    const own = runs.filter((r) => r.campaign === campaign.name).sort((a, b) => a.index - b.index);
    const cells = checkersOf(campaign, own).map((checker) => cellOf(checker, campaign, own));
    const judged = cells.filter((c) => c.outcome !== undefined);
    const walls = own.map((r) => r.wallMs);
    return {
      name: campaign.name,
      file: campaign.file,
      expect: campaign.expect,
      runsPlanned: campaign.runsPlanned,
      ...(campaign.fixedSeed !== undefined && { fixedSeed: campaign.fixedSeed }),
      runs: own,
      cells,
      ...(campaign.expect !== undefined &&
        own.length > 0 && {
          met: judged.every((c) => c.outcome === 'met'),
        }),
      durations:
        walls.length === 0
          ? undefined
          : { minMs: Math.min(...walls), maxMs: Math.max(...walls), totalMs: walls.reduce((a, b) => a + b, 0) },
    };
  });
  const unmet = rows.flatMap((row) =>
    row.cells.flatMap((c) =>
      c.role !== 'shown' && c.outcome !== undefined && c.outcome !== 'met' && row.runs.length > 0
        ? [{ campaign: row.name, checker: c.checker, role: c.role, outcome: c.outcome, summary: c.summary }]
        : [],
    ),
  );
  return { rows, requireCatch, harnessProblems: runs.filter((r) => r.status !== 'passed'), unmet };
}

/**
 * What the matrix's exit code means, before harness failures and interrupts are folded in: 'contradicted' when
 * a verdict contradicts an expectation (a claimed model violated; with requireCatch, a weakness reported valid in
 * every run), 'not-shown' when some expectation is neither met nor contradicted, else 'met'. Weaknesses not
 * caught count only with requireCatch: whether a run catches one is chance.
 */
export function matrixOutcome(summary: MatrixSummary): ExpectationOutcome {
  const counted = summary.unmet.filter((u) => u.role === 'holds' || summary.requireCatch);
  if (counted.some((u) => u.outcome === 'contradicted')) return 'contradicted';
  if (counted.length > 0) return 'not-shown';
  return 'met';
}
