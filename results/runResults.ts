// results.json: what a run produced, written by the runner and read by the report, the store index and
// `faultline check`. The zod schema makes a malformed file fail with the field and the reason.
import { z } from 'zod';
import type { ModelSpec } from '../checkers/models/model.ts';
import type { CheckResult, Verdict } from '../checkers/result.ts';
import type { NetworkFigures } from './networkFigures.ts';

export interface RunResults {
  campaign: string;
  system: string;
  /** The models the system claims, as its definition declares them (weaker models implied). Absent: no claim declared. */
  guarantees?: string[];
  nodes: string[];
  seed: number;
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  faults: {
    applied: string[];
    unavailable: { fault: string; reason: string }[];
    /** Each applied kind's colour, as its fault package drew it (absent in runs from before it was recorded). */
    colors?: Record<string, string>;
  };
  opCounts: { ok: number; fail: number; info: number };
  /**
   * ok completions whose value did not fit the workload's contract (docs/workloads.md), recorded as info: how
   * many, and the first one's reason (absent in older files).
   */
  wrongShape?: { count: number; first?: string };
  checks: CheckResult[];
  /** The workload that generated the ops (written by the runner; absent in older files). */
  workload?: { name: string; model: string };
  /** How the harness fared: passed, failed, interrupted, timedout, and the errors it met along the way. */
  harness?: { status: string; errors: string[]; softErrors: string[] };
  /** The checkers the run asked for, so `faultline check RUN_DIR` repeats them (absent in older files). */
  checkers?: string[];
  /** The linearizability model the run checked against (absent in older files). */
  model?: ModelSpec;
  /** The check budgets the run was given (campaign `checking` or command line); absent: the defaults applied. */
  budgets?: { timeBudgetMs?: number; memoryBudgetBytes?: number };
  /**
   * The analysis' verdict (checkers/analyze.ts): the worst check, but `unknown` with the reason when nothing was
   * checked or observed although each check passed (absent in older files).
   */
  verdict?: { valid: Verdict; reason?: string };
  /**
   * The wall-clock time (ms since the epoch) of the history's time 0, so logs stamped on that clock (a message
   * log) can be placed on the history's (absent in older files).
   */
  historyOriginEpochMs?: number;
  /** Figures from the run's message log, when its system is its own network and wrote one (docs/maelstrom.md). */
  network?: NetworkFigures;
}

const jsonValue = z.json();

const anomalySchema = z.object({
  type: z.string(),
  ops: z.array(z.number().int()),
  indices: z.array(z.number().int()).optional(),
  explanation: z.string(),
  key: z.string().optional(),
  detail: jsonValue.optional(),
});

const checkResultSchema = z.object({
  checker: z.string(),
  model: z.string(),
  valid: z.union([z.literal(true), z.literal(false), z.literal('unknown')]),
  anomalies: z.array(anomalySchema),
  reason: z.string().optional(),
  impliedBy: z.string().optional(),
  stats: z.looseObject({ ops: z.number(), timeMs: z.number() }).catchall(z.number()),
});

const nullableNumber = z.number().nullable();
const networkSchema = z.object({
  messages: z.number().int().nonnegative(),
  serverMessages: z.number().int().nonnegative(),
  clientOps: z.number().int().nonnegative(),
  messagesPerOp: nullableNumber,
  serverMessagesPerOp: nullableNumber,
  drops: z.record(z.string(), z.number().int().nonnegative()),
  duplicates: z.number().int().nonnegative(),
  skippedLines: z.number().int().nonnegative(),
  stableLatency: z
    .object({
      elements: z.number().int().nonnegative(),
      stable: z.number().int().nonnegative(),
      p50Ms: nullableNumber,
      p95Ms: nullableNumber,
      maxMs: nullableNumber,
      neverStable: z.number().int().nonnegative(),
      neverStableExamples: z.array(z.object({ element: jsonValue, node: z.string() })),
      undetermined: z.number().int().nonnegative(),
      nodes: z.array(z.string()),
    })
    .optional(),
});

export const runResultsSchema = z.object({
  campaign: z.string(),
  system: z.string(),
  guarantees: z.array(z.string()).optional(),
  nodes: z.array(z.string()),
  seed: z.number(),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  faults: z.object({
    applied: z.array(z.string()),
    unavailable: z.array(z.object({ fault: z.string(), reason: z.string() })),
    colors: z.record(z.string(), z.string().regex(/^#[0-9a-fA-F]{6}$/)).optional(),
  }),
  opCounts: z.object({ ok: z.number().int(), fail: z.number().int(), info: z.number().int() }),
  wrongShape: z.object({ count: z.number().int().nonnegative(), first: z.string().optional() }).optional(),
  checks: z.array(checkResultSchema),
  workload: z.object({ name: z.string(), model: z.string() }).optional(),
  harness: z.object({ status: z.string(), errors: z.array(z.string()), softErrors: z.array(z.string()) }).optional(),
  checkers: z.array(z.string()).optional(),
  verdict: z
    .object({
      valid: z.union([z.literal(true), z.literal(false), z.literal('unknown')]),
      reason: z.string().optional(),
    })
    .optional(),
  model: z.object({ name: z.string(), options: z.record(z.string(), jsonValue).optional() }).optional(),
  budgets: z
    .object({ timeBudgetMs: z.number().positive().optional(), memoryBudgetBytes: z.number().positive().optional() })
    .optional(),
  historyOriginEpochMs: z.number().optional(),
  network: networkSchema.optional(),
});

export class RunResultsError extends Error {
  readonly source: string;
  constructor(source: string, reason: string) {
    super(`${source}: ${reason}`);
    this.name = 'RunResultsError';
    this.source = source;
  }
}

/** Validates parsed JSON as RunResults; throws RunResultsError naming every bad field. */
export function toRunResults(data: unknown, source = 'results.json'): RunResults {
  const parsed = runResultsSchema.safeParse(data);
  if (!parsed.success) throw new RunResultsError(source, `not a valid results file:\n${z.prettifyError(parsed.error)}`);
  // zod types optional fields as `T | undefined`; it never materialises absent keys, so the cast is exact.
  return parsed.data as RunResults;
}

/** Parses results.json text. */
export function parseRunResults(text: string, source = 'results.json'): RunResults {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new RunResultsError(source, `not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return toRunResults(data, source);
}
