// Item 8 of issue 16, the history half: a history that lies (time running backwards, an index out of place,
// an op of unknown kind) or is malformed is rejected by `faultline check` with the file, the line and the
// reason, never a stack trace and never read as some other format. A torn last line, equal times and the
// file-order times of external formats are not lies and stay accepted. The figures line (bad histories
// rejected of tried) is what the README's status table quotes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadForCheck } from '../../harness/cli/commands/checkHistory.ts';
import { UserError } from '../../harness/errors.ts';

/** A line of exactly the recorder's shape (read by the byte scanner). */
const rec = (index: number, time: number, type: string, process: number | string = 0, f = 'read', value = 'null') =>
  `{"index":${index},"time":${time},"type":"${type}","process":${typeof process === 'number' ? process : JSON.stringify(process)},"f":"${f}","value":${value}}`;
/** The same op with its keys in another order (read by JSON.parse). */
const json = (index: number, time: number, type: string, process = 0, f = 'read') =>
  JSON.stringify({ f, process, type, time, index, value: null });
const kv = (process: number, type: string, f: string) =>
  `{:process ${process}, :type :${type}, :f :${f}, :key "0", :value nil}`;
const lines = (...l: string[]) => l.join('\n') + '\n';

/** [what, file name, text, the error expected after "could not read the history in <file>: <file>"] */
const malformed: [string, string, string, RegExp][] = [
  [
    'time going backwards (recorder-shaped lines)',
    'history.jsonl',
    lines(rec(0, 900, 'invoke'), rec(1, 1000, 'ok'), rec(2, 10, 'invoke')),
    /:3: "time" goes backwards at line 3: 10 after 1000 \(line 2\); the recorder writes monotonic nanoseconds/,
  ],
  [
    'time going backwards (other key order)',
    'history.jsonl',
    lines(json(0, 900, 'invoke'), json(1, 899, 'ok')),
    /:2: "time" goes backwards at line 2: 899 after 900 \(line 1\)/,
  ],
  [
    'time going backwards in a final line without its newline',
    'history.jsonl',
    rec(0, 5, 'invoke') + '\n' + rec(1, 4, 'ok'),
    /:2: "time" goes backwards at line 2: 4 after 5/,
  ],
  [
    'time going backwards after blank lines',
    'h.jsonl',
    lines(rec(0, 5, 'invoke'), '', '', rec(1, 3, 'ok')),
    /:4: "time" goes backwards at line 4: 3 after 5 \(line 1\)/,
  ],
  [
    'a negative time after a positive one',
    'history.jsonl',
    lines(rec(0, 5, 'invoke'), rec(1, -5, 'ok')),
    /:2: "time" goes backwards at line 2: -5 after 5/,
  ],
  [
    'an index repeated',
    'history.jsonl',
    lines(rec(0, 1, 'invoke'), rec(0, 2, 'ok')),
    /:2: "index" is 0 but this is op 1/,
  ],
  [
    'an index skipped',
    'history.jsonl',
    lines(rec(0, 1, 'invoke'), rec(2, 2, 'ok')),
    /:2: "index" is 2 but this is op 1/,
  ],
  ['an index going down', 'history.jsonl', lines(rec(1, 1, 'invoke')), /:1: "index" is 1 but this is op 0/],
  [
    'an unknown type',
    'history.jsonl',
    lines(rec(0, 1, 'invoke'), rec(1, 2, 'done')),
    /:2: "type" must be invoke, ok, fail or info, not "done"/,
  ],
  ['a missing type', 'history.jsonl', lines('{"index":0,"time":1,"process":0,"f":"read"}'), /:1: "type" must be/],
  ['a time that is a string', 'history.jsonl', lines(json(0, 1, 'invoke').replace('1', '"1"')), /:1: "time" must be/],
  [
    'a process that is neither an integer nor "nemesis"',
    'history.jsonl',
    lines(rec(0, 1, 'invoke', 'p1')),
    /:1: "process" must be an integer or "nemesis"/,
  ],
  ['an empty f', 'history.jsonl', lines(rec(0, 1, 'invoke', 0, '')), /:1: "f" must be a non-empty string/],
  [
    'a line that is not JSON',
    'history.jsonl',
    lines(rec(0, 1, 'invoke'), 'oops', rec(1, 2, 'ok')),
    /:2: not valid JSON/,
  ],
  [
    'a torn line that is not the last',
    'history.jsonl',
    lines(rec(0, 1, 'invoke'), '{"index":1,"ti', rec(1, 2, 'ok')),
    /:2: not valid JSON/,
  ],
  ['a JSON array for a line', 'history.jsonl', lines('[1,2]'), /:1: expected a JSON object per line/],
  ['a completion with no invoke', 'history.jsonl', lines(rec(0, 1, 'ok')), /:1: ok of read by process 0 has no invoke/],
  [
    'a process invoking twice',
    'history.jsonl',
    lines(rec(0, 1, 'invoke'), rec(1, 2, 'invoke', 0, 'write')),
    /:2: process 0 invokes write while its read invoked at index 0 is still in flight/,
  ],
  [
    'a process reused after info',
    'history.jsonl',
    lines(rec(0, 1, 'invoke'), rec(1, 2, 'info'), rec(2, 3, 'invoke')),
    /:3: process 0 invokes again after its op at index 1 ended in info/,
  ],
  [
    'a Porcupine kv log whose first op is unknown',
    'c01-ok.txt',
    lines(kv(0, 'invoke', 'delete'), kv(0, 'ok', 'delete')),
    /c01-ok\.txt:1: :f must be :get, :put or :append \(the 6\.824 kv operations\), not :delete/,
  ],
  [
    'a Porcupine kv log with an unknown op further down',
    'c01-ok.txt',
    lines(kv(0, 'invoke', 'get'), kv(0, 'ok', 'get'), '', kv(1, 'invoke', 'cas')),
    /c01-ok\.txt:4: :f must be :get, :put or :append .*not :cas/,
  ],
  [
    'a Porcupine kv log with an unknown type',
    'c01-ok.txt',
    lines(kv(0, 'invoke', 'get'), kv(0, 'done', 'get')),
    /c01-ok\.txt:2: :type must be :invoke, :ok, :fail or :info, not :done/,
  ],
  [
    'a Porcupine kv log with an op missing its key',
    'c01-ok.txt',
    lines(kv(0, 'invoke', 'get'), '{:process 0, :type :ok, :f :get, :value nil}'),
    /c01-ok\.txt:2: an op needs :process, :type, :f and :key/,
  ],
  [
    'a Porcupine kv log cut inside a map',
    'c01-ok.txt',
    lines(kv(0, 'invoke', 'get'), '{:process 0, :type :ok'),
    /c01-ok\.txt:\d+:\d+: /,
  ],
  [
    'a Porcupine etcd log with a line of another shape',
    'etcd_000.log',
    lines('INFO  jepsen.util - 0\t:invoke\t:read\tnil', 'INFO  jepsen.util - 0 :done :read nil'),
    /etcd_000\.log:2: not an `INFO jepsen\.util/,
  ],
  [
    'a Porcupine etcd log with an unknown value',
    'etcd_000.log',
    lines('INFO  jepsen.util - 0\t:invoke\t:write\t{:x 1}'),
    /etcd_000\.log:1: unexpected value/,
  ],
  [
    'a Jepsen history with an unknown type',
    'h.edn',
    '[{:type :invoke, :f :read, :process 0, :value nil}\n {:type :done, :f :read, :process 0, :value 1}]\n',
    /h\.edn: op 1: :type must be :invoke, :ok, :fail or :info, not "done"/,
  ],
  [
    'a Jepsen history with an unclosed vector',
    'h.edn',
    '[{:type :invoke, :f :read, :process 0, :value nil}\n',
    /h\.edn:\d+:\d+: missing '\]'/,
  ],
];

test('malformed and lying histories are rejected with the file, the line and the reason, never a stack trace', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-badhistory-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  let rejected = 0;
  malformed.forEach(([what, name, text, expected], i) => {
    const path = join(dir, String(i), name);
    mkdirFor(path);
    writeFileSync(path, text);
    let error: unknown;
    try {
      loadForCheck(path);
    } catch (e) {
      error = e;
    }
    assert.ok(
      error instanceof UserError,
      `${what}: ${error === undefined ? 'accepted' : error instanceof Error ? error.message : 'a non-error was thrown'}`,
    );
    assert.ok(error.message.includes(path), `${what}: names the file: ${error.message}`);
    assert.match(error.message, expected, what);
    assert.doesNotMatch(error.message, /^\s+at /m, `${what}: no stack trace`);
    rejected++;
  });
  t.diagnostic(`bad histories rejected with their line: ${rejected} of ${malformed.length}`);
});

/** [what, file name, text, operations (invokes) expected]: not lies, so they must still read. */
const honest: [string, string, string, number][] = [
  ['a torn last line', 'history.jsonl', lines(rec(0, 1, 'invoke'), rec(1, 2, 'ok')) + '{"index":2,"time":0,"ty', 1],
  [
    'a history with equal times',
    'history.jsonl',
    lines(rec(0, 7, 'invoke'), json(1, 7, 'ok'), rec(2, 7, 'invoke', 1)),
    2,
  ],
  [
    'a Jepsen history whose :time goes backwards (its file order is its time)',
    'h.edn',
    '[{:type :invoke, :f :read, :process 0, :value nil, :time 50}\n {:type :ok, :f :read, :process 0, :value 1, :time 20}]\n',
    1,
  ],
  ['a Porcupine kv log of get, put and append', 'c01-ok.txt', lines(kv(0, 'invoke', 'put'), kv(0, 'ok', 'put')), 1],
];

for (const [what, name, text, count] of honest) {
  test(`${what} is still read`, (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-honesthistory-'));
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const path = join(dir, name);
    writeFileSync(path, text);
    const checked = loadForCheck(path);
    assert.equal(checked.tornTail, what.includes('torn'));
    assert.equal(checked.problems.length, 0, checked.problems.join('; '));
    assert.equal(checked.operations.length, count);
  });
}

function mkdirFor(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
}
