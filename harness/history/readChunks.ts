// Reads a history file as a sequence of byte chunks, synchronously: no reader ever holds the whole file as
// one string (V8 caps a string at 512 MiB), and reading stops with HistoryTooLargeError, naming how far it
// got, before the ops read so far would exhaust the heap and end the process without a verdict.
import { closeSync, openSync, readSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

export interface ReadLimits {
  /**
   * Stop once reading has grown the JavaScript heap by this many bytes. Default: 40% of V8's old space (and
   * never past 85% of it), because the analysis after reading needs as much again as the ops read (pairing, the
   * search): reading to 85% left checks that ran out of heap with
   * no verdict. Growth, not heap in use, so what the process held before (a bench's other history) is not
   * charged to this file.
   */
  heapBytes?: number;
  /** Bytes per read; 1 MiB by default. */
  chunkBytes?: number;
}

/** The history does not fit in memory as ops: its verdict is unknown, for the reason given. */
export class HistoryTooLargeError extends Error {
  readonly source: string;
  readonly reason: string;
  constructor(source: string, reason: string) {
    super(`${source}: ${reason}`);
    this.name = 'HistoryTooLargeError';
    this.source = source;
    this.reason = reason;
  }
}

const youngGenerationBytes = 48 * 2 ** 20;

/**
 * Calls `onChunk` with each chunk of `path` in order; the chunk's memory is reused for the next read, so a
 * caller keeps a copy of what it needs. `opsSoFar` is only for the message when the heap limit is reached.
 */
export function readChunks(
  path: string,
  onChunk: (chunk: Uint8Array) => void,
  limits: ReadLimits = {},
  opsSoFar: () => number = () => 0,
): void {
  const buffer = Buffer.allocUnsafe(limits.chunkBytes ?? 1 << 20);
  const fd = openSync(path, 'r');
  // Measured only for a file longer than one chunk: one chunk cannot outgrow the heap, and V8's heap
  // statistics cost 0.1 ms a call, a fifth of checking a small etcd log (102 of them: 20 ms).
  let lowest = -1; // the lowest heap seen since reading began, -1 until measured
  let growth = 0;
  try {
    let offset = 0;
    for (;;) {
      const got = readSync(fd, buffer, 0, buffer.length, null);
      if (got === 0) return;
      if (lowest < 0 && (offset > 0 || got === buffer.length)) {
        const heap = getHeapStatistics();
        lowest = heap.used_heap_size;
        // The limit includes V8's young generation (48 MiB on 64-bit), which never holds what reading keeps.
        const oldSpace = Math.max(heap.heap_size_limit - youngGenerationBytes, heap.heap_size_limit / 2);
        growth = limits.heapBytes ?? Math.min(0.4 * oldSpace, 0.85 * oldSpace - lowest);
      }
      onChunk(buffer.subarray(0, got));
      offset += got;
      if (lowest < 0) continue;
      // Growth over the lowest heap seen: a collection may free what was garbage before this file, and that
      // must not hide what reading keeps.
      const used = getHeapStatistics().used_heap_size;
      if (used < lowest) lowest = used;
      const grown = used - lowest;
      if (grown > growth) {
        throw new HistoryTooLargeError(
          path,
          `reading stopped after ${offset} bytes (${opsSoFar()} ops): they already take ${Math.round(grown / 2 ** 20)} MiB ` +
            `of the ${Math.round(Math.max(0, growth) / 2 ** 20)} MiB reading may use (the rest of the heap is the check's), so the whole history cannot be checked here. ` +
            'Give node more heap (NODE_OPTIONS=--max-old-space-size=MiB) or check a shorter history.',
        );
      }
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Calls `onLine` with each line of `path` (without its newline, decoded as UTF-8) and its 1-based number;
 * returns the text after the last newline (empty when the file ends with one).
 */
export function readLines(
  path: string,
  onLine: (line: string, lineNo: number) => void,
  limits: ReadLimits = {},
): string {
  const decoder = new TextDecoder('utf-8');
  let partial = '';
  let lineNo = 0;
  readChunks(
    path,
    (chunk) => {
      const text = partial + decoder.decode(chunk, { stream: true });
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        onLine(text.slice(start, nl), ++lineNo);
        start = nl + 1;
      }
      partial = text.slice(start);
    },
    limits,
    () => lineNo,
  );
  return partial + decoder.decode();
}
