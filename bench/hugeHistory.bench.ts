// Benchmark of `faultline check` on a history far larger than any string Node can hold: a linearizable
// key-value history of HUGE_HISTORY_GB gigabytes (default 2; or the first argument), 16 concurrent processes
// over 100 keys, written in pieces, then checked by the CLI in its own process under a memory and a time
// budget (HUGE_HISTORY_MEMORY_MIB, default 4096; HUGE_HISTORY_TIME_S, default 300). It prints the verdict per
// checker (valid, or unknown with the reason: never a crash, never violated), the time and the peak RSS.
// Linearizability by default, as `check` does for a file; HUGE_HISTORY_ALL=1 checks every model that applies.
// Run: npm run bench -- hugeHistory   (it writes the file under the system's temporary folder and removes it)
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const gigabytes = Number(process.argv[2] ?? process.env['HUGE_HISTORY_GB'] ?? 2);
const memoryMiB = Number(process.env['HUGE_HISTORY_MEMORY_MIB'] ?? 4096);
const timeS = Number(process.env['HUGE_HISTORY_TIME_S'] ?? 300);
const cli = fileURLToPath(new URL('../bin/faultline.js', import.meta.url));
const processes = 16;
const keys = 100;

/**
 * A linearizable history: each op takes effect at its completion, which lies inside its own [invoke, ok]
 * interval, and the processes' ops overlap, so the checker sees real concurrency. Returns the ops written.
 */
function writeLinearizableHistory(path: string, bytes: number): number {
  const fd = openSync(path, 'w');
  const value = new Map<string, number>();
  // Each process's op in flight: invoked, not yet completed.
  const pending: ({ f: 'read' | 'write'; key: string; v: number } | null)[] = Array.from(
    { length: processes },
    () => null,
  );
  let index = 0;
  let time = 0;
  let written = 0;
  let ops = 0;
  let nextValue = 1;
  let seed = 12345;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  try {
    while (written < bytes) {
      let text = '';
      for (let i = 0; i < 2000; i++) {
        const p = random(processes);
        const op = pending[p] ?? null;
        time += 1000 + random(4000);
        if (op === null) {
          const f = random(3) === 0 ? 'write' : 'read';
          const key = `k${random(keys)}`;
          const v = f === 'write' ? nextValue++ : 0;
          pending[p] = { f, key, v };
          text += `{"index":${index++},"time":${time},"type":"invoke","process":${p},"f":"${f}","key":"${key}","value":${f === 'write' ? v : 'null'}}\n`;
        } else {
          let out: string;
          if (op.f === 'write') {
            value.set(op.key, op.v);
            out = String(op.v);
          } else out = String(value.get(op.key) ?? 'null');
          pending[p] = null;
          ops++;
          text += `{"index":${index++},"time":${time},"type":"ok","process":${p},"f":"${op.f}","key":"${op.key}","value":${out}}\n`;
        }
      }
      written += writeSync(fd, text);
    }
  } finally {
    closeSync(fd);
  }
  return ops;
}

const dir = mkdtempSync(join(tmpdir(), 'faultline-huge-history-'));
try {
  const path = join(dir, 'history.jsonl');
  let started = performance.now();
  const ops = writeLinearizableHistory(path, gigabytes * 1024 ** 3);
  console.log(
    `history: ${(statSync(path).size / 1024 ** 3).toFixed(2)} GiB, ${ops.toLocaleString('en')} ops ` +
      `(${processes} processes, ${keys} keys), written in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  // The checking process's own peak RSS, printed as it exits (the CLI's output stays its own).
  const peak = join(dir, 'peak-rss.cjs');
  writeFileSync(
    peak,
    "process.on('exit', () => process.stderr.write(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB\\n`));\n",
  );
  started = performance.now();
  const check = await execa(
    process.execPath,
    [
      `--max-old-space-size=${memoryMiB}`,
      '--require',
      peak,
      cli,
      'check',
      path,
      '--memory-budget',
      String(memoryMiB),
      '--time-budget',
      String(timeS),
      ...(process.env['HUGE_HISTORY_ALL'] === '1' ? ['--all'] : []),
    ],
    { reject: false, all: true, env: { NO_COLOR: '1' } },
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const lines = check.all.split('\n');
  console.log(lines.filter((l) => !/^\s*(searching|reading|checking)\b/.test(l)).join('\n'));
  console.log(
    `faultline check (heap and memory budget ${memoryMiB} MiB, time budget ${timeS} s): exit ${check.exitCode ?? check.signal}, ${seconds} s` +
      ` (0 valid, 2 unknown; 1 would be a false violation, 255 or a signal a crash)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
