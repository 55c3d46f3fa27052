// Worker threads deciding partitions in parallel, from one pool per process: a pool per check paid every
// worker's start (tsx loading, cold code) on every check and made a 100k-op check slower than one thread.
// Node only: imported lazily by the checker, so the browser build never pulls in worker_threads.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ModelSpec } from '../models/model.ts';
import type { ViolationDetail } from '../result.ts';
import type { Partition, PartitionReport } from './partition.ts';
import type { WorkerJob, WorkerReply } from './worker.ts';

/** Workers in the pool at most; more than the cores only share them. */
export function poolLimit(): number {
  return Math.min(availableParallelism(), 8);
}

interface Job {
  id: number;
  /** Built when a worker takes the job, so it gets the deadline as it is then (a violation shortens it). */
  message: () => WorkerJob;
  /** Settles the job: a report, or null when the worker died or was stopped. */
  settle: (report: PartitionReport | null) => void;
  /** A paused search's report while the job goes on. */
  progress?: (report: PartitionReport) => void;
}

interface PooledWorker {
  worker: Worker;
  job: Job | null;
}

/** How long past its deadline a worker's job may run before the worker is stopped. */
const stragglerMs = 1000;

const idle: PooledWorker[] = [];
const all = new Set<PooledWorker>();
const queue: Job[] = [];
let nextJobId = 0;
let unavailable = false;

/**
 * The worker's entry, a module of its own (a bundle makes it a second entry point). Run from TypeScript, it is
 * worker.ts beside this file, loaded through tsx; from a bundle, worker.js beside the bundle (a missing file
 * fails the worker's start, and the checker then decides on its own thread). null without tsx.
 */
function workerSource(): { code: string; eval: true } | { file: URL; eval: false } | null {
  if (import.meta.url.endsWith('.ts')) {
    // Node 20 does not apply `--import tsx` to a worker's entry module, so the worker registers tsx's
    // loader itself before importing the TypeScript entry.
    let tsxApi: string;
    try {
      tsxApi = import.meta.resolve('tsx/esm/api');
    } catch {
      return null;
    }
    const entry = new URL('./worker.ts', import.meta.url).href;
    return {
      code: `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`,
      eval: true,
    };
  }
  return { file: new URL('./worker.js', import.meta.url), eval: false };
}

function retire(pooled: PooledWorker): void {
  all.delete(pooled);
  const at = idle.indexOf(pooled);
  if (at >= 0) idle.splice(at, 1);
  void pooled.worker.terminate();
}

function startWorker(): PooledWorker | null {
  const source = workerSource();
  if (source === null) return null;
  const worker = source.eval ? new Worker(source.code, { eval: true }) : new Worker(source.file);
  const pooled: PooledWorker = { worker, job: null };
  // An idle pool must not keep the process alive; a busy worker does, until its reply.
  worker.unref();
  worker.on('message', (reply: WorkerReply) => {
    const job = pooled.job;
    if (job === null || job.id !== reply.id) return;
    if (reply.progress === true) {
      job.progress?.(reply.report);
      return;
    }
    pooled.job = null;
    worker.unref();
    job.settle(reply.report);
    dispatch(pooled);
  });
  worker.on('error', () => {
    const job = pooled.job;
    pooled.job = null;
    retire(pooled);
    job?.settle(null);
    // Whatever broke this one may break the next: the queued jobs go back to their checks' own threads.
    for (const queued of queue.splice(0)) queued.settle(null);
  });
  worker.on('exit', () => {
    const job = pooled.job;
    pooled.job = null;
    all.delete(pooled);
    job?.settle(null);
  });
  all.add(pooled);
  return pooled;
}

/** Gives the worker the next queued job, or parks it as idle. */
function dispatch(pooled: PooledWorker): void {
  const job = queue.shift();
  if (job === undefined) {
    idle.push(pooled);
    return;
  }
  pooled.job = job;
  pooled.worker.ref();
  pooled.worker.postMessage(job.message());
}

function submit(job: Job): void {
  queue.push(job);
  let pooled = idle.pop();
  if (pooled === undefined && all.size < poolLimit() && !unavailable) {
    pooled = startWorker() ?? undefined;
    if (pooled === undefined) unavailable = true;
  }
  if (pooled !== undefined) dispatch(pooled);
  else if (all.size === 0) {
    queue.splice(queue.indexOf(job), 1);
    job.settle(null);
  }
}

/** Stops the worker running `job`, if any (the pool starts another when next needed). */
function stopJob(job: Job): void {
  const at = queue.indexOf(job);
  if (at >= 0) {
    queue.splice(at, 1);
    job.settle(null);
    return;
  }
  for (const pooled of all) {
    if (pooled.job === job) {
      pooled.job = null;
      retire(pooled);
      job.settle(null);
    }
  }
}

/** Workers started so far in this process (for stats and tests). */
export function poolSize(): number {
  return all.size;
}

/**
 * Decides every partition on the process's pool, biggest first. Returns null when workers cannot be
 * started here or one failed (the caller then checks on its own thread).
 */
export async function decideInWorkers(
  spec: ModelSpec,
  partitions: readonly Partition[],
  budget: { deadline: number; memoryBytes: number; progressEveryMs?: number; detail: ViolationDetail },
  /** The deadline for the rest once a violation is found at `now`. */
  graceDeadline: (now: number, deadline: number) => number,
  /**
   * Called as each partition's report arrives (index into `partitions`), for the progress line; `final` false
   * for a search still under way.
   */
  onReport?: (index: number, report: PartitionReport, final: boolean) => void,
): Promise<{ reports: PartitionReport[]; workers: number } | null> {
  const count = Math.min(poolLimit(), partitions.length);
  if (count < 2 || unavailable) return null;
  const order = partitions.map((_, i) => i).sort((a, b) => partitions[b]!.ops.length - partitions[a]!.ops.length);
  const reports = new Array<PartitionReport | undefined>(partitions.length);
  let deadline = budget.deadline;
  let failed = false;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  const jobs: Job[] = [];
  await new Promise<void>((resolve) => {
    let open = partitions.length;
    const settled = (): void => {
      if (--open === 0) resolve();
    };
    for (const i of order) {
      let done = false;
      const id = nextJobId++;
      const job: Job = {
        id,
        message: () => ({
          id,
          spec,
          partition: partitions[i]!,
          remainingMs: Math.max(0, deadline - performance.now()),
          memoryBytes: budget.memoryBytes / count,
          detail: budget.detail,
          ...(budget.progressEveryMs !== undefined && { progressEveryMs: budget.progressEveryMs }),
        }),
        settle: (report) => {
          if (done) return;
          done = true;
          if (report === null) failed ||= graceTimer === undefined;
          else {
            reports[i] = report;
            onReport?.(i, report, true);
            if (report.valid === false && graceTimer === undefined) {
              deadline = graceDeadline(performance.now(), deadline);
              // Every job taken from now on gets the shorter deadline and returns by it; one still running
              // well past it is stopped (its worker replaced when next needed) and reported undecided.
              graceTimer = setTimeout(
                () => {
                  for (const j of jobs) stopJob(j);
                },
                Math.max(0, deadline - performance.now()) + stragglerMs,
              );
            }
          }
          settled();
        },
        progress: (report) => {
          if (!done) onReport?.(i, report, false);
        },
      };
      jobs.push(job);
      submit(job);
    }
  });
  if (graceTimer !== undefined) clearTimeout(graceTimer);
  if (failed) return null;
  return {
    reports: partitions.map(
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
    ),
    workers: count,
  };
}
