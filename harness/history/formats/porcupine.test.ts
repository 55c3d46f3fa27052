// Porcupine's 6.824 kv logs: a line whose op is not get, put or append is the kv reader's error, naming the
// file line, whether the log is parsed whole or streamed in chunks; it is never taken for Jepsen EDN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { detectHistoryFormat, readAnyHistory } from './index.ts';
import { PorcupineLogError, parsePorcupineKvLog, plainPorcupineKvOp } from './porcupine.ts';

const kvLine = (process: number, type: string, f: string, key = '0', value = 'nil') =>
  `{:process ${process}, :type :${type}, :f :${f}, :key "${key}", :value ${value}}`;

test('a kv log whose first op is unknown is still detected as a kv log', () => {
  assert.equal(detectHistoryFormat('c01-ok.txt', kvLine(0, 'invoke', 'delete') + '\n'), 'porcupine-kv');
  assert.equal(detectHistoryFormat('c01-ok.txt', kvLine(0, 'invoke', 'compare-and-set') + '\n'), 'porcupine-kv');
  assert.equal(detectHistoryFormat('c01-ok.txt', kvLine(0, 'invoke', 'get') + '\n'), 'porcupine-kv');
  // A Jepsen history's maps open with other keys, and stay Jepsen EDN.
  assert.equal(detectHistoryFormat('h.edn', '{:type :invoke, :f :read, :process 0, :value nil}\n'), 'jepsen-edn');
});

test('an unknown op or type in a kv log is an error naming the line', () => {
  const text = [
    kvLine(0, 'invoke', 'put', '1', '"x"'),
    kvLine(0, 'ok', 'put', '1', '"x"'),
    '',
    kvLine(1, 'invoke', 'delete', '1'),
  ].join('\n');
  assert.throws(
    () => parsePorcupineKvLog(text, 'kv.txt'),
    (e: unknown) =>
      e instanceof PorcupineLogError &&
      e.message.startsWith('kv.txt:4: :f must be :get, :put or :append (the 6.824 kv operations), not :delete'),
  );
  assert.throws(
    () => parsePorcupineKvLog(kvLine(0, 'begin', 'get'), 'kv.txt'),
    /^PorcupineLogError: kv\.txt:1: :type must be :invoke, :ok, :fail or :info, not :begin$/,
  );
  assert.equal(parsePorcupineKvLog(text.replace(':delete', ':get'), 'kv.txt').length, 3);
});

test('a streamed kv log names the same line as the whole text, wherever the chunks are cut', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-kv-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const path = join(dir, 'c01-bad.txt');
  fc.assert(
    fc.property(
      fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
      fc.nat(19),
      fc.integer({ min: 1, max: 64 }),
      fc.constantFrom('delete', 'cas', 'Get'),
      (blanks, badAt, chunkBytes, badOp) => {
        const lines: string[] = [];
        let badLine = 0;
        blanks.forEach((blank, i) => {
          if (blank) lines.push('');
          if (i === badAt % blanks.length) {
            lines.push(kvLine(i, 'invoke', badOp));
            badLine = lines.length;
          } else lines.push(kvLine(i, 'invoke', 'get'));
        });
        const text = lines.join('\n') + '\n';
        writeFileSync(path, text);
        const expected = new RegExp(
          `^PorcupineLogError: ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${badLine}: :f must be`,
        );
        assert.throws(() => parsePorcupineKvLog(text, path), expected);
        assert.throws(() => readAnyHistory(path, undefined, { chunkBytes }), expected);
      },
    ),
    { numRuns: 60 },
  );
});

test('a kv log read line by line (its plain shape) gives the ops the EDN reader gives, and any other line sends the file to the EDN reader', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-kv-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const path = join(dir, 'c01-ok.txt');
  const line = fc.record({
    process: fc.nat(40),
    type: fc.constantFrom('invoke', 'ok', 'fail', 'info'),
    f: fc.constantFrom('get', 'put', 'append'),
    key: fc.stringMatching(/^[a-z0-9 ]{0,4}$/),
    // Some values the plain pattern does not take (escapes, a trailing space): then the EDN reader reads all.
    value: fc.oneof(
      fc.constant('nil'),
      fc.stringMatching(/^"[x0-9 y]{0,6}"$/),
      fc.constant('"a\\"b"'),
      fc.constant('"" '),
    ),
  });
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 30 }), fc.boolean(), (ops, blank) => {
      const lines = ops.map((o) => kvLine(o.process, o.type, o.f, o.key, o.value));
      if (blank) lines.splice(lines.length >> 1, 0, '');
      const text = lines.join('\n') + '\n';
      writeFileSync(path, text);
      assert.deepEqual(readAnyHistory(path).ops, parsePorcupineKvLog(text, path));
    }),
    { numRuns: 200 },
  );
  assert.deepEqual(plainPorcupineKvOp(kvLine(3, 'ok', 'get', 'k1', '"x 1 0 y"'), 7), {
    index: 7,
    time: 7,
    type: 'ok',
    process: 3,
    f: 'get',
    key: 'k1',
    value: 'x 1 0 y',
  });
  assert.equal(plainPorcupineKvOp(kvLine(3, 'ok', 'get', 'k1', '"a\\"b"'), 0), null);
});
