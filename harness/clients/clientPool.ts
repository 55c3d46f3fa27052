// Client workers, Jepsen-style: each worker slot is one async loop doing one op at a time as a "process".
// An op's outcome is recorded as the client adapter reports it: ok (happened), fail (definitely did not),
// info (unknown). A timed-out or thrown op is info, and the slot then continues as a fresh process id with a
// freshly opened client, because the old process may still have an op in flight in the system.
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import type { Value } from '../../checkers/history.ts';
import type { RecordInput } from '../history/recorder.ts';
import type { Client, ClientOp, Completion, NodeInfo } from '../plugin.ts';
import { uniformIndex } from '../workloads/workload.ts';
import { HookTimeoutError, withinHookTimeout } from './hookTimeout.ts';
import { unstorableReason, validateCompletion } from './validateCompletion.ts';
import type { CompletionCheck } from '../workloads/completionShape.ts';

export interface ClientPoolOptions {
  concurrency: number;
  /** Slot i talks to nodes[i % nodes.length]. */
  nodes: readonly NodeInfo[];
  openClient(node: NodeInfo): Promise<Client>;
  record(input: RecordInput): unknown;
  /** Per-op timeout: past it the op is recorded as info with error "timeout". */
  timeoutMs: number;
  /** Total ops/s over all workers; unlimited when absent. */
  rate?: number;
  /** One pacing stream per slot (seeded); pacing is unjittered without them. */
  rngs?: readonly RandomGenerator[];
  /**
   * Budget for openClient and a client's close (the campaign's hookTimeout). An open that exceeds it before
   * any client ever opened fails the run (the adapter hangs); after that it is logged and retried, since a
   * partitioned node may hold a connect for a long time. Unlimited when absent.
   */
  hookTimeoutMs?: number;
  /** Names the system in hook timeout errors. */
  systemName?: string;
  /** Harness-side notes: a client that could not be opened, an adapter that broke the protocol. */
  log?(message: string): void;
  /**
   * Said to the person running: the first client that could not be opened, with the adapter's reason. An
   * adapter that refuses every open leaves an empty history, and the harness log alone would hide why.
   */
  warn?(message: string): void;
  /**
   * The workload's contract for ok values (Workload.checkCompletion): a misfit is recorded as info with the
   * reason and counted in `counts.wrongShape`, never coerced. Unchecked when absent.
   */
  checkCompletion?: CompletionCheck;
}

interface Slot {
  index: number;
  process: number;
  node: NodeInfo;
  client: Client | null;
  opsSinceYield: number;
  /** Definite failures in a row: a node that refuses everything (killed, partitioned) is retried with backoff. */
  failsInARow: number;
}

/** Backoff after consecutive fails: 10 ms doubling to 500 ms, so a dead node does not flood the history. */
export function failBackoffMs(failsInARow: number): number {
  return failsInARow === 0 ? 0 : Math.min(500, 10 * 2 ** Math.min(failsInARow - 1, 6));
}

export interface PoolCounts {
  ok: number;
  fail: number;
  info: number;
  /** Completions the adapter got wrong (not ok/fail/info): recorded as info, counted as plugin errors. */
  pluginErrors: number;
  /** ok completions whose value did not fit the workload's contract: recorded as info (counted there too). */
  wrongShape: number;
  /** The first of them, in words: "read of key k3 returned a string ("5"), expected an integer or null". */
  firstWrongShape?: string;
}

/** The error of an ok completion recorded as info because its value did not fit the workload. */
export const wrongShapeError = (problem: string): string => `completion of the wrong shape: ${problem}`;

const yieldEvery = 32;

/**
 * A bug in the system's client adapter that the history cannot absorb (a completion that cannot be written
 * as JSON): the pool records the op as info, stops every worker, and rejects, so the run ends as a harness
 * error naming the process, node and op.
 */
export class ClientAdapterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientAdapterError';
  }
}

export class ClientPool {
  readonly counts: PoolCounts = { ok: 0, fail: 0, info: 0, pluginErrors: 0, wrongShape: 0 };
  private readonly _options: ClientPoolOptions;
  private readonly _slots: Slot[];
  private _everOpened = false;
  private _warnedOpen = false;
  private readonly _nodeNames: ReadonlySet<string>;

  constructor(options: ClientPoolOptions) {
    if (options.nodes.length === 0) throw new Error('ClientPool needs at least one node');
    this._options = options;
    this._nodeNames = new Set(options.nodes.map((n) => n.name));
    this._slots = Array.from({ length: options.concurrency }, (_, index) => ({
      index,
      process: index,
      node: options.nodes[index % options.nodes.length]!,
      client: null,
      opsSinceYield: 0,
      failsInARow: 0,
    }));
  }

  /** Runs every worker until `stop` aborts or `nextOp` returns undefined; in-flight ops finish (or time out). */
  async run(nextOp: (process: number) => ClientOp | undefined, stop: AbortSignal): Promise<void> {
    await this._allSlots(stop, (slot, signal) => this._loop(slot, nextOp, signal));
  }

  /** Runs `work` on every slot; the first slot that throws stops the others, and its error is rethrown. */
  private async _allSlots(stop: AbortSignal, work: (slot: Slot, signal: AbortSignal) => Promise<void>): Promise<void> {
    const failed = new AbortController();
    const signal = AbortSignal.any([stop, failed.signal]);
    let first: { error: unknown } | undefined;
    await Promise.all(
      this._slots.map((slot) =>
        work(slot, signal).catch((error: unknown) => {
          first ??= { error };
          failed.abort();
        }),
      ),
    );
    if (first !== undefined) throw first.error;
  }

  /**
   * Final reads: every worker performs each op once, retrying an op until it is ok or `stop` aborts, so the
   * checkers see the state the system converged to.
   */
  async finalReads(ops: readonly ClientOp[], stop: AbortSignal): Promise<void> {
    await this._allSlots(stop, async (slot, stop) => {
      for (const op of ops) {
        while (!stop.aborted) {
          const outcome = await this._perform(slot, op, stop);
          if (outcome === 'ok') break;
          if (outcome !== 'no-client') await sleep(100, stop);
        }
      }
    });
  }

  /** Closes every open client; errors are logged, never thrown (this runs during teardown). */
  async close(): Promise<void> {
    await Promise.all(
      this._slots.map(async (slot) => {
        const client = slot.client;
        slot.client = null;
        if (client !== null) await this._closeQuietly(client, slot);
      }),
    );
  }

  private async _loop(slot: Slot, nextOp: (process: number) => ClientOp | undefined, stop: AbortSignal): Promise<void> {
    const { rate, concurrency, rngs } = this._options;
    const meanGapMs = rate !== undefined && rate > 0 ? (1000 * concurrency) / rate : 0;
    const rng = rngs?.[slot.index];
    while (!stop.aborted) {
      if (slot.client === null && !(await this._open(slot, stop))) continue;
      const op = nextOp(slot.process);
      if (op === undefined) return;
      const outcome = await this._perform(slot, op, stop);
      slot.failsInARow = outcome === 'fail' ? slot.failsInARow + 1 : 0;
      const backoff = failBackoffMs(slot.failsInARow);
      if (backoff > 0) await sleep(backoff, stop);
      if (meanGapMs > 0) {
        // Uniform in [0, 2*mean]: the total rate is right on average, and workers do not march in step.
        const gap = rng !== undefined ? (uniformIndex(rng, 2001) / 1000) * meanGapMs : meanGapMs;
        await sleep(gap, stop);
      } else if (++slot.opsSinceYield >= yieldEvery) {
        // A system that answers synchronously would otherwise starve timers (including the stop signal).
        slot.opsSinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  /** Opens the slot's client; on failure logs, backs off and returns false. */
  private async _open(slot: Slot, stop: AbortSignal): Promise<boolean> {
    try {
      slot.client = await this._timed('client', slot.node.name, () => this._options.openClient(slot.node));
      this._everOpened = true;
      return true;
    } catch (e) {
      if (e instanceof HookTimeoutError && !this._everOpened) throw e;
      const text = `client for process ${slot.process} on ${slot.node.name} could not open: ${message(e)}`;
      this._options.log?.(text);
      if (!this._warnedOpen) {
        this._warnedOpen = true;
        this._options.warn?.(`${text} (retried every 250 ms; further failures in harness.log)`);
      }
      await sleep(250, stop);
      return false;
    }
  }

  private async _perform(slot: Slot, op: ClientOp, stop: AbortSignal): Promise<'ok' | 'fail' | 'info' | 'no-client'> {
    if (slot.client === null && !(await this._open(slot, stop))) return 'no-client';
    const client = slot.client!;
    const { timeoutMs } = this._options;
    const record = (input: RecordInput): unknown => this._options.record(input);
    const base = { process: slot.process, f: op.f, node: slot.node.name, ...(op.key !== undefined && { key: op.key }) };
    record({ type: 'invoke', ...base, value: op.value });
    const completion = await this._invokeWithTimeout(client, op, timeoutMs);
    const unstorable = unstorableReason(completion);
    if (unstorable !== undefined) {
      const error = `the client adapter's completion cannot be written as JSON: ${unstorable}`;
      this.counts.pluginErrors++;
      this.counts.info++;
      // Recorded as info: the op may have happened, and the history stays a sound record up to here.
      record({ type: 'info', ...base, value: op.value, error });
      slot.client = null;
      void this._closeQuietly(client, slot);
      throw new ClientAdapterError(`process ${slot.process} on ${slot.node.name}, op ${op.f}: ${error}`);
    }
    const problems = validateCompletion(completion);
    let type: 'ok' | 'fail' | 'info';
    let value: Value = op.value;
    let error: string | undefined;
    let servedBy: string | undefined;
    if (problems.length > 0) {
      this.counts.pluginErrors++;
      type = 'info';
      error = `invalid completion from the client adapter: ${problems.join('; ')}`;
      this._options.log?.(`process ${slot.process} ${op.f}: ${error}`);
    } else {
      const c = completion as Completion;
      type = c.type;
      if (c.servedBy !== undefined) {
        if (this._nodeNames.has(c.servedBy)) servedBy = c.servedBy;
        else {
          // Not a node of this cluster: a bug in the adapter, noted once per slot op, and left out of the history.
          this.counts.pluginErrors++;
          this._options.log?.(
            `process ${slot.process} ${op.f}: servedBy ${JSON.stringify(c.servedBy)} names no node of the cluster (${[...this._nodeNames].join(', ')}); not recorded`,
          );
        }
      }
      const problem = c.type === 'ok' ? this._options.checkCompletion?.(op, c.value ?? null) : undefined;
      if (problem !== undefined) {
        // The op happened (the system said ok) but what it returned cannot be judged: unknown, with why.
        type = 'info';
        error = wrongShapeError(problem);
        if (this.counts.wrongShape++ === 0) {
          this.counts.firstWrongShape = problem;
          this._options.log?.(`process ${slot.process} on ${slot.node.name}: ${error} (more are counted, not logged)`);
        }
      } else if (c.type === 'ok') value = c.value ?? null;
      else if (c.type === 'fail') {
        error = c.error;
        if (c.value !== undefined) value = c.value;
      } else error = c.error;
    }
    record({
      type,
      ...base,
      value,
      ...(error !== undefined && { error }),
      ...(servedBy !== undefined && { servedBy }),
    });
    this.counts[type]++;
    if (type === 'info') {
      // The old process may still have its op in flight: retire it, and give the slot a fresh identity.
      slot.process += this._options.concurrency;
      slot.client = null;
      void this._closeQuietly(client, slot);
    }
    return type;
  }

  private _invokeWithTimeout(client: Client, op: ClientOp, timeoutMs: number): Promise<unknown> {
    // One promise settled by whichever comes first, the adapter or the timer: a client that ignores the
    // signal cannot hang its worker, and its late answer or rejection is dropped. The adapter is called
    // synchronously right after the invoke is recorded, and its answer recorded with as few hops as possible:
    // every microtask between them is time other workers' writes can slip into.
    return new Promise<unknown>((resolve) => {
      const controller = new AbortController();
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        controller.abort(new Error('op timeout'));
        resolve({ type: 'info', error: 'timeout' });
      }, timeoutMs);
      const finish = (value: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      };
      const indeterminate = (e: unknown): void => {
        finish({ type: 'info', error: `indeterminate: ${message(e)}` });
      };
      try {
        client.invoke(op, controller.signal).then(finish, indeterminate);
      } catch (e) {
        indeterminate(e);
      }
    });
  }

  private _timed<T>(hook: string, node: string, work: () => Promise<T>): Promise<T> {
    const { hookTimeoutMs, systemName } = this._options;
    if (hookTimeoutMs === undefined) return work();
    return withinHookTimeout(work, { system: systemName ?? 'the system', hook, node }, hookTimeoutMs);
  }

  private async _closeQuietly(client: Client, slot: Slot): Promise<void> {
    try {
      await this._timed('client close', slot.node.name, () => client.close());
    } catch (e) {
      this._options.log?.(`closing the client of process ${slot.process} failed: ${message(e)}`);
    }
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
