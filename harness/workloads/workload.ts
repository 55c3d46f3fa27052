// A workload is what the clients do: which operations, on which keys, with which values. Its generator is
// pure over an explicit random generator: the same seed and the same sequence of requests give the same ops,
// so a run's workload is replayable from the seed recorded in the store.
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import type { ClientOp } from '../plugin.ts';
import type { CompletionCheck } from './completionShape.ts';

/** What a campaign's `workload:` section resolves to, defaults filled in. */
export interface WorkloadParams {
  /** How many keys ops spread over (register: always 1). */
  keys: number;
  /** Relative weights of the workload's fs, e.g. { read: 2, write: 1, cas: 1 }; missing fs weigh 0. */
  mix: Readonly<Record<string, number>>;
  /** Written values are unique across the run (the default): most checks become polynomial. */
  uniqueValues: boolean;
  /** When values are not unique, they are drawn from 0..valueRange-1. */
  valueRange: number;
  /** list-append, rw-register: at most this many micro-ops per transaction. */
  maxTxnLength: number;
}

/** A pure step: given the state and a random source, the next op for `process` and the state after it. */
export interface GeneratorCore<S> {
  initial: S;
  next(state: S, rng: RandomGenerator, process: number): { op: ClientOp; state: S };
  /** Ops each client issues once, until ok, in the final-reads phase. */
  finalReads(state: S): ClientOp[];
}

export interface Workload {
  name: string;
  /** One line for `faultline list`. */
  description: string;
  /** The data model checkers apply to it: register (per key), set, counter, list-append, rw-register. */
  model: string;
  /** The operation functions this workload can issue, for validating `mix`. */
  fs: readonly string[];
  defaultMix: Readonly<Record<string, number>>;
  /** Whether `keys` is meaningful (register has exactly one key). */
  multiKey: boolean;
  create(params: WorkloadParams): GeneratorCore<unknown>;
  /**
   * Why an ok completion's value is of the wrong shape for its op, or undefined when it fits: the workload's
   * contract with client adapters (docs/workloads.md). The pool records a misfit as info with this reason.
   */
  checkCompletion: CompletionCheck;
}

/** Typed constructor for a workload, so each file keeps its own state type. */
export function defineWorkload<S>(
  w: Omit<Workload, 'create'> & { create(params: WorkloadParams): GeneratorCore<S> },
): Workload {
  return w;
}

/** Picks one f from the mix, by weight. Throws when every weight is 0 (the campaign loader rejects that). */
export function pickF(mix: Readonly<Record<string, number>>, rng: RandomGenerator): string {
  const entries = Object.entries(mix).filter(([, w]) => w > 0);
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  if (entries.length === 0 || total <= 0) throw new Error('workload mix has no f with a positive weight');
  // Weights may be fractional: scale to an integer range so draws stay exact and seed-stable.
  const scale = 1_000_000;
  let r = uniformIndex(rng, Math.round(total * scale)) / scale;
  for (const [f, w] of entries) {
    if (r < w) return f;
    r -= w;
  }
  return entries[entries.length - 1]![0];
}

/** A uniform integer in 0..n-1 (n >= 1). */
export function uniformIndex(rng: RandomGenerator, n: number): number {
  // Rejection sampling on 31 bits keeps it unbiased without pulling in a distribution per call.
  if (n <= 1) return 0;
  const limit = 0x8000_0000 - (0x8000_0000 % n);
  for (;;) {
    const v = rng.next() & 0x7fff_ffff;
    if (v < limit) return v % n;
  }
}

export function keyName(i: number): string {
  return `k${i}`;
}
