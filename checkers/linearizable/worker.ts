// Worker thread entry: decides the partitions the pool sends it, one at a time. A module of its own, so a
// bundle can make it a second entry point (parallel.ts looks for worker.js beside the bundle).
import { parentPort } from 'node:worker_threads';
import type { ModelSpec } from '../models/model.ts';
import { createModel } from '../models/registry.ts';
import { decidePartition } from './partition.ts';
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
}

export interface WorkerReply {
  id: number;
  report: PartitionReport;
}

parentPort?.on('message', (job: WorkerJob) => {
  const deadline = performance.now() + job.remainingMs;
  const model = createModel(job.spec);
  const report = decidePartition(model, job.partition, { deadline, memoryBytes: job.memoryBytes });
  const reply: WorkerReply = { id: job.id, report };
  parentPort?.postMessage(reply);
});
