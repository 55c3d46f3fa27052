// `faultline check` as a user runs it: many paths in one process, a stored run re-checked with its own
// checkers, nothing observed never valid.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { HistoryOp, Value } from '../../../checkers/history.ts';
import { concurrentRegisterHistory } from '../../../checkers/testing/concurrentRegister.ts';

const cli = fileURLToPath(new URL('../../../bin/faultline.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'faultline-check-cli-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

function faultline(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
}

/** history.jsonl text of [process, f, value in, value out] ops, each completing ok before the next starts. */
function jsonl(ops: readonly [number, string, Value, Value][]): string {
  const events: HistoryOp[] = [];
  for (const [process, f, input, output] of ops) {
    events.push({ index: events.length, time: events.length * 1000, type: 'invoke', process, f, value: input });
    events.push({ index: events.length, time: events.length * 1000, type: 'ok', process, f, value: output });
  }
  return events.map((e) => `${JSON.stringify(e)}\n`).join('');
}

// Process 1 reads the initial value after process 0's write completed: not linearizable, yet monotonic reads hold.
const staleRead = jsonl([
  [0, 'write', 1, 1],
  [1, 'read', null, null],
]);
const fine = jsonl([
  [0, 'write', 1, 1],
  [1, 'read', null, 1],
]);

test('an empty history and one where nothing completed are unknown, exit 2, with the reason', () => {
  writeFileSync(join(root, 'empty.jsonl'), '');
  const empty = faultline('check', join(root, 'empty.jsonl'));
  assert.equal(empty.status, 2, empty.stdout + empty.stderr);
  assert.match(empty.stdout, /unknown: the history is empty: nothing was checked/);
  const timedOut = [
    { index: 0, time: 1, type: 'invoke', process: 0, f: 'write', value: 1 },
    { index: 1, time: 2, type: 'info', process: 0, f: 'write', value: 1, error: 'timeout' },
  ];
  writeFileSync(join(root, 'info.jsonl'), timedOut.map((e) => `${JSON.stringify(e)}\n`).join(''));
  const info = faultline('check', join(root, 'info.jsonl'));
  assert.equal(info.status, 2, info.stdout + info.stderr);
  assert.match(info.stdout, /no operation completed ok \(1 indeterminate, 0 failed\): nothing was observed/);
});

test('many paths in one process: one line per history, a summary, and the worst exit code', () => {
  const dir = join(root, 'many');
  mkdirSync(join(dir, 'nested'), { recursive: true });
  writeFileSync(join(dir, 'fine.jsonl'), fine);
  writeFileSync(join(dir, 'nested', 'stale.jsonl'), staleRead);
  writeFileSync(join(dir, 'README.md'), 'not a history');
  const single = join(root, 'single-fine.jsonl');
  writeFileSync(single, fine);
  const r = faultline('check', dir, single, join(root, 'many', '*.jsonl'));
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const lines = r.stdout.trim().split('\n');
  // The directory gives two histories (README.md is not one), the file one; the glob's match is already listed.
  assert.equal(lines.length, 4, r.stdout);
  assert.match(lines[0]!, /^valid +.*many\/fine\.jsonl/);
  assert.match(lines[1]!, /^violated +.*stale\.jsonl +linearizable/);
  assert.match(lines[2]!, /^valid +.*single-fine\.jsonl/);
  assert.match(lines[3]!, /^3 histories: 2 valid, 1 violated, 0 unknown; overall violated$/);
  const unmatched = faultline('check', single, join(root, 'nothing-*.edn'));
  assert.equal(unmatched.status, 64);
  assert.match(unmatched.stderr, /no file matches/);
});

test("a stored run is re-checked with the run's own checkers and model, and says so", () => {
  const run = join(root, 'store', 'demo', '20261204T120000');
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'history.jsonl'), staleRead);
  const results = {
    campaign: 'demo',
    system: 'demo-kv',
    nodes: ['n1'],
    seed: 1,
    startedAt: '2026-12-04T12:00:00.000Z',
    durationMs: 10,
    faults: { applied: [], unavailable: [] },
    opCounts: { ok: 2, fail: 0, info: 0 },
    checks: [],
    checkers: ['monotonic-reads'],
    model: { name: 'register', options: { initial: null } },
  };
  writeFileSync(join(run, 'results.json'), JSON.stringify(results));
  const again = faultline('check', run);
  // The run checked monotonic reads only, which hold; linearizability alone would say violated (exit 1).
  assert.equal(again.status, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /re-checking with the run's own checkers \(monotonic-reads\), from .*results\.json/);
  assert.match(again.stdout, /model register \{"initial":null\}/);
  const asked = faultline('check', run, '--checker', 'linearizable');
  assert.equal(asked.status, 1, asked.stdout + asked.stderr);
  assert.doesNotMatch(asked.stdout, /re-checking/);
  const profile = faultline('check', run, '--all');
  assert.equal(profile.status, 1);
  // A stale read is sequentially consistent: the profile says so for every model below linearizability.
  assert.match(profile.stdout, /^linearizable +violated/m);
  assert.match(profile.stdout, /^sequential +valid/m);
});

test("a stored run is re-checked with the run's own budgets, unless the command line gives one", () => {
  const run = join(root, 'store', 'budgets', '20261204T120000');
  mkdirSync(run, { recursive: true });
  const ops = concurrentRegisterHistory(50, 100, 7);
  writeFileSync(join(run, 'history.jsonl'), ops.map((e) => `${JSON.stringify(e)}\n`).join(''));
  const results = {
    campaign: 'budgets',
    system: 'demo-kv',
    nodes: ['n1'],
    seed: 1,
    startedAt: '2026-12-04T12:00:00.000Z',
    durationMs: 10,
    faults: { applied: [], unavailable: [] },
    opCounts: { ok: ops.length / 2, fail: 0, info: 0 },
    checks: [],
    checkers: ['linearizable'],
    model: { name: 'register' },
    budgets: { timeBudgetMs: 1 },
  };
  writeFileSync(join(run, 'results.json'), JSON.stringify(results));
  // The run's 1 ms budget runs out on this history (the search needs thousands of configurations): unknown.
  const again = faultline('check', run);
  assert.equal(again.status, 2, again.stdout + again.stderr);
  assert.match(again.stdout, /time budget ran out/);
  const longer = faultline('check', run, '--time-budget', '120');
  assert.equal(longer.status, 0, longer.stdout + longer.stderr);
});

test('an Elle list-append history gets no linearizability verdict: unknown by default, a usage error when asked', () => {
  const edn = join(root, 'list-append.edn');
  writeFileSync(
    edn,
    [
      '{:index 0 :type :invoke :process 0 :f :txn :value [[:append 1 1]]}',
      '{:index 1 :type :ok :process 0 :f :txn :value [[:append 1 1]]}',
      '{:index 2 :type :invoke :process 1 :f :txn :value [[:r 1 nil]]}',
      '{:index 3 :type :ok :process 1 :f :txn :value [[:r 1 [1]]]}',
      '',
    ].join('\n'),
  );
  const plain = faultline('check', edn);
  assert.equal(plain.status, 2, plain.stdout + plain.stderr);
  assert.doesNotMatch(plain.stdout, /^linearizable/m);
  assert.doesNotMatch(plain.stdout, /violated/);
  const asked = faultline('check', edn, '--checker', 'linearizable');
  assert.equal(asked.status, 64, asked.stdout + asked.stderr);
  assert.match(asked.stderr, /linearizable cannot judge this history: it holds transactions/);
  assert.match(asked.stderr, /Checkers that can: causal-tx/);
});
