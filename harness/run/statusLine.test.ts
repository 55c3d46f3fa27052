// The live check line: what it says, that it shows only on a terminal, only after a second, and is erased at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HistoryOp } from '../../checkers/history.ts';
import { createCheckProgress, formatCheckProgress } from './statusLine.ts';

/** A stream that says it is a terminal, keeping what was written. */
function fakeTerminal(): { stream: NodeJS.WriteStream; written: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  Object.assign(stream, { isTTY: true, columns: 100, rows: 30 });
  return { stream, written: () => text };
}

test('the check line names the checker, its place among them, and the elapsed seconds', () => {
  assert.equal(
    formatCheckProgress({ checker: 'linearizable', index: 3, of: 5 }, 4210),
    'checking linearizable (3 of 5 checkers) 4.2 s',
  );
  assert.equal(formatCheckProgress({ checker: 'set', index: 1, of: 1 }, 1000), 'checking set (1 of 1 checker) 1.0 s');
});

test('not a terminal: the check line writes nothing', async () => {
  const { stream, written } = fakeTerminal();
  const line = createCheckProgress(stream, { live: false });
  line.onProgress({ checker: 'linearizable', index: 1, of: 1, event: 'start' });
  await sleep(1300);
  line.end();
  assert.equal(written(), '');
});

test('on a terminal: nothing for a quick check; after a second the line shows, and end() erases it', async () => {
  const quick = fakeTerminal();
  const q = createCheckProgress(quick.stream, { live: true });
  q.onProgress({ checker: 'monotonic-reads', index: 1, of: 2, event: 'start' });
  q.onProgress({ checker: 'monotonic-reads', index: 1, of: 2, event: 'end', valid: true });
  q.end();
  assert.doesNotMatch(quick.written(), /checking/);

  const slow = fakeTerminal();
  const s = createCheckProgress(slow.stream, { live: true });
  s.onProgress({ checker: 'linearizable', index: 2, of: 2, event: 'start' });
  // Painted by a timer; on a loaded machine it may come late, so wait for it rather than for a fixed time.
  for (let waited = 0; !/checking/.test(slow.written()) && waited < 30_000; waited += 100) await sleep(100);
  assert.match(slow.written(), /checking linearizable \(2 of 2 checkers\) \d+\.\d s/);
  const before = slow.written().length;
  s.end();
  // log-update erases its lines with ESC [2K (erase line): no frozen progress line is left above the verdicts.
  assert.ok(
    slow
      .written()
      .slice(before)
      .includes(`${String.fromCharCode(27)}[2K`),
    'the line is erased',
  );
});

test('faultline check with FAULTLINE_PROGRESS=plain prints the search moving: configurations explored grow during one check', () => {
  // A CAS along every edge of the complete graph on 0-6 (42, all concurrent and acknowledged) and a read of 7:
  // no order works, and the search cannot know it before trying the orders of the edges (far beyond 2^30
  // configurations), so the check runs for its whole 2 s budget on any machine. (Writes of repeated values
  // would not do: the search places identical ops in one order only.)
  const edges: Array<[number, number]> = [];
  for (let a = 0; a < 7; a++) for (let b = 0; b < 7; b++) if (a !== b) edges.push([a, b]);
  const n = edges.length;
  const events: Omit<HistoryOp, 'index'>[] = [];
  edges.forEach((edge, p) => events.push({ time: p, type: 'invoke', process: p, f: 'cas', value: edge }));
  events.push({ time: n, type: 'invoke', process: n, f: 'read', value: null });
  events.push({ time: n + 1, type: 'ok', process: n, f: 'read', value: 7 });
  edges.forEach((edge, p) => events.push({ time: n + 2 + p, type: 'ok', process: p, f: 'cas', value: edge }));
  const dir = mkdtempSync(join(tmpdir(), 'faultline-progress-'));
  try {
    const file = join(dir, 'history.jsonl');
    writeFileSync(file, events.map((e, index) => `${JSON.stringify({ index, ...e })}\n`).join(''));
    const cli = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));
    const args = [
      'check',
      file,
      '--checker',
      'linearizable',
      '--model',
      'cas-register',
      '--model-options',
      '{"initial":0}',
    ];
    args.push('--time-budget', '2');
    const run = spawnSync(process.execPath, [cli, ...args], {
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, NO_COLOR: '1', FAULTLINE_PROGRESS: 'plain' },
    });
    assert.equal(run.status, 2, run.stdout + run.stderr);
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('checking linearizable (1 of 1 checker)'));
    const explored = lines.map((l) => Number(/, ([\d,]+) configurations explored/.exec(l)?.[1]?.replace(/,/g, '')));
    assert.ok(lines.length >= 2, run.stderr);
    for (let i = 1; i < explored.length; i++) assert.ok(explored[i]! > explored[i - 1]!, run.stderr);
    assert.match(
      lines[0]!,
      /: 0 of 1 partition decided \(0 of 43 ops\), [\d,]+ configurations explored, [\d.]+ s of budget left$/,
    );
    assert.match(lines.at(-1)!, /: 0 of 1 partition decided, 1 given up \(0 of 43 ops\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
