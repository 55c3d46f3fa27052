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
import { concurrentRegisterHistory } from '../../checkers/testing/concurrentRegister.ts';
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

test('faultline check with FAULTLINE_PROGRESS=plain prints the search moving: keys decided grow during one check', () => {
  // 50 keys, each a register history only the general search decides (two values, long overlapping ops):
  // one linearizability check whose search runs on the main thread, key after key (about a second unloaded).
  const events: HistoryOp[] = [];
  for (let k = 0; k < 50; k++)
    for (const e of concurrentRegisterHistory(20, 100, k + 1))
      events.push({ ...e, process: Number(e.process) + 100 * k, key: `k${k}` });
  events.sort((a, b) => a.time - b.time || a.index - b.index);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-progress-'));
  try {
    const file = join(dir, 'history.jsonl');
    writeFileSync(file, events.map((e, index) => `${JSON.stringify({ ...e, index })}\n`).join(''));
    const cli = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));
    const run = spawnSync(process.execPath, [cli, 'check', file, '--checker', 'linearizable'], {
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, NO_COLOR: '1', FAULTLINE_PROGRESS: 'plain', FAULTLINE_WORKER_MIN_OPS: '100000000' },
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('checking linearizable (1 of 1 checker)'));
    const decided = lines.map((l) => Number(/: (\d+) of 50 keys decided/.exec(l)?.[1]));
    assert.ok(lines.length >= 2 && new Set(lines).size === lines.length, run.stderr);
    for (let i = 1; i < decided.length; i++) assert.ok(decided[i]! >= decided[i - 1]!, run.stderr);
    assert.deepEqual([decided[0]! < 50, decided.at(-1)], [true, 50], run.stderr);
    assert.match(lines.at(-1)!, /\(100,000 of 100,000 ops\), [\d,]+ configurations explored, [\d.]+ s of budget left$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
