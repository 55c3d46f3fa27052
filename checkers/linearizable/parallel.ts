// A pool of worker threads deciding partitions in parallel. Node only: imported lazily by the checker, so
// the browser build never pulls in worker_threads.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ModelSpec } from '../models/model.ts';
import type { Partition, PartitionReport } from './partition.ts';
import type { WorkerJob } from './worker.ts';
import { workerStart } from './workerStart.ts';

/**
 * Decides every partition on up to `availableParallelism()` workers, biggest first. Returns null when
 * workers cannot be started here (the caller then checks on its own thread).
 */
export async function decideInWorkers(
  spec: ModelSpec,
  partitions: readonly Partition[],
  budget: { deadline: number; memoryBytes: number },
  /** The deadline for the rest once a violation is found at `now`. */
  graceDeadline: (now: number, deadline: number) => number,
): Promise<{ reports: PartitionReport[]; workers: number } | null> {
  const count = Math.min(availableParallelism(), partitions.length, 8);
  if (count < 2) return null;
  const order = partitions.map((_, i) => i).sort((a, b) => partitions[b]!.ops.length - partitions[a]!.ops.length);
  const reports: Array<PartitionReport | undefined> = new Array<PartitionReport | undefined>(partitions.length);
  const workers: Worker[] = [];
  let deadline = budget.deadline;
  let nextJob = 0;
  let done = 0;
  return new Promise<{ reports: PartitionReport[]; workers: number } | null>((resolve) => {
    let settled = false;
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const finish = (value: PartitionReport[] | null): void => {
      if (settled) return;
      settled = true;
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      for (const w of workers) void w.terminate();
      resolve(value === null ? null : { reports: value, workers: count });
    };
    // Partitions still running when we stop waiting are reported as undecided, never as passed.
    const undecidedRest = (): PartitionReport[] =>
      partitions.map(
        (p, i) =>
          reports[i] ?? {
            key: p.key,
            valid: 'unknown',
            algorithm: 'search',
            ops: p.ops.length,
            timeMs: 0,
            cached: 0,
            reason: 'time',
          },
      );
    const send = (w: Worker): void => {
      const i = order[nextJob++];
      if (i === undefined) return;
      const job: WorkerJob = {
        index: i,
        partition: partitions[i]!,
        remainingMs: Math.max(0, deadline - performance.now()),
        memoryBytes: budget.memoryBytes / count,
      };
      w.postMessage(job);
    };
    for (let k = 0; k < count; k++) {
      const start = workerStart();
      if (start === null) {
        finish(null); // no tsx here: the caller checks on its own thread
        return;
      }
      const w = new Worker(start.source, { eval: start.eval, workerData: { spec } });
      workers.push(w);
      w.on('message', (msg: { index: number; report: PartitionReport }) => {
        reports[msg.index] = msg.report;
        done++;
        if (msg.report.valid === false && graceTimer === undefined) {
          deadline = graceDeadline(performance.now(), deadline);
          graceTimer = setTimeout(
            () => {
              finish(undecidedRest());
            },
            Math.max(0, deadline - performance.now()) + 200,
          );
        }
        if (done === partitions.length) finish(undecidedRest());
        else send(w);
      });
      w.on('error', () => {
        finish(null);
      });
      send(w);
    }
  });
}
