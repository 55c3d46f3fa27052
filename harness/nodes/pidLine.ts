// The docker and ssh backends start commands under a shell that first writes its pid on stderr, then becomes
// the command (`echo "$$" >&2; exec "$@"`). For a process whose stderr is streamed (spawnAttached), this splits
// that first line off and passes the rest through.
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';

/** The pid in the wrapper's first stderr line, or undefined when that line is not one. */
export function pidOfLine(line: string): number | undefined {
  const pid = Number(line.trim());
  return Number.isInteger(pid) && pid > 0 && /^\s*\d+\s*$/.test(line) ? pid : undefined;
}

/** Splits the pid line off bytes fed chunk by chunk. */
export class PidLineReader {
  private pending: Buffer | undefined = Buffer.alloc(0);

  /**
   * The bytes of `chunk` to pass on (maybe none). Once the first line is in, `onLine` gets its pid (undefined
   * when it is not one: the line is then the command's own, and passed on).
   */
  feed(chunk: Buffer, onLine: (pid: number | undefined) => void): Buffer {
    if (this.pending === undefined) return chunk;
    const joined = Buffer.concat([this.pending, chunk]);
    const nl = joined.indexOf(10);
    if (nl < 0) {
      this.pending = joined;
      return Buffer.alloc(0);
    }
    this.pending = undefined;
    const pid = pidOfLine(joined.subarray(0, nl).toString('utf8'));
    onLine(pid);
    return pid === undefined ? joined : joined.subarray(nl + 1);
  }

  /** At the end: an unfinished first line, passed on as it is. */
  flush(): Buffer {
    const pending = this.pending ?? Buffer.alloc(0);
    this.pending = undefined;
    return pending;
  }
}

export class PidLineSplitter extends Transform {
  /** Resolves with the pid once the first line is in, or undefined if the stream ends first (or it is not a pid). */
  readonly pid: Promise<number | undefined>;
  private readonly reader = new PidLineReader();
  private settle!: (pid: number | undefined) => void;

  constructor() {
    super();
    this.pid = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out = this.reader.feed(chunk, this.settle);
    callback(null, out.length > 0 ? out : undefined);
  }

  override _flush(callback: TransformCallback): void {
    this.settle(undefined);
    const out = this.reader.flush();
    callback(null, out.length > 0 ? out : undefined);
  }
}
