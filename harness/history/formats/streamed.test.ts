// Every reader streams: each reference history read in 7-byte chunks (lines, EDN forms, strings and
// multi-byte characters cut anywhere) gives exactly what parsing its whole text gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { referenceHistoriesDir as root } from '../../../test/referenceHistories.ts';
import { EdnStream, parseEdn } from './edn.ts';
import type { Value } from '../../../checkers/history.ts';
import { detectHistoryFormat, parseHistory, readAnyHistory } from './index.ts';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

test('every reference history streamed in 7-byte chunks parses as its whole text does', () => {
  const histories = files(root).filter((f) => /\.(edn|log|txt)$/.test(f));
  assert.ok(histories.length > 250, `expected the full corpus, found ${histories.length} files`);
  for (const file of histories) {
    const text = readFileSync(file, 'utf8');
    const format = detectHistoryFormat(file, text);
    const whole = parseHistory(text, format, file);
    const streamed = readAnyHistory(file, undefined, { chunkBytes: 7 });
    assert.equal(streamed.format, format, relative(root, file));
    assert.deepEqual(streamed.ops, whole.ops, relative(root, file));
  }
});

test('EDN forms pushed in pieces cut anywhere read as the whole text does', () => {
  const texts = fc.constantFrom(
    '{:process 0, :type :invoke, :f :put, :key "k1", :value "x y"}\n{:process 1, :type :ok, :f :get, :key "k1", :value nil}\n',
    '; comment\n[{:type :invoke :f :read :value 12N :time 3} #_ {:gone 1}\n {:type :ok, :f :read, :value [1 2.5 "s\\"q"] :x #{:a} :t #inst "2020"}]\n',
    '{:a \\newline :b "日本" :c -17 :d 1/2}',
  );
  fc.assert(
    fc.property(texts, fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
      const forms: Value[] = [];
      const stream = new EdnStream('t.edn', (f) => {
        forms.push(f);
      });
      let at = 0;
      for (const cut of cuts.map((c) => c % (text.length + 1)).sort((a, b) => a - b)) {
        stream.push(text.slice(at, cut));
        at = cut;
      }
      stream.push(text.slice(at));
      stream.end();
      assert.deepEqual(forms, parseEdn(text));
    }),
  );
});

test('a streamed EDN error names the line of the whole file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-edn-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const path = join(dir, 'h.edn');
  writeFileSync(path, '[{:type :invoke, :f :read, :value nil}\n {:type :ok, :f :read, :value 1}\n {:type :ok :f}]\n');
  assert.throws(() => readAnyHistory(path, undefined, { chunkBytes: 5 }), /h\.edn:3:2: a map needs an even number/);
  writeFileSync(path, '[{:type :invoke, :f :read, :value nil}\n');
  assert.throws(() => readAnyHistory(path, undefined, { chunkBytes: 5 }), /missing '\]'/);
});
