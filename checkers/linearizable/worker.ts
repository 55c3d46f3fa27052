// Worker thread entry: decides the partitions the pool sends it, one at a time. A module of its own, so a
// bundle can make it a second entry point (parallel.ts looks for worker.js beside the bundle).
import { parentPort } from 'node:worker_threads';
import type { ModelSpec } from '../models/model.ts';
import type { ViolationDetail } from '../result.ts';
import { createModel } from '../models/registry.ts';
import { startDecision } from './partition.ts';
import type { Partition, PartitionReport } from './partition.ts';

export interface WorkerJob {
  id: number;
  /**
   * The model to rebuild here, per job: one pool serves every check of the process, and a model's intern
   * tables only grow.
   */
  spec: ModelSpec;
  partition: Partition;
  /** Remaining wall-clock budget in ms (clocks differ between threads, so not a deadline). */
  remainingMs: number;
  memoryBytes: number;
  /** How often the search reports how far it has got (default workerProgressEveryMs). */
  progressEveryMs?: number;
  detail: ViolationDetail;
}

export interface WorkerReply {
  id: number;
  report: PartitionReport;
  /** A paused search's report, sent as it goes (the live progress line); the job goes on. */
  progress?: true;
}

/** How often a worker reports how far its search has got, unless the job says. */
const workerProgressEveryMs = 250;

parentPort?.on('message', (job: WorkerJob) => {
  const deadline = performance.now() + job.remainingMs;
  const model = createModel(job.spec);
  // In slices, reporting between them: a paused search resumes where it stopped, so this repeats no work.
  const decision = startDecision(model, job.partition, job.detail);
  for (;;) {
    const sliceEnd = Math.min(deadline, performance.now() + (job.progressEveryMs ?? workerProgressEveryMs));
    const report = decision.run({ deadline: sliceEnd, memoryBytes: job.memoryBytes });
    const more = report.valid === 'unknown' && report.reason === 'time' && sliceEnd < deadline;
    const reply: WorkerReply = more ? { id: job.id, report, progress: true } : { id: job.id, report };
    parentPort?.postMessage(reply);
    if (!more) return;
  }
});
