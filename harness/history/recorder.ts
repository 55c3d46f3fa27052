// Appends history ops as JSON lines while they happen. Each op is written with one writeSync on an O_APPEND
// fd, so a SIGKILLed harness loses nothing that was recorded (the page cache survives the process) and can
// at worst tear the line being written. fdatasync is group-committed on a timer and at flush/close, so a
// machine crash loses at most the last unsynced batch. The invoke is recorded before the request is sent.
// The timer's fdatasync runs on libuv's thread pool, so it never stalls the clients' event loop.
import { closeSync, fdatasync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import type { HistoryOp } from '../../checkers/history.ts';

export type RecordInput = Omit<HistoryOp, 'index' | 'time'> & { time?: number };

export interface RecorderOptions {
  /** How often dirty data is fdatasync'ed, in ms. */
  syncIntervalMs?: number;
  /** Clock in ns since the run started; defaults to process.hrtime relative to the recorder's creation. */
  clock?: () => number;
}

export class HistoryRecorder {
  readonly path: string;
  private fd: number | null;
  private nextIndex = 0;
  private dirty = false;
  private syncInFlight = false;
  private closeWhenSynced = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly clock: () => number;
  /**
   * The wall-clock time (ms since the epoch, performance.timeOrigin + performance.now()) of the history's
   * time 0: what lets a log stamped on that clock (a Maelstrom message log) be placed on the history's.
   */
  readonly originEpochMs: number;
  private readonly listeners: ((op: HistoryOp) => void)[] = [];
  private readonly failureListeners: ((error: Error) => void)[] = [];
  private _failure: Error | undefined;

  constructor(path: string, options: RecorderOptions = {}) {
    this.path = path;
    this.fd = openSync(path, 'a');
    // performance.now() and hrtime read the same monotonic clock, so this is the origin to within microseconds,
    // once performance is loaded: its first use loads perf_hooks, which takes a millisecond or more.
    performance.now();
    const origin = process.hrtime.bigint();
    this.originEpochMs = performance.timeOrigin + performance.now();
    this.clock = options.clock ?? (() => Number(process.hrtime.bigint() - origin));
    const interval = options.syncIntervalMs ?? 100;
    this.timer = setInterval(() => {
      this.syncInBackground();
    }, interval);
    this.timer.unref();
  }

  /** Nanoseconds since the run started, by the recorder's clock. */
  now(): number {
    return this.clock();
  }

  /** Stamps the op with its index (and time, unless given), writes it, and returns it. */
  record(input: RecordInput): HistoryOp {
    if (this.fd === null) throw new Error(`history ${this.path} is closed; cannot record ${input.type} ${input.f}`);
    const op: HistoryOp = { ...input, index: this.nextIndex, time: input.time ?? this.clock() };
    if (this._failure !== undefined) return op;
    try {
      const bytes = Buffer.from(this.line(op) + '\n');
      const written = writeSync(this.fd, bytes);
      if (written !== bytes.length) throw new Error(`short write: ${written} of ${bytes.length} bytes (disk full?)`);
    } catch (e) {
      // A full disk or an op JSON cannot hold: nothing after it can be trusted to be stored, so the
      // recorder stops writing (what is on disk stays a clean prefix) and tells the run, which ends as a
      // harness error. It does not throw: teardown (healing faults) still records, and must not be cut short.
      const reason = e instanceof Error ? e.message : String(e);
      this._failure = new Error(
        `writing the history ${this.path} failed at op ${op.index} (${op.type} ${op.f} by ${String(op.process)}): ${reason}; ops 0..${op.index - 1} are stored`,
      );
      for (const listener of this.failureListeners) listener(this._failure);
      return op;
    }
    this.nextIndex++;
    this.dirty = true;
    for (const listener of this.listeners) listener(op);
    return op;
  }

  /** Called once, with the first write that failed; the recorder writes nothing after it. */
  onFailure(listener: (error: Error) => void): void {
    this.failureListeners.push(listener);
  }

  /** The first write that failed, if one did. */
  get failure(): Error | undefined {
    return this._failure;
  }

  private line(op: HistoryOp): string {
    // Key order is fixed so lines read well: index, time, type, process, f, value, then the optional fields (node, key, error, servedBy).
    return JSON.stringify({
      index: op.index,
      time: op.time,
      type: op.type,
      process: op.process,
      f: op.f,
      value: op.value,
      ...(op.node !== undefined && { node: op.node }),
      ...(op.key !== undefined && { key: op.key }),
      ...(op.error !== undefined && { error: op.error }),
      ...(op.servedBy !== undefined && { servedBy: op.servedBy }),
    });
  }

  /** Called with every op after it is written (live status, streaming checks). */
  onRecord(listener: (op: HistoryOp) => void): void {
    this.listeners.push(listener);
  }

  get count(): number {
    return this.nextIndex;
  }

  /** Forces written ops to disk (fdatasync) now, e.g. at a phase boundary. Cheap when nothing is dirty. */
  sync(): void {
    if (this.fd === null || !this.dirty) return;
    try {
      fdatasyncSync(this.fd);
    } catch (e) {
      // An fdatasync error (EIO, ENOSPC on some filesystems) means written ops may not be on disk.
      this._failure ??= new Error(
        `syncing the history ${this.path} failed: ${e instanceof Error ? e.message : String(e)}`,
      );
      for (const listener of this.failureListeners) listener(this._failure);
      return;
    }
    this.dirty = false;
  }

  private syncInBackground(): void {
    const fd = this.fd;
    if (fd === null || !this.dirty || this.syncInFlight) return;
    this.dirty = false;
    this.syncInFlight = true;
    fdatasync(fd, (err) => {
      this.syncInFlight = false;
      // A failed background sync leaves the data dirty, so the next sync (or close) tries again.
      if (err !== null) this.dirty = true;
      if (this.closeWhenSynced) closeSync(fd);
    });
  }

  /** Syncs and closes. The fd stays open until a background sync in flight finishes with it. */
  close(): void {
    const fd = this.fd;
    if (fd === null) return;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.sync();
    this.fd = null;
    if (this.syncInFlight) this.closeWhenSynced = true;
    else closeSync(fd);
  }
}
