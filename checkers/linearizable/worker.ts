// Worker thread entry: decides the partitions the pool sends it, one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import type { ModelSpec } from '../models/model.ts';
import { createModel } from '../models/registry.ts';
import { decidePartition } from './partition.ts';
import type { Partition } from './partition.ts';

export interface WorkerJob {
  index: number;
  partition: Partition;
  /** Remaining wall-clock budget in ms (clocks differ between threads, so not a deadline). */
  remainingMs: number;
  memoryBytes: number;
}

const model = createModel((workerData as { spec: ModelSpec }).spec);
parentPort?.on('message', (job: WorkerJob) => {
  const deadline = performance.now() + job.remainingMs;
  const report = decidePartition(model, job.partition, { deadline, memoryBytes: job.memoryBytes });
  parentPort?.postMessage({ index: job.index, report });
});
