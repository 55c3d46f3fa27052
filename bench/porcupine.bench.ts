// faultline's linearizability checker against Porcupine, measured in the same run on the same files.
// PORCUPINE_DIR names a checkout of github.com/anishathalye/porcupine; Go (Debian's golang-go) builds
// bench/porcupine-driver against it, offline (a `replace` to the checkout, GOPROXY=off). Without either,
// this prints that no comparison was made. Every figure includes reading and parsing the files.
//
// Per family: in-process (faultline in this process, Porcupine in one driver process, each making N passes:
// cold = the first pass, warm = the median of the others) and whole-process (the command a user runs, from
// start to exit: Porcupine's driver given all the family's files, faultline's `check` given them all too). Ratio = faultline / Porcupine: below 1 faultline is faster.
// BENCH_REPS (default 5) passes; BENCH_ONLY=etcd,partitioned,c10,c50,general,1m picks families (matched against the
// labels); BENCH_PORCUPINE_TIMEOUT (default 60s) bounds each Porcupine check; the 1M-op register family runs
// Porcupine only with BENCH_PORCUPINE_1M=1 (it needs over 6 GB at 100k ops).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pairOperations } from '../checkers/history.ts';
import { checkLinearizable } from '../checkers/linearizable/index.ts';
import type { ModelSpec } from '../checkers/models/model.ts';
import type { CheckResult } from '../checkers/result.ts';
import { simulateRegisterStore } from '../checkers/testing/registerStores.ts';
import { readAnyHistory } from '../harness/history/formats/index.ts';
import { referenceHistoriesDir } from '../test/referenceHistories.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const cli = join(here, '../bin/faultline.js');
const root = join(referenceHistoriesDir, 'porcupine/');
const reps = Math.max(2, Number(process.env.BENCH_REPS ?? 5));
const only = process.env.BENCH_ONLY?.toLowerCase().split(',');
const want = (label: string): boolean => only === undefined || only.some((w) => label.toLowerCase().includes(w));
const porcupineTimeout = process.env.BENCH_PORCUPINE_TIMEOUT ?? '60s';

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const word = (r: CheckResult): string => (r.valid === true ? 'Ok' : r.valid === false ? 'Illegal' : 'Unknown');
const secs = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

/** Builds the driver; returns its path, or why there is none. */
function buildDriver(): string | { reason: string } {
  const checkout = process.env.PORCUPINE_DIR;
  if (checkout === undefined || checkout === '')
    return { reason: 'PORCUPINE_DIR is not set (a checkout of github.com/anishathalye/porcupine)' };
  if (!existsSync(join(checkout, 'go.mod'))) return { reason: `PORCUPINE_DIR=${checkout} has no go.mod` };
  const dir = mkdtempSync(join(tmpdir(), 'faultline-porcupine-driver-'));
  copyFileSync(join(here, 'porcupine-driver/main.go'), join(dir, 'main.go'));
  writeFileSync(
    join(dir, 'go.mod'),
    'module faultline/porcupine-driver\n\ngo 1.19\n\nrequire github.com/anishathalye/porcupine v0.0.0\n\n' +
      `replace github.com/anishathalye/porcupine => ${resolve(checkout)}\n`,
  );
  // Offline: Porcupine needs no other module, and the checkout is used in place.
  const env = { ...process.env, GOPROXY: 'off', GOFLAGS: '-mod=mod', GOSUMDB: 'off', GOTOOLCHAIN: 'local' };
  const r = spawnSync('go', ['build', '-o', 'driver', '.'], { cwd: dir, env, encoding: 'utf8' });
  if (r.error !== undefined) return { reason: `go is not installed (${r.error.message}); apt-get install golang-go` };
  if (r.status !== 0) return { reason: `go build failed:\n${r.stderr}` };
  const version = spawnSync('go', ['version'], { encoding: 'utf8' }).stdout.trim();
  const commit = spawnSync('git', ['-C', checkout, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' }).stdout.trim();
  console.log(`Porcupine ${commit === '' ? checkout : commit}, built by ${version}`);
  return join(dir, 'driver');
}

interface Family {
  label: string;
  files: string[];
  expected: string[];
  spec: ModelSpec;
  driverModel: 'etcd' | 'kv' | 'kv-one';
  cliArgs: string[];
  /** Porcupine is not run (with the reason) on this family. */
  skipPorcupine?: string;
  /** Passes in-process and whole-process runs, when not BENCH_REPS (a family taking minutes runs once). */
  passes?: number;
  /** Porcupine's per-file timeout, when not BENCH_PORCUPINE_TIMEOUT. */
  timeout?: string;
}

interface DriverRecord {
  file: string;
  rep: number;
  parseMs: number;
  checkMs: number;
  result: string;
}

/** Porcupine in one process: per pass, the total of parse + check over the files, and the verdicts. */
function porcupineInProcess(driver: string, f: Family): { passes: number[]; verdicts: string[] } {
  const n = f.passes ?? reps;
  const r = spawnSync(
    driver,
    ['-model', f.driverModel, '-reps', String(n), '-timeout', f.timeout ?? porcupineTimeout, ...f.files],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    },
  );
  if (r.status !== 0) throw new Error(`porcupine-driver exited ${r.status ?? r.signal}: ${r.stderr}`);
  if (f.files.length === 0) throw new Error(`${f.label}: no files (expected.tsv changed?)`);
  const records = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as DriverRecord);
  const passes = Array.from({ length: n }, (_, rep) =>
    records.filter((x) => x.rep === rep).reduce((sum, x) => sum + x.parseMs + x.checkMs, 0),
  );
  return { passes, verdicts: records.filter((x) => x.rep === 0).map((x) => x.result) };
}

/** faultline in this process: per pass, the total of read + parse + check over the files, and the verdicts. */
async function faultlineInProcess(f: Family): Promise<{ passes: number[]; verdicts: string[] }> {
  const passes: number[] = [];
  let verdicts: string[] = [];
  for (let rep = 0; rep < (f.passes ?? reps); rep++) {
    const t = performance.now();
    verdicts = [];
    for (const file of f.files) {
      const ops = pairOperations(readAnyHistory(file).ops);
      verdicts.push(word(await checkLinearizable(ops, f.spec, { timeBudgetMs: 60_000 })));
    }
    passes.push(performance.now() - t);
  }
  return { passes, verdicts };
}

/** Wall time of one command from start to exit. */
function wall(cmd: string, args: string[]): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  if (r.error !== undefined) throw r.error;
  return performance.now() - t;
}

function agreement(f: Family, verdicts: string[]): string {
  const wrong = f.files.flatMap((file, i) =>
    verdicts[i] === f.expected[i] ? [] : [`${file.replace(root, '')}: ${verdicts[i]} (expected ${f.expected[i]})`],
  );
  return wrong.length === 0 ? 'all as expected' : `DISAGREE: ${wrong.slice(0, 3).join('; ')}`;
}

const rows = readFileSync(join(root, 'expected.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t') as [string, string, string, string]);
const pick = (filter: (r: [string, string, string, string]) => boolean) => {
  const chosen = rows.filter(filter);
  return { files: chosen.map((r) => join(root, r[0])), expected: chosen.map((r) => r[3]) };
};
const etcd: ModelSpec = { name: 'cas-register', options: { initial: null, failedCasReturnsFalse: true } };
const kv: ModelSpec = { name: 'kv', options: { initial: '' } };
const kvOne: ModelSpec = { name: 'kv', options: { initial: '', partitioned: false } };
const oneStoreArgs = ['--model', 'kv', '--model-options', '{"partitioned":false}'];
const oneStore =
  'kv one store (faultline: ops on different keys declared to commute; Porcupine: plain one-store model)';

const families: Family[] = [
  { label: 'etcd suite (102 logs)', ...pick((r) => r[1] === 'etcd'), spec: etcd, driverModel: 'etcd', cliArgs: [] },
  {
    label: 'kv partitioned by key (6 files)',
    ...pick((r) => r[2] === 'kv-partitioned'),
    spec: kv,
    driverModel: 'kv',
    cliArgs: [],
  },
  ...(
    [
      ['c10-ok', 'Ok'],
      ['c10-bad', 'Illegal'],
      ['c50-ok', 'Ok'],
      ['c50-bad', 'Illegal'],
    ] as const
  ).map(([name, expected]): Family => ({
    label: `${oneStore} ${name}`,
    files: [join(root, `kv/${name}.txt`)],
    expected: [expected],
    spec: kvOne,
    driverModel: 'kv-one',
    cliArgs: oneStoreArgs,
    // Porcupine has no verdict on c50 in minutes, and faultline takes seconds: one pass each.
    ...(name.startsWith('c50') && { passes: 1, timeout: '60s' }),
  })),
];

/** A 1M-op register history (16 processes, unique written values, linearizable) as a Jepsen etcd log. */
function writeRegisterLog(path: string, count: number): void {
  let seed = 7;
  const rand = (k: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % k;
  };
  type Pending = { write: boolean; value: number | null; applied: boolean } | null;
  const pending = new Array<Pending>(16).fill(null);
  let register: number | null = null;
  let next = 1;
  let started = 0;
  const lines: string[] = [];
  while (started < count || pending.some((p) => p !== null)) {
    const p = rand(16);
    const op = pending[p];
    if (op === null || op === undefined) {
      if (started >= count) continue;
      started++;
      const write = rand(2) === 0;
      pending[p] = { write, value: write ? next++ : null, applied: false };
      lines.push(`INFO  jepsen.util - ${p}\t:invoke\t:${write ? 'write' : 'read'}\t${write ? next - 1 : 'nil'}`);
    } else if (!op.applied) {
      op.applied = true;
      if (op.write) register = op.value;
      else op.value = register;
    } else {
      pending[p] = null;
      lines.push(`INFO  jepsen.util - ${p}\t:ok\t:${op.write ? 'write' : 'read'}\t${op.value ?? 'nil'}`);
    }
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

/**
 * A linearizable 10-key store with values drawn from 0-4 (so only the general search decides it, no unique-value
 * shortcut), 16 processes, no timeouts, as a 6.824 kv log (put and get; a read of a key never written is "").
 */
function writeGeneralSearchKvLog(path: string, count: number): void {
  const events = simulateRegisterStore({ count, keys: 10, infoShare: 0, distinctValues: 5, seed: 11 });
  const lines = events.map((e) => {
    const f = e.f === 'write' ? 'put' : 'get';
    const value =
      e.type === 'invoke' && f === 'get' ? 'nil' : JSON.stringify(typeof e.value === 'number' ? String(e.value) : '');
    return `{:process ${e.process}, :type :${e.type}, :f :${f}, :key "${e.key ?? ''}", :value ${value}}`;
  });
  writeFileSync(path, lines.join('\n') + '\n');
}

const driver = buildDriver();
if (typeof driver !== 'string') {
  console.log(`no comparison with Porcupine was made: ${driver.reason}`);
} else {
  const scratch = mkdtempSync(join(tmpdir(), 'faultline-porcupine-bench-'));
  try {
    if (want('1M-op register')) {
      const log = join(scratch, 'register-1m.log');
      writeRegisterLog(log, 1_000_000);
      families.push({
        label: '1M-op register (one generated etcd log)',
        files: [log],
        expected: ['Ok'],
        spec: { name: 'register', options: { initial: null } },
        driverModel: 'etcd',
        cliArgs: ['--model', 'register'],
        ...(process.env.BENCH_PORCUPINE_1M !== '1' && {
          skipPorcupine: 'Porcupine not run: it needs over 6 GB at 100k ops (BENCH_PORCUPINE_1M=1 runs it)',
        }),
      });
    }
    if (want('general-search kv')) {
      const log = join(scratch, 'general-search-kv-100k.txt');
      writeGeneralSearchKvLog(log, 100_000);
      families.push({
        label: 'general-search kv (one generated kv log: 100k ops, 10 keys, values 0-4)',
        files: [log],
        expected: ['Ok'],
        spec: kv,
        driverModel: 'kv',
        cliArgs: [],
        passes: Math.min(reps, 3),
      });
    }
    console.log(
      `${reps} passes each (c50: one); cold = first pass, warm = median of the rest; whole-process = median of ${Math.min(reps, 3)} runs. ` +
        `Ratio = faultline / Porcupine. Machine load at start: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    );
    for (const f of families) {
      if (!want(f.label)) continue;
      console.log(`\n${f.label}`);
      const ours = await faultlineInProcess(f);
      const cold = ours.passes[0]!;
      const warm = ours.passes.length > 1 ? median(ours.passes.slice(1)) : NaN;
      const warmText = (x: number): string => (Number.isNaN(x) ? 'warm not run (one pass)' : `warm ${secs(x)}`);
      console.log(`  faultline in-process: cold ${secs(cold)}, ${warmText(warm)}; ${agreement(f, ours.verdicts)}`);
      let theirs: { passes: number[]; verdicts: string[] } | undefined;
      if (f.skipPorcupine !== undefined) console.log(`  ${f.skipPorcupine}`);
      else {
        theirs = porcupineInProcess(driver, f);
        const pCold = theirs.passes[0]!;
        const pWarm = theirs.passes.length > 1 ? median(theirs.passes.slice(1)) : NaN;
        console.log(
          `  Porcupine in-process: cold ${secs(pCold)}, ${warmText(pWarm)}; ${agreement(f, theirs.verdicts)}` +
            ` (timeout ${f.timeout ?? porcupineTimeout} per file)`,
        );
        const unknown = theirs.verdicts.includes('Unknown') ? ' (Porcupine timed out: its time is a lower bound)' : '';
        const warmRatio = Number.isNaN(warm) ? '' : `, warm ${(warm / pWarm).toFixed(2)}`;
        console.log(`  ratio in-process: cold ${(cold / pCold).toFixed(2)}${warmRatio}${unknown}`);
      }
      // Whole-process, alternating the two on the same files.
      const wholeRuns = Math.min(f.passes ?? reps, 3);
      const ourWhole: number[] = [];
      const theirWhole: number[] = [];
      for (let i = 0; i < wholeRuns; i++) {
        ourWhole.push(wall(process.execPath, [cli, 'check', ...f.files, ...f.cliArgs]));
        if (theirs !== undefined)
          theirWhole.push(
            wall(driver, ['-model', f.driverModel, '-timeout', f.timeout ?? porcupineTimeout, ...f.files]),
          );
      }
      let line = `  whole-process: faultline ${secs(median(ourWhole))} (one \`check\` of all ${f.files.length} files)`;
      if (theirs !== undefined) {
        line += `, Porcupine ${secs(median(theirWhole))} (one process); ratio ${(median(ourWhole) / median(theirWhole)).toFixed(2)}`;
      }
      console.log(line);
    }
    // One etcd log, the command a user runs on one file.
    if (want('etcd suite (102 logs)')) {
      const file = join(root, 'jepsen/etcd_000.log');
      const ourOne: number[] = [];
      const theirOne: number[] = [];
      for (let i = 0; i < 2 * reps; i++) {
        ourOne.push(wall(process.execPath, [cli, 'check', file]));
        theirOne.push(wall(driver, ['-model', 'etcd', file]));
      }
      console.log(
        `\none etcd log (etcd_000.log), whole-process, median of ${2 * reps}: faultline ${secs(median(ourOne))}, ` +
          `Porcupine ${secs(median(theirOne))}; ratio ${(median(ourOne) / median(theirOne)).toFixed(2)}`,
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(join(driver, '..'), { recursive: true, force: true });
  }
}
