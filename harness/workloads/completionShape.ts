// What an ok completion's value must be, per workload (docs/workloads.md). The checkers read these values as
// given, so a value of the wrong shape (a read returning the string "5" for the integer 5) would be judged as
// something it is not. The client pool records such a completion as info, with the reason from here, and the
// run counts them: never coerced, never silently dropped.
import { z } from 'zod';
import type { ClientOp, Value } from '../plugin.ts';

/** Why an ok completion's value does not fit the op, or undefined when it does. */
export type CompletionCheck = (op: ClientOp, value: Value) => string | undefined;

interface Shape {
  schema: z.ZodType;
  /** What the value must be, in words: "an integer or null". */
  expected: string;
}

export const integerOrNull: Shape = { schema: z.number().int().nullable(), expected: 'an integer or null' };
export const integerListOrNull: Shape = {
  schema: z.array(z.number().int()).nullable(),
  expected: 'a list of integers (or null for a key never written)',
};

/** A value in a few words: "a string (\"5\")", "a list of 3", "null". */
export function describeValue(v: unknown): string {
  const json = JSON.stringify(v) ?? String(v);
  const shown = json.length > 40 ? `${json.slice(0, 37)}...` : json;
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `a list (${shown})`;
  if (typeof v === 'number') return Number.isInteger(v) ? `the integer ${shown}` : `the non-integer number ${shown}`;
  if (typeof v === 'object') return `an object (${shown})`;
  return `a ${typeof v} (${shown})`;
}

/** "read of key k3" or "read" when the op has no key. */
export function opLabel(op: ClientOp): string {
  return op.key === undefined ? op.f : `${op.f} of key ${op.key}`;
}

function shapeProblem(what: string, value: unknown, shape: Shape): string | undefined {
  return shape.schema.safeParse(value).success
    ? undefined
    : `${what} returned ${describeValue(value)}, expected ${shape.expected}`;
}

/** Reads must return `readShape`; every other f's ok value is not read by the checkers and may be anything. */
export function readReturns(readShape: Shape): CompletionCheck {
  return (op, value) => (op.f === 'read' ? shapeProblem(opLabel(op), value, readShape) : undefined);
}

const microOp = z.tuple([z.string(), z.string(), z.json()]);

/**
 * A txn's ok value is the txn as invoked, in the same order, with each read's value filled in (`readShape`)
 * and each write's value as written: the transactional checkers infer the version order from both.
 */
export function txnReturns(readShape: Shape): CompletionCheck {
  return (op, value) => {
    const invoked = Array.isArray(op.value) ? op.value : [];
    const expected = `the txn as invoked (${invoked.length} micro-ops [f, key, value]) with each read's value filled in`;
    if (!Array.isArray(value)) return `txn returned ${describeValue(value)}, expected ${expected}`;
    if (value.length !== invoked.length)
      return `txn returned ${value.length} micro-ops for the ${invoked.length} invoked, expected ${expected}`;
    for (let i = 0; i < invoked.length; i++) {
      const asked = invoked[i] as [string, string, Value];
      const got = microOp.safeParse(value[i]);
      const [f, key] = asked;
      if (!got.success || got.data[0] !== f || got.data[1] !== key)
        return `txn micro-op ${i + 1} (${JSON.stringify(asked)}) came back as ${describeValue(value[i])}, expected ["${f}", "${key}", value]`;
      const returned = got.data[2];
      if (f === 'r') {
        const problem = shapeProblem(`read of key ${key} in a txn`, returned, readShape);
        if (problem !== undefined) return problem;
      } else if (JSON.stringify(returned) !== JSON.stringify(asked[2])) {
        return `${f} of ${JSON.stringify(asked[2])} to key ${key} in a txn came back as ${describeValue(returned)}, expected the value written`;
      }
    }
    return undefined;
  };
}
