import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { HistoryRecorder, type RecordInput } from './recorder.ts';
import { HistoryFormatError, parseHistoryJsonl, readHistoryJsonl } from './jsonl.ts';
import { faultWindows, pairOperations, type Value } from '../../checkers/history.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'faultline-history-'));

/** A well-formed history: each process invokes then completes; a process that gets info is retired. */
const wellFormed = fc
  .array(
    fc.record({
      proc: fc.integer({ min: 0, max: 3 }),
      f: fc.constantFrom('read', 'write', 'cas'),
      value: fc.oneof(fc.constant<Value>(null), fc.integer(), fc.string()),
      outcome: fc.constantFrom('ok', 'fail', 'info', 'none'),
    }),
    { maxLength: 40 },
  )
  .map((steps) => {
    const ops: RecordInput[] = [];
    let nextFresh = 100;
    const alias = new Map<number, number>();
    for (const s of steps) {
      const p = alias.get(s.proc) ?? s.proc;
      ops.push({ type: 'invoke', process: p, f: s.f, value: s.value });
      if (s.outcome === 'none') {
        // Never completes: retire the process too, as a harness would after a crash.
        alias.set(s.proc, nextFresh++);
        continue;
      }
      ops.push({ type: s.outcome, process: p, f: s.f, value: s.value, node: 'n1' });
      if (s.outcome === 'info') alias.set(s.proc, nextFresh++);
    }
    return ops;
  });

test('recorder and reader round-trip any well-formed history', () => {
  fc.assert(
    fc.property(wellFormed, (ops) => {
      const path = join(tmp(), 'history.jsonl');
      let t = 0;
      const rec = new HistoryRecorder(path, { clock: () => (t += 10) });
      const written = ops.map((op) => rec.record(op));
      rec.close();
      const read = readHistoryJsonl(path);
      assert.equal(read.tornTail, false);
      assert.deepEqual(read.ops, written);
    }),
    { numRuns: 60 },
  );
});

test('a write torn at any byte offset loses at most the torn line and never an earlier one', () => {
  fc.assert(
    fc.property(
      wellFormed.filter((o) => o.length > 0),
      fc.nat(),
      (ops, cut) => {
        const path = join(tmp(), 'history.jsonl');
        const rec = new HistoryRecorder(path);
        const written = ops.map((op) => rec.record(op));
        rec.close();
        const full = readFileSync(path);
        const at = cut % (full.length + 1);
        const torn = full.subarray(0, at).toString('utf8');
        writeFileSync(path, torn);
        const read = readHistoryJsonl(path);
        const completeLines = torn.split('\n').length - 1;
        // Every complete line survives; a partial last line is either dropped (torn) or, when it happens to be
        // complete JSON without its newline, kept.
        assert.ok(read.ops.length === completeLines || read.ops.length === completeLines + 1);
        assert.deepEqual(read.ops, written.slice(0, read.ops.length));
        if (read.ops.length === completeLines && torn.length > 0 && !torn.endsWith('\n'))
          assert.equal(read.tornTail, true);
      },
    ),
    { numRuns: 150 },
  );
});

test('malformed histories are rejected with the line number and the reason', () => {
  const line = (o: object) => JSON.stringify(o);
  const cases: [string, number, RegExp][] = [
    [line({ time: 1, type: 'ok', process: 0, f: 'read', value: 1 }), 1, /no invoke in flight/],
    [
      [
        line({ time: 1, type: 'invoke', process: 0, f: 'read', value: null }),
        line({ time: 2, type: 'invoke', process: 0, f: 'write', value: 1 }),
      ].join('\n'),
      2,
      /still in flight/,
    ],
    [
      [
        line({ time: 1, type: 'invoke', process: 3, f: 'write', value: 1 }),
        line({ time: 2, type: 'info', process: 3, f: 'write', value: 1 }),
        line({ time: 3, type: 'invoke', process: 3, f: 'read', value: null }),
      ].join('\n'),
      3,
      /after its op at index 1 ended in info/,
    ],
    ['{"time":1,"type":"invoke","process":0,"f":"read"}\nnot json\n{"time":2}', 2, /not valid JSON/],
    [line({ time: 1, type: 'begin', process: 0, f: 'read', value: null }), 1, /"type" must be/],
    [line({ time: 'soon', type: 'invoke', process: 0, f: 'read', value: null }), 1, /"time" must be/],
  ];
  for (const [text, lineNo, reason] of cases) {
    assert.throws(
      () => parseHistoryJsonl(text + '\n', 'h.jsonl'),
      (e: unknown) =>
        e instanceof HistoryFormatError &&
        e.line === lineNo &&
        reason.test(e.message) &&
        e.message.startsWith(`h.jsonl:${lineNo}:`),
      `expected line ${lineNo} ${reason}`,
    );
  }
});

test('pairing gives call/return times, with info and never-completed ops returning at +Infinity', () => {
  const { ops } = parseHistoryJsonl(
    [
      { time: 1, type: 'invoke', process: 0, f: 'write', value: 'a' },
      { time: 2, type: 'invoke', process: 1, f: 'read', value: null },
      { time: 3, type: 'ok', process: 0, f: 'write', value: 'a' },
      { time: 4, type: 'info', process: 1, f: 'read', value: null },
      { time: 5, type: 'invoke', process: 2, f: 'write', value: 'b' },
      { time: 6, type: 'fail', process: 2, f: 'write', value: 'b' },
      { time: 7, type: 'invoke', process: 3, f: 'read', value: null },
      { time: 8, type: 'info', process: 'nemesis', f: 'start-partition', value: { n1: ['n2'] } },
      { time: 9, type: 'ok', process: 3, f: 'read', value: 'a' },
      { time: 10, type: 'invoke', process: 4, f: 'write', value: 'c' },
      { time: 11, type: 'info', process: 'nemesis', f: 'stop-partition', value: null },
    ]
      .map((o) => JSON.stringify(o))
      .join('\n') + '\n',
  );
  const paired = pairOperations(ops);
  assert.deepEqual(
    paired.map((o) => [o.process, o.f, o.status, o.call, o.ret, o.output]),
    [
      [0, 'write', 'ok', 1, 3, 'a'],
      [1, 'read', 'info', 2, Infinity, null],
      [2, 'write', 'fail', 5, 6, 'b'],
      [3, 'read', 'ok', 7, 9, 'a'],
      [4, 'write', 'info', 10, Infinity, 'c'],
    ],
  );
  const windows = faultWindows(ops);
  assert.deepEqual(
    windows.map((w) => [w.fault, w.start, w.end]),
    [['partition', 8, 11]],
  );
});
