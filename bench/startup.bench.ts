// What a user waits for before faultline does anything, and how fast a history is read (issue 17):
// whole-process wall times of `faultline --version` and `faultline check <one etcd log>` from the bundle and
// from the sources through tsx, against `node -e 0` (Node's own start, which no change here can shorten);
// the bundle's staleness check; and parsing a generated 1M-op history.jsonl streamed from disk.
// BENCH_REPS (default 15) runs of each; medians are printed. BENCH_ONLY=startup,parse picks a part.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHistoryJsonl, readHistoryJsonl } from '../harness/history/jsonl.ts';
import { buildBundle, currentBundle } from '../scripts/cli-bundle.js';
import { referenceHistoriesDir } from '../test/referenceHistories.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const cli = join(here, '../bin/faultline.js');
const etcdLog = join(referenceHistoriesDir, 'porcupine/jepsen/etcd_000.log');
const reps = Math.max(3, Number(process.env.BENCH_REPS ?? 15));
const only = process.env.BENCH_ONLY?.toLowerCase().split(',');
const want = (part: string): boolean => only === undefined || only.includes(part);

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const ms = (x: number): string => `${x.toFixed(0).padStart(6)} ms`;
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

function wall(args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore', env });
  if (r.error !== undefined) throw r.error;
  return performance.now() - t;
}

console.log(`median of ${reps} runs each; load average at start ${load()} (2 cores, shared)`);
if (want('startup')) {
  await buildBundle();
  const fromSource = { ...process.env, FAULTLINE_FROM_SOURCE: '1' };
  const rows: [string, string[], NodeJS.ProcessEnv][] = [
    ['node -e 0 (Node alone)', ['-e', '0'], process.env],
    ['faultline --version (bundle)', [cli, '--version'], process.env],
    ['faultline check etcd_000.log (bundle)', [cli, 'check', etcdLog], process.env],
    ['faultline --version (sources through tsx)', [cli, '--version'], fromSource],
    ['faultline check etcd_000.log (sources through tsx)', [cli, 'check', etcdLog], fromSource],
  ];
  const times = rows.map(() => [] as number[]);
  // Alternate the commands run by run, so load changes spread over all of them alike.
  for (let i = 0; i < reps; i++) rows.forEach(([, args, env], k) => times[k]!.push(wall(args, env)));
  const node = median(times[0]!);
  rows.forEach(([label], k) => {
    const m = median(times[k]!);
    console.log(`${label.padEnd(52)} ${ms(m)}${k === 0 ? '' : `  (${ms(m - node).trim()} more than Node alone)`}`);
  });
  const checks: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    if (currentBundle() === null) throw new Error('the bundle went stale during the benchmark');
    checks.push(performance.now() - t);
  }
  console.log(`${'bundle staleness check (hash every source), in-process'.padEnd(52)} ${ms(median(checks))}`);
}

if (want('parse')) {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-parse-bench-'));
  try {
    // 1M ops (2M events) of the recorder's shape: 16 processes, writes and reads of a register, node names.
    const path = join(dir, 'history.jsonl');
    const lines: string[] = [];
    const pending = new Array<string | null>(16).fill(null);
    let seed = 3;
    let index = 0;
    while (index < 2_000_000) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const p = (seed >>> 8) % 16;
      const f = pending[p];
      const time = index * 1000;
      if (f === null || f === undefined) {
        const write = ((seed >>> 4) & 1) === 0;
        pending[p] = write ? 'write' : 'read';
        const value = write ? index : null;
        lines.push(JSON.stringify({ index, time, type: 'invoke', process: p, f: pending[p], value }));
      } else {
        lines.push(JSON.stringify({ index, time, type: 'ok', process: p, f, value: index, node: `n${(p % 5) + 1}` }));
        pending[p] = null;
      }
      index++;
    }
    writeFileSync(path, lines.join('\n') + '\n');
    lines.length = 0;
    const mb = (statSync(path).size / 1e6).toFixed(0);
    const streamed: number[] = [];
    const whole: number[] = [];
    const runs = Math.min(reps, 5);
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      readHistoryJsonl(path);
      streamed.push(performance.now() - t);
      t = performance.now();
      // The reading before streaming: the file as one string, JSON.parse per line.
      parseHistoryJsonl(readFileSync(path, 'utf8'), path);
      whole.push(performance.now() - t);
    }
    console.log(`\nparsing a ${mb} MB history.jsonl of 2,000,000 events, median of ${runs}:`);
    console.log(`${'  streamed from disk, byte scanner (readHistoryJsonl)'.padEnd(52)} ${ms(median(streamed))}`);
    console.log(`${'  whole file as one string, JSON.parse per line'.padEnd(52)} ${ms(median(whole))}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
