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
      servedBy: fc.option(fc.constantFrom('n1', 'n2', 'n-3'), { nil: undefined }),
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
      ops.push({
        type: s.outcome,
        process: p,
        f: s.f,
        value: s.value,
        node: 'n1',
        ...(s.servedBy !== undefined && { servedBy: s.servedBy }),
      });
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

test('servedBy is written after the other fields and read back; a history without it reads as before', () => {
  const path = join(tmp(), 'history.jsonl');
  const rec = new HistoryRecorder(path, { clock: () => 5 });
  rec.record({ type: 'invoke', process: 0, f: 'read', value: null, node: 'n2' });
  rec.record({ type: 'ok', process: 0, f: 'read', value: 3, node: 'n2', error: 'x', servedBy: 'n1' });
  rec.close();
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  assert.equal(
    lines[1],
    '{"index":1,"time":5,"type":"ok","process":0,"f":"read","value":3,"node":"n2","error":"x","servedBy":"n1"}',
  );
  const [, ok] = readHistoryJsonl(path).ops;
  assert.equal(ok?.servedBy, 'n1');
  assert.equal(pairOperations(readHistoryJsonl(path).ops)[0]?.servedBy, 'n1');
  // Any key order (JSON.parse path) gives the same; a non-string servedBy is an error naming the line.
  const shuffled = parseHistoryJsonl(
    '{"servedBy":"n1","value":null,"f":"read","process":0,"type":"invoke","time":1,"index":0}\n',
  );
  assert.equal(shuffled.ops[0]?.servedBy, 'n1');
  assert.throws(
    () => parseHistoryJsonl('{"index":0,"time":1,"type":"invoke","process":0,"f":"read","value":null,"servedBy":3}\n'),
    /:1: "servedBy" must be a node name/,
  );
  const old = parseHistoryJsonl(
    '{"index":0,"time":1,"type":"invoke","process":0,"f":"read","value":null,"node":"n1"}\n',
  );
  assert.equal('servedBy' in old.ops[0]!, false);
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

test('time going backwards is an error at its line, whether the scanner or JSON.parse read it', () => {
  const recorded = (i: number, time: number, type: string) =>
    `{"index":${i},"time":${time},"type":"${type}","process":0,"f":"read","value":null}`;
  // Keys in another order: not the recorder's shape, so JSON.parse reads the line.
  const reordered = (i: number, time: number, type: string) =>
    JSON.stringify({ value: null, f: 'read', process: 0, type, time, index: i });
  for (const shape of [recorded, reordered]) {
    const text = [shape(0, 50, 'invoke'), shape(1, 70, 'ok'), shape(2, 60, 'invoke')].join('\n') + '\n';
    assert.throws(
      () => parseHistoryJsonl(text, 'h.jsonl'),
      (e: unknown) =>
        e instanceof HistoryFormatError &&
        e.line === 3 &&
        e.message.startsWith('h.jsonl:3: "time" goes backwards at line 3: 60 after 70 (line 2); the recorder writes'),
    );
  }
  // Past blank lines the previous op's line is still its file line.
  const spaced = [recorded(0, 50, 'invoke'), '', recorded(1, 40, 'ok')].join('\n');
  assert.throws(
    () => parseHistoryJsonl(spaced, 'h.jsonl'),
    /^HistoryFormatError: h\.jsonl:3: "time" goes backwards at line 3: 40 after 50 \(line 1\)/,
  );
});

test('equal times are kept, and a torn last line is still dropped, not taken for time going backwards', () => {
  const text =
    '{"index":0,"time":5,"type":"invoke","process":0,"f":"read","value":null}\n' +
    '{"index":1,"time":5,"type":"ok","process":0,"f":"read","value":1}\n' +
    '{"index":2,"time":1,"type":"inv';
  const parsed = parseHistoryJsonl(text, 'h.jsonl');
  assert.equal(parsed.tornTail, true);
  assert.deepEqual(
    parsed.ops.map((o) => o.time),
    [5, 5],
  );
  // A complete last line without its newline is an op, so it is checked too.
  assert.throws(
    () =>
      parseHistoryJsonl(
        text.replace(/\{"index":2.*$/, '{"index":2,"time":1,"type":"invoke","process":1,"f":"read"}'),
        'h.jsonl',
      ),
    /h\.jsonl:3: "time" goes backwards at line 3: 1 after 5/,
  );
});

test('an index that does not increase by one, or an unknown type, is an error at its line', () => {
  const op = (index: number, time: number, type = 'invoke', process = 0) =>
    `{"index":${index},"time":${time},"type":"${type}","process":${process},"f":"read","value":null}`;
  const cases: [string, RegExp][] = [
    [[op(0, 1), op(0, 2, 'ok')].join('\n'), /^h\.jsonl:2: "index" is 0 but this is op 1 of the history$/],
    [[op(0, 1), op(5, 2, 'ok')].join('\n'), /^h\.jsonl:2: "index" is 5 but this is op 1 of the history$/],
    [[op(1, 1)].join('\n'), /^h\.jsonl:1: "index" is 1 but this is op 0/],
    [[op(0, 1), op(1, 2, 'done')].join('\n'), /^h\.jsonl:2: "type" must be invoke, ok, fail or info, not "done"$/],
  ];
  for (const [text, expected] of cases) {
    assert.throws(
      () => parseHistoryJsonl(text + '\n', 'h.jsonl'),
      (e: unknown) => e instanceof HistoryFormatError && expected.test(e.message),
      String(expected),
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
