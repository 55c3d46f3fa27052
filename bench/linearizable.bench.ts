// One file, over 400 lines: one benchmark per checker, each family a short block sharing the timing and
// reporting helpers at its top, so `npm run bench -- linearizable` prints them in one table.
// Linearizability checker figures (issues 3, 14, 17): the Porcupine reference families, a generated
// 1,000,000-op unique-value register history, info-heavy register and kv histories (30 % indeterminate ops,
// generated at 10k, 100k and 1M ops, and the tutorial's recorded kill-primary runs), a general-search kv
// history (repeated values), the explanation of a stale read, the cost of the search's progress pauses, and
// info-heavy set histories. Prints time and verdict counts per family;
// parsing is not timed here (bench/porcupine.bench.ts times parsing too, and runs Porcupine itself on the same
// files for the ratio).
// BENCH_ONLY=etcd,partitioned,c10,c50,1m,info,recorded,general,explain,progress,set (any of them, matched against the
// labels; the list is split at commas) runs only those families.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pairOperations } from '../checkers/history.ts';
import type { HistoryOp, Operation } from '../checkers/history.ts';
import { checkLinearizable, checkLinearizableSync } from '../checkers/linearizable/index.ts';
import type { ModelSpec } from '../checkers/models/model.ts';
import type { CheckResult } from '../checkers/result.ts';
import { simulateRegisterStore } from '../checkers/testing/registerStores.ts';
import { simulateSetStore } from '../checkers/testing/setStores.ts';
import { readAnyHistory } from '../harness/history/formats/index.ts';
import { referenceHistoriesDir } from '../test/referenceHistories.ts';

const root = join(referenceHistoriesDir, 'porcupine');
const rows = readFileSync(join(root, 'expected.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t') as [string, string, string, string]);

const etcd: ModelSpec = { name: 'cas-register', options: { initial: null, failedCasReturnsFalse: true } };
const kv: ModelSpec = { name: 'kv', options: { initial: '' } };
const kvOne: ModelSpec = { name: 'kv', options: { initial: '', partitioned: false } };

function load(file: string): Operation[] {
  return pairOperations(readAnyHistory(join(root, file)).ops);
}

function word(r: CheckResult): string {
  return r.valid === true ? 'Ok' : r.valid === false ? 'Illegal' : 'Unknown';
}

interface Case {
  file: string;
  expected: string;
  ops: Operation[];
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Checks every case; median wall and CPU time of `reps` passes over the whole family. */
async function family(
  name: string,
  cases: Case[],
  model: ModelSpec,
  reps: number,
  timeBudgetMs: number,
): Promise<void> {
  const walls: number[] = [];
  const cpus: number[] = [];
  let counts = '';
  let wrong: string[] = [];
  let failing = '';
  for (let rep = 0; rep < reps; rep++) {
    const tally = new Map<string, number>();
    wrong = [];
    const t = performance.now();
    const cpu = process.cpuUsage();
    for (const c of cases) {
      const r = await checkLinearizable(c.ops, model, { timeBudgetMs });
      tally.set(word(r), (tally.get(word(r)) ?? 0) + 1);
      if (word(r) !== c.expected) wrong.push(`${c.file}: ${word(r)} (expected ${c.expected})`);
      const detail = r.anomalies[0]?.detail as { failedOp?: number } | undefined;
      if (cases.length === 1 && detail?.failedOp !== undefined) failing = `; failing op ${detail.failedOp}`;
    }
    walls.push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / 1000);
    counts = [...tally].map(([k, v]) => `${v} ${k}`).join(', ');
  }
  const agree = wrong.length === 0 ? 'all as expected' : `DISAGREE: ${wrong.join('; ')}`;
  console.log(
    `${name.padEnd(50)} ${(median(walls) / 1000).toFixed(3).padStart(8)} s wall ${(median(cpus) / 1000).toFixed(3).padStart(8)} s cpu   ` +
      `${cases.length} files: ${counts}; ${agree}${failing}`,
  );
}

function pick(filter: (r: [string, string, string, string]) => boolean): Case[] {
  return rows.filter(filter).map(([file, , , expected]) => ({ file, expected, ops: load(file) }));
}

const reps = Number(process.env.BENCH_REPS ?? 3);
const only = process.env.BENCH_ONLY?.toLowerCase().split(',');
const want = (label: string): boolean => only === undefined || only.some((w) => label.toLowerCase().includes(w));
// The unpartitioned kv model declares one commutation class per key: the search stays one search over the
// whole store, but tries ops on different keys in one order only and backjumps over other keys' steps.
// That declaration is where the win over Porcupine's one-store model comes from; without it c50 ends unknown.
const oneStore = 'kv one store, keys declared to commute';
console.log(
  `linearizability checker; median of ${reps} (c50 unpartitioned: 1 run, 60 s budget); parsing not timed. ` +
    "cpu = this process's CPU time (worker threads included), steadier than wall time on a shared machine.",
);
if (want('etcd suite (102 logs)')) {
  await family(
    'etcd suite (102 logs)',
    pick((r) => r[1] === 'etcd'),
    etcd,
    reps,
    60_000,
  );
}
if (want('kv partitioned (6 files)')) {
  await family(
    'kv partitioned (6 files)',
    pick((r) => r[2] === 'kv-partitioned'),
    kv,
    reps,
    60_000,
  );
}
for (const f of ['kv/c10-ok.txt', 'kv/c10-bad.txt']) {
  if (!want(`${oneStore} ${f}`)) continue;
  await family(
    `${oneStore} ${f}`,
    pick((r) => r[0] === f && r[2] === 'kv-nopartition'),
    kvOne,
    reps,
    60_000,
  );
}
for (const [f, expected] of [
  ['kv/c50-ok.txt', 'Ok'],
  ['kv/c50-bad.txt', 'Illegal'],
] as const) {
  if (!want(`${oneStore} ${f}`)) continue;
  await family(`${oneStore} ${f}`, [{ file: f, expected, ops: load(f) }], kvOne, 1, 60_000);
}

// A 1,000,000-op register history with unique written values, from a simulated linearizable register:
// each op takes effect at a random point between its invoke and its completion. 16 processes.
function generateRegisterHistory(count: number, corruptAt: number | null): HistoryOp[] {
  let seed = 42;
  const rand = (k: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % k;
  };
  const events: HistoryOp[] = [];
  const pending = new Array<{ f: string; value: number | null; applied: boolean } | null>(16).fill(null);
  let register: number | null = null;
  let next = 1;
  let started = 0;
  let corrupted = false;
  while (started < count || pending.some((p) => p !== null)) {
    const p = rand(16);
    const op = pending[p];
    const index = events.length;
    if (op === null || op === undefined) {
      if (started >= count) continue;
      started++;
      const write = rand(2) === 0;
      pending[p] = { f: write ? 'write' : 'read', value: write ? next++ : null, applied: false };
      events.push({
        index,
        time: index,
        type: 'invoke',
        process: p,
        f: write ? 'write' : 'read',
        value: write ? next - 1 : null,
      });
    } else if (!op.applied) {
      op.applied = true;
      if (op.f === 'write') register = op.value;
      else op.value = register;
    } else {
      pending[p] = null;
      const corrupt = !corrupted && corruptAt !== null && op.f === 'read' && started >= corruptAt;
      if (corrupt) corrupted = true;
      events.push({ index, time: index, type: 'ok', process: p, f: op.f, value: corrupt ? 1 : op.value });
    }
  }
  return events;
}

for (const [label, corruptAt] of [
  ['1M-op unique-value register (valid)', null],
  ['1M-op register, one stale read', 500_000],
] as const) {
  if (!want(label)) continue;
  const events = generateRegisterHistory(1_000_000, corruptAt);
  const t0 = performance.now();
  const ops = pairOperations(events);
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  const r = await checkLinearizable(ops, { name: 'register' });
  const t2 = performance.now();
  const used = process.cpuUsage(cpu);
  console.log(
    `${label.padEnd(50)} ${((t2 - t1) / 1000).toFixed(3).padStart(8)} s wall ${((used.user + used.system) / 1e6).toFixed(3).padStart(8)} s cpu   ` +
      `${ops.length} ops: ${word(r)} ` +
      `(zone partitions ${r.stats.zonePartitions ?? 0}; pairing the events took ${((t1 - t0) / 1000).toFixed(3)} s)`,
  );
}

// ---- info-heavy and general-search histories (issues 14, 17): checkers/testing/registerStores.ts --------

function memoryNote(): string {
  const heap = process.memoryUsage().heapUsed / 2 ** 20;
  const peak = process.resourceUsage().maxRSS / 1024;
  return `heap ${heap.toFixed(0)} MiB after, peak RSS ${peak.toFixed(0)} MiB so far`;
}

async function timed(
  label: string,
  ops: Operation[],
  model: ModelSpec,
  note = '',
  parallel = true,
): Promise<CheckResult> {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const r = await checkLinearizable(ops, model, { timeBudgetMs: 60_000, parallel });
  const wall = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const info = ops.filter((op) => op.status === 'info').length;
  console.log(
    `${label.padEnd(50)} ${wall.toFixed(3).padStart(8)} s wall ${((used.user + used.system) / 1e6).toFixed(3).padStart(8)} s cpu   ` +
      `${ops.length} ops (${((100 * info) / Math.max(1, ops.length)).toFixed(0)} % info): ${word(r)}; ` +
      `${((wall * 10_000) / Math.max(1, ops.length)).toFixed(3)} s per 10k ops; ` +
      `dropped ${r.stats.indeterminateDropped ?? 0}, bounded ${r.stats.indeterminateBounded ?? 0} info writes; ` +
      `zone partitions ${r.stats.zonePartitions ?? 0}/${r.stats.partitions ?? 0}; workers ${r.stats.workers ?? 0}; ${memoryNote()}${note}`,
  );
  return r;
}

for (const size of [10_000, 100_000, 1_000_000]) {
  const tag = size >= 1e6 ? `${size / 1e6}M` : `${size / 1e3}k`;
  for (const [kind, keys] of [
    ['register', 1],
    ['kv 10 keys', 10],
  ] as const) {
    const label = `info-heavy ${kind}, ${tag} ops, unique values`;
    if (!want(label)) continue;
    const ops = pairOperations(
      simulateRegisterStore({ count: size, keys, infoShare: 0.3, distinctValues: 'unique', seed: 7 }),
    );
    await timed(label, ops, keys === 1 ? { name: 'register' } : { name: 'kv' });
  }
}

// The tutorial's recorded kill-primary runs (checkers/linearizable/fixtures/), 25-35 % info ops.
for (const name of ['kill-primary-seed1.jsonl', 'kill-primary-seed2.jsonl', 'kill-primary-seed5.jsonl']) {
  const label = `recorded tutorial run ${name}`;
  if (!want(label)) continue;
  const text = readFileSync(new URL(`../checkers/linearizable/fixtures/${name}`, import.meta.url), 'utf8');
  const ops = pairOperations(
    text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as HistoryOp),
  );
  await timed(label, ops, { name: 'register' });
}

// Repeated values: the zones do not apply, every key is a WGL search (issue 17's quadratic corner).
for (const size of [100_000, 1_000_000]) {
  const label = `general-search kv, ${size / 1000}k ops, 10 keys, values 0-4`;
  if (!want(label)) continue;
  const ops = pairOperations(
    simulateRegisterStore({ count: size, keys: 10, infoShare: 0, distinctValues: 5, seed: 11 }),
  );
  await timed(label, ops, { name: 'kv' });
  // The same on the calling thread only: what the worker pool gains or costs at this size.
  await timed(`${label}, one thread`, ops, { name: 'kv' }, '', false);
  const infoLabel = `general-search kv, ${size / 1000}k ops, 10 keys, values 0-4, 30 % info`;
  if (!want(infoLabel)) continue;
  const infoOps = pairOperations(
    simulateRegisterStore({ count: size, keys: 10, infoShare: 0.3, distinctValues: 5, seed: 13 }),
  );
  await timed(infoLabel, infoOps, { name: 'kv' });
}

// A stale read: the zones decide it; the report's partial-linearization search has its own small budget.
for (const size of [5_000, 10_000]) {
  const label = `explain a stale read, ${size / 1000}k-op register, 30 % info`;
  if (!want(label)) continue;
  const events = simulateRegisterStore({ count: size, keys: 1, infoShare: 0.3, distinctValues: 'unique', seed: 5 });
  // The last ok read returns the first value written: stale by then.
  const firstWrite = events.find((e) => e.f === 'write' && e.type === 'invoke')!.value;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type === 'ok' && e.f === 'read' && e.value !== firstWrite) {
      e.value = firstWrite;
      break;
    }
  }
  const r = await timed(label, pairOperations(events), { name: 'register' });
  const a = r.anomalies[0];
  if (a !== undefined) console.log(`  ${a.explanation.slice(0, 240)}`);
}

// The search on the calling thread pauses every 100 ms (setImmediate) so the live check line can move
// (issue 14): the same history decided without pauses (checkLinearizableSync) and with them, after a warm-up
// run, alternating, median of 9 each in CPU time (the machine is shared: wall time there swung by half).
{
  const label = 'progress pauses, general-search kv 100k ops, one thread';
  if (want(label)) {
    const ops = pairOperations(
      simulateRegisterStore({ count: 100_000, keys: 10, infoShare: 0, distinctValues: 5, seed: 11 }),
    );
    let reports = 0;
    const withoutPauses = (): CheckResult =>
      checkLinearizableSync(ops, { model: { name: 'kv' }, timeBudgetMs: 60_000 });
    const withPauses = (): Promise<CheckResult> =>
      checkLinearizable(
        ops,
        { name: 'kv' },
        {
          timeBudgetMs: 60_000,
          parallel: false,
          onProgress: () => {
            reports++;
          },
        },
      );
    withoutPauses();
    await withPauses();
    const plainRuns: number[] = [];
    const pausedRuns: number[] = [];
    reports = 0;
    const cpuMs = (since: NodeJS.CpuUsage): number => {
      const used = process.cpuUsage(since);
      return (used.user + used.system) / 1000;
    };
    for (let i = 0; i < 9; i++) {
      // Alternating which goes first, so neither always runs after the other's garbage.
      const pair = i % 2 === 0 ? [false, true] : [true, false];
      for (const pausing of pair) {
        const t = process.cpuUsage();
        if (pausing) await withPauses();
        else withoutPauses();
        (pausing ? pausedRuns : plainRuns).push(cpuMs(t));
      }
    }
    const median = (runs: number[]): number => runs.sort((a, b) => a - b)[runs.length >> 1]!;
    const plain = median(plainRuns);
    const paused = median(pausedRuns);
    console.log(
      `${label.padEnd(50)} ${(plain / 1000).toFixed(3)} s cpu without pauses, ${(paused / 1000).toFixed(3)} s cpu with ` +
        `(${reports} progress reports over 9 runs): overhead ${((100 * (paused - plain)) / plain).toFixed(1)} %`,
    );
  }
}

// Info-heavy set histories (issue 14): 30 % of adds end info; settled before the search (indeterminate.ts).
for (const size of [2_000, 10_000, 100_000]) {
  const label = `info-heavy set, ${size / 1000}k ops, 5 keys`;
  if (!want(label)) continue;
  const ops = pairOperations(simulateSetStore({ seed: 1, processes: 10, keys: 5, ops: size, infoRate: 0.3 }));
  await timed(label, ops, { name: 'set' }, '', false);
}
