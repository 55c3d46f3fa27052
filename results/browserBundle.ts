// Bundles the report's and the index's in-page TypeScript with esbuild when a page is written. The bundle is
// cached under node_modules/.cache keyed by a hash of the sources, so writing a report after every run
// stays fast; it falls back to the OS temp dir where node_modules is read-only.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, version as esbuildVersion } from 'esbuild';

const resultsDir = dirname(fileURLToPath(import.meta.url));
const projectRoot = dirname(resultsDir);

/** Browser entry points, relative to results/. */
export const browserEntries = {
  report: 'report/browser/main.ts',
  storeIndex: 'store/browser/storeIndexPage.ts',
} as const;
export type BrowserEntry = keyof typeof browserEntries;

function listSources(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listSources(path, out);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** A hash of everything that can change a bundle: every results/ and checkers/ source, esbuild's and uPlot's versions. */
function sourcesHash(entry: BrowserEntry): string {
  const hash = createHash('sha256');
  hash.update(`${entry}\0${esbuildVersion}\0`);
  hash.update(readFileSync(join(projectRoot, 'node_modules/uplot/package.json')));
  const files = [...listSources(resultsDir, []), ...listSources(join(projectRoot, 'checkers'), [])].sort();
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(file));
  return hash.digest('hex').slice(0, 24);
}

function cacheDirs(): string[] {
  return [join(projectRoot, 'node_modules/.cache/faultline-report'), join(tmpdir(), 'faultline-report-cache')];
}

const memory = new Map<string, string>();

/** The minified IIFE for an entry point. */
export async function browserBundle(entry: BrowserEntry): Promise<string> {
  const key = `${entry}-${sourcesHash(entry)}`;
  const cached = memory.get(key);
  if (cached !== undefined) return cached;
  for (const dir of cacheDirs()) {
    try {
      const js = readFileSync(join(dir, `${key}.js`), 'utf8');
      memory.set(key, js);
      return js;
    } catch {
      // not cached there
    }
  }
  const result = await build({
    entryPoints: [join(resultsDir, browserEntries[entry])],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2022',
    platform: 'browser',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = result.outputFiles[0]?.text ?? '';
  memory.set(key, js);
  for (const dir of cacheDirs()) {
    try {
      mkdirSync(dir, { recursive: true });
      const tmp = join(dir, `${key}.${process.pid}.tmp`);
      writeFileSync(tmp, js);
      renameSync(tmp, join(dir, `${key}.js`));
      break;
    } catch {
      // try the next cache dir; an uncached bundle is only slower
    }
  }
  return js;
}

/** uPlot's stylesheet, inlined into the report. */
export function uplotCss(): string {
  return readFileSync(join(projectRoot, 'node_modules/uplot/dist/uPlot.min.css'), 'utf8');
}
