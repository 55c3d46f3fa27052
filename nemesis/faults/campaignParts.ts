// The pieces the fault packages' campaign parts share: durations and node selections, in campaign terms. The
// campaign schema (harness/campaign/campaignSchema.ts) uses the same duration for its phases.
import { z } from 'zod';
import { nodeSelectorNames } from '../nodeSelection.ts';

const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** The longest delay a Node timer takes (2^31-1 ms, about 24.8 days): beyond it setTimeout fires at once. */
export const maxDurationMs = 2 ** 31 - 1;

/** A duration such as 500ms, 10s, 1.5m or 1h; parsed to milliseconds. */
export const duration = z
  .string()
  .regex(durationPattern, { message: 'a duration like 500ms, 10s, 2m or 1h' })
  .refine((text) => !durationPattern.test(text) || durationMs(text) <= maxDurationMs, {
    message: 'too long: at most 596h (24.8 days, the longest a timer waits)',
  })
  .describe('A duration: a number followed by ms, s, m or h (e.g. 500ms, 10s, 2m)');

/** A duration that must be more than 0 (a timeout, a mean interval). */
export const positiveDuration = (why: string) =>
  duration.refine((text) => !durationPattern.test(text) || durationMs(text) > 0, {
    message: `must be more than 0: ${why}`,
  });

export function durationMs(text: string): number {
  const m = durationPattern.exec(text);
  if (m === null) throw new Error(`not a duration: ${text}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

export const selector = z
  .union([z.enum(nodeSelectorNames), z.array(z.string().min(1)).min(1).describe('Explicit node names, e.g. [n1, n2]')])
  .describe('Which nodes: one, minority, majority, minority-third, all, primary, or a list of node names');

export const targets = z.array(selector).min(1).optional().describe('Node selections to draw from, one per fault');
