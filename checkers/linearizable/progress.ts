// What a linearizability check has decided so far, for the live check line (issue 14): partitions (keys)
// decided of total, their ops, configurations explored by the searches, elapsed time and budget left.
// Pure accounting; the checker feeds it each partition's report, slice by slice.
import type { PartitionReport } from './partition.ts';

export interface SearchProgress {
  /** What the history was split into: 'keys' when partitioned by key, else 'partitions' (one, usually). */
  unit: 'keys' | 'partitions';
  /** Parts with a verdict (valid or violated). */
  decided: number;
  /** Parts given up on (time or memory budget). */
  undecided: number;
  parts: number;
  /** Ops in the parts decided, of all ops in the parts. */
  opsDecided: number;
  ops: number;
  /** Configurations the searches have memoised so far, finished and paused ones alike. */
  explored: number;
  elapsedMs: number;
  /** Time budget left; null when the check has none. */
  budgetLeftMs: number | null;
}

export interface ProgressTally {
  /** Records the latest report of part `index` (a paused search's 'time' unknown counts as still running). */
  report(index: number, report: PartitionReport, final?: boolean): void;
  snapshot(elapsedMs: number, budgetLeftMs: number | null): SearchProgress;
}

/** A tally over parts of the given sizes (ops per part). */
export function createProgressTally(sizes: readonly number[], unit: SearchProgress['unit']): ProgressTally {
  const explored = new Array<number>(sizes.length).fill(0);
  const state = new Array<'running' | 'decided' | 'undecided'>(sizes.length).fill('running');
  const ops = sizes.reduce((n, s) => n + s, 0);
  let decided = 0;
  let undecided = 0;
  let opsDecided = 0;
  return {
    report(index, r, final = false) {
      explored[index] = r.cached;
      if (state[index] !== 'running') return;
      if (r.valid !== 'unknown') {
        state[index] = 'decided';
        decided++;
        opsDecided += sizes[index]!;
      } else if (final || r.reason === 'memory') {
        state[index] = 'undecided';
        undecided++;
      }
    },
    snapshot(elapsedMs, budgetLeftMs) {
      return {
        unit,
        decided,
        undecided,
        parts: sizes.length,
        opsDecided,
        ops,
        explored: explored.reduce((n, c) => n + c, 0),
        elapsedMs,
        budgetLeftMs: budgetLeftMs === null ? null : Math.max(0, budgetLeftMs),
      };
    },
  };
}
