// `npm run bench [-- NAME...]`: runs every bench/*.bench.ts (or those whose name contains NAME) in turn,
// each in its own process so one benchmark's heap and JIT state do not colour the next one's figures.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('.', import.meta.url).pathname;
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  process.stderr.write(`no benchmark matches ${filters.join(', ')} in ${dir}\n`);
  process.exitCode = 64;
}
// Node flags a benchmark needs: the isolation benchmark prints its peak RSS against its 2 GB target (its
// history alone takes about 1 GB, so the heap may grow past 2 GB rather than crash before any figure).
const nodeFlags: Record<string, string[]> = {
  'isolation.bench.ts': ['--max-old-space-size=4096', '--expose-gc'],
};
let failed = 0;
for (const f of files) {
  process.stdout.write(`\n== ${f}\n`);
  const r = spawnSync(process.execPath, [...(nodeFlags[f] ?? []), '--import', 'tsx', join(dir, f)], {
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`${f} exited with ${r.status ?? r.signal ?? 'an error'}\n`);
  }
}
if (failed > 0) process.exitCode = 1;
