// Streamed reading of history.jsonl: the byte scanner for the recorder's line shape and JSON.parse agree on
// every line, chunk boundaries change nothing, and a history too big for the heap stops with its reason.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type { HistoryOp, Value } from '../../checkers/history.ts';
import { RecordedLineScanner } from '../../checkers/historyJsonl.ts';
import { HistoryFormatError, HistoryJsonlParser, parseHistoryJsonl, readHistoryJsonl } from './jsonl.ts';
import { HistoryTooLargeError, readLines } from './readChunks.ts';

/** Reference: every line through JSON.parse, as the parser did before it scanned bytes. */
function viaJsonParse(text: string): { ops: HistoryOp[]; tornTail: boolean } | string {
  try {
    return parseHistoryJsonl(text, 'h.jsonl');
  } catch (e) {
    return (e as Error).message;
  }
}

/** The same text streamed as bytes, cut into chunks at the given offsets. */
function viaBytes(text: string, cuts: number[]): { ops: HistoryOp[]; tornTail: boolean } | string {
  const bytes = new TextEncoder().encode(text);
  const parser = new HistoryJsonlParser('h.jsonl');
  try {
    let at = 0;
    for (const cut of [...cuts.map((c) => c % (bytes.length + 1))].sort((a, b) => a - b)) {
      // A reused buffer, as readChunks gives: the parser must copy what it keeps.
      const chunk = Uint8Array.from(bytes.subarray(at, cut));
      parser.pushBytes(chunk);
      chunk.fill(0x7a);
      at = cut;
    }
    parser.pushBytes(bytes.subarray(at));
    return parser.finish();
  } catch (e) {
    return (e as Error).message;
  }
}

const tricky = fc.oneof(
  fc.constantFrom('read', 'write', 'n1', '', 'é', 'a"b', 'a\\b', '\u0001', 'k\n1', '日本'),
  fc.string({ maxLength: 6 }),
);
const number = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -0, 1.5, 1e21, 2 ** 53, 123456789012345, 1234567890123456, -7),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const value: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null),
  number,
  tricky,
  fc.array(fc.integer(), { maxLength: 3 }),
);

/** Lines mostly of the recorder's shape, some not: other key orders, missing or wrong fields, junk. */
const line = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      proc: fc.nat(4),
      type: fc.constantFrom('invoke', 'ok', 'fail', 'info'),
      f: tricky,
      value,
      node: fc.option(tricky),
      key: fc.option(tricky),
      error: fc.option(tricky),
      servedBy: fc.option(tricky),
      time: number,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      '   ',
      'not json',
      '{"time":1}',
      '[1]',
      '{"index":0,"time":1,"type":"invoke","process":"nemesis","f":"kill","value":null}',
    ),
  },
);

function render(
  lines: (
    | string
    | {
        proc: number;
        type: string;
        f: string;
        value: Value;
        node: string | null;
        key: string | null;
        error: string | null;
        servedBy: string | null;
        time: number;
      }
  )[],
  shuffleKeys: boolean,
): string {
  let index = 0;
  return lines
    .map((l) => {
      if (typeof l === 'string') return l;
      const o: Record<string, unknown> = {
        index: index++,
        time: l.time,
        type: l.type,
        process: l.proc,
        f: l.f,
        value: l.value,
      };
      if (l.node !== null) o.node = l.node;
      if (l.key !== null) o.key = l.key;
      if (l.error !== null) o.error = l.error;
      if (l.servedBy !== null) o.servedBy = l.servedBy;
      if (!shuffleKeys) return JSON.stringify(o);
      return JSON.stringify(Object.fromEntries(Object.entries(o).reverse()));
    })
    .join('\n');
}

test('streamed bytes in any chunks give what JSON.parse of each line gives: ops, torn tail or error', () => {
  fc.assert(
    fc.property(
      fc.array(line, { maxLength: 12 }),
      fc.boolean(),
      fc.constantFrom('', '\n', '\n{"index":', '\n{"ind'),
      fc.array(fc.nat(), { maxLength: 5 }),
      (lines, shuffle, ending, cuts) => {
        const text = render(lines, shuffle) + ending;
        assert.deepEqual(viaBytes(text, cuts), viaJsonParse(text));
      },
    ),
    { numRuns: 400 },
  );
});

test('well-formed recorder lines all agree, in the shape the scanner reads', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.nat(3),
          fc.constantFrom('read', 'write'),
          fc.option(fc.integer()),
          fc.option(fc.constantFrom('n1', 'n2')),
        ),
        { maxLength: 30 },
      ),
      fc.array(fc.nat(), { maxLength: 4 }),
      (steps, cuts) => {
        const ops: object[] = [];
        for (const [p, f, v, node] of steps) {
          ops.push({
            index: ops.length,
            time: ops.length * 10,
            type: 'invoke',
            process: p + 10 * ops.length,
            f,
            value: v,
          });
          ops.push({
            index: ops.length,
            time: ops.length * 10,
            type: 'ok',
            process: p + 10 * (ops.length - 1),
            f,
            value: v,
            ...(node !== null && { node }),
          });
        }
        const text = ops.map((o) => JSON.stringify(o)).join('\n') + '\n';
        // Every line is of the shape the byte scanner reads itself, without JSON.parse.
        const scanner = new RecordedLineScanner();
        ops.forEach((o, i) => {
          const bytes = new TextEncoder().encode(JSON.stringify(o));
          assert.notEqual(scanner.scan(bytes, 0, bytes.length, i), null, JSON.stringify(o));
        });
        const streamed = viaBytes(text, cuts);
        assert.deepEqual(streamed, viaJsonParse(text));
        assert.equal(typeof streamed === 'string' ? -1 : streamed.ops.length, ops.length);
      },
    ),
    { numRuns: 100 },
  );
});

test('an error found after reading names the file line, past blank lines', () => {
  const text = [
    '',
    '{"index":0,"time":1,"type":"invoke","process":0,"f":"read","value":null}',
    '',
    '{"index":1,"time":2,"type":"ok","process":1,"f":"read","value":1}',
    '',
  ].join('\n');
  const streamed = viaBytes(text, [3, 40]);
  assert.equal(streamed, 'h.jsonl:4: ok of read by process 1 has no invoke in flight');
  assert.equal(viaJsonParse(text), streamed);
});

test('a history read from disk is read in chunks, and stops with its reason past the heap limit', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-stream-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const lines: string[] = [];
  for (let i = 0; i < 5000; i += 2) {
    lines.push(JSON.stringify({ index: i, time: i, type: 'invoke', process: i % 7, f: 'write', value: i }));
    lines.push(JSON.stringify({ index: i + 1, time: i + 1, type: 'ok', process: i % 7, f: 'write', value: i }));
  }
  const path = join(dir, 'history.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  const small = readHistoryJsonl(path, { chunkBytes: 777 });
  assert.equal(small.ops.length, 5000);
  assert.deepEqual(small, parseHistoryJsonl(lines.join('\n') + '\n', path));
  assert.throws(
    () => readHistoryJsonl(path, { chunkBytes: 4096, heapBytes: 1 }),
    (e: unknown) =>
      e instanceof HistoryTooLargeError &&
      // After some chunk: a collection during the first may make its growth negative.
      /reading stopped after \d+ bytes/.test(e.reason) &&
      /max-old-space-size/.test(e.reason),
  );
  const seen: string[] = [];
  const tail = readLines(path, (l, n) => seen.push(`${n}:${l.length}`), { chunkBytes: 5 });
  assert.equal(seen.length, 5000);
  assert.equal(seen[0], `1:${lines[0]!.length}`);
  assert.equal(tail, '');
});

test('a malformed line in a streamed file is reported with its line number', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-stream-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const path = join(dir, 'history.jsonl');
  writeFileSync(
    path,
    '{"index":0,"time":1,"type":"invoke","process":0,"f":"read","value":null}\n{"index":1,"time":"x"}\n',
  );
  assert.throws(
    () => readHistoryJsonl(path, { chunkBytes: 16 }),
    (e: unknown) => e instanceof HistoryFormatError && e.line === 2 && /"type" must be/.test(e.message),
  );
});
