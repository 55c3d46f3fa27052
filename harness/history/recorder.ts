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
  private readonly listeners: ((op: HistoryOp) => void)[] = [];

  constructor(path: string, options: RecorderOptions = {}) {
    this.path = path;
    this.fd = openSync(path, 'a');
    const origin = process.hrtime.bigint();
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
    // Key order is fixed so lines read well: index, time, type, process, f, value, then the optional fields.
    const line = JSON.stringify({
      index: op.index,
      time: op.time,
      type: op.type,
      process: op.process,
      f: op.f,
      value: op.value,
      ...(op.node !== undefined && { node: op.node }),
      ...(op.key !== undefined && { key: op.key }),
      ...(op.error !== undefined && { error: op.error }),
    });
    writeSync(this.fd, line + '\n');
    this.nextIndex++;
    this.dirty = true;
    for (const listener of this.listeners) listener(op);
    return op;
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
    fdatasyncSync(this.fd);
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
