// The CLI's compiled JavaScript: harness/cli/main.ts and the linearizability checker's worker thread bundled
// by esbuild into dist/cli/<hash>/, so that starting faultline costs no TypeScript compilation. The bundle is
// made on first use (a fresh clone has none) and made again whenever any file it was built from changes:
// dist/cli/current.json lists those files, and before every start bin/faultline.js hashes their contents
// and runs the bundle only when the hash still matches. A stale bundle therefore never runs, whatever the
// files' times say. `node scripts/cli-bundle.js` builds it ahead of time and prints where.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const thisScript = fileURLToPath(import.meta.url);

/** Bundled entry points: the output name (dist/cli/<hash>/<name>.js) and its source. */
const entries = {
  main: 'harness/cli/main.ts',
  // The checker's pool starts its threads from this file when it runs from the bundle.
  worker: 'checkers/linearizable/worker.ts',
};

/** Dependencies compiled into the bundle; their package.json is part of the bundle's hash. */
const bundledPackages = ['commander', '@commander-js/extra-typings', 'zod', 'yaml', 'picocolors', 'pure-rand'];

function externalPackages() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const all = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})];
  return all.filter((name) => !bundledPackages.includes(name)).flatMap((name) => [name, `${name}/*`]);
}

/** Where bundles live: dist/cli in the checkout, or the OS temp dir when the checkout is read-only. */
function bundleHomes() {
  const rootKey = createHash('sha256').update(root).digest('hex').slice(0, 12);
  return [join(root, 'dist/cli'), join(tmpdir(), `faultline-cli-${rootKey}`)];
}

/**
 * The hash of everything a bundle was built from: each input's path and contents, this script, and the
 * checkout's location (the bundle names its source files by absolute URL).
 */
function inputsHash(inputs, esbuildVersion) {
  const hash = createHash('sha256');
  hash.update(`${root}\0${esbuildVersion}\0`).update(readFileSync(thisScript));
  for (const name of bundledPackages) hash.update(readFileSync(join(root, 'node_modules', name, 'package.json')));
  for (const input of inputs) hash.update(`\0${input}\0`).update(readFileSync(join(root, input)));
  return hash.digest('hex').slice(0, 24);
}

/** The current bundle's main entry URL, or null when there is none or any of its sources changed. */
export function currentBundle() {
  for (const home of bundleHomes()) {
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(home, 'current.json'), 'utf8'));
      if (manifest.hash !== inputsHash(manifest.inputs, manifest.esbuild)) continue;
      statSync(join(home, manifest.hash, 'main.js'));
    } catch {
      continue; // no bundle here, an input is gone, or it is unreadable: not current
    }
    return pathToFileURL(join(home, manifest.hash, 'main.js')).href;
  }
  return null;
}

/**
 * Rewrites `import.meta.url` in every bundled source to that source's own URL, so that files found next to
 * a source (package.json, the report's CSS, docker/) are found from the bundle exactly as from the source.
 */
function sourceUrls(transform) {
  return {
    name: 'faultline-source-urls',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(join(root, 'node_modules'))) return undefined;
        const result = await transform(readFileSync(args.path, 'utf8'), {
          loader: 'ts',
          format: 'esm',
          target: 'node20',
          sourcefile: args.path,
          sourcemap: 'inline',
          define: { 'import.meta.url': JSON.stringify(pathToFileURL(args.path).href) },
        });
        return { contents: result.code, loader: 'js' };
      });
    },
  };
}

/** Builds the bundle and makes it current; returns its main entry URL. */
export async function buildBundle() {
  const { build, transform, version } = await import('esbuild');
  const outdir = join(root, 'dist/cli/out');
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, src]) => [name, join(root, src)])),
    outdir,
    write: false,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Small pure-JavaScript dependencies every command needs are bundled (resolving their many files costs
    // more start-up time than the rest); the others load from node_modules when a command needs them.
    external: externalPackages(),
    // Bundled CommonJS code (commander) calls require() for Node's own modules.
    banner: {
      js: "import { createRequire as __flRequire } from 'node:module'; const require = __flRequire(import.meta.url);",
    },
    // Code that must know it runs from the bundle (the worker pool, the TypeScript loader for plug-ins)
    // reads FAULTLINE_BUNDLE_URL: the URL of the bundled file it ended up in.
    define: { FAULTLINE_BUNDLE_URL: 'import.meta.url' },
    chunkNames: 'chunk-[hash]',
    // Linked, not inline: Node reads a map only with --enable-source-maps, and inline maps were 5.4 of the
    // bundle's 7.5 MB, read and scanned at every start.
    sourcemap: 'linked',
    metafile: true,
    plugins: [sourceUrls(transform)],
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs)
    .map((p) => relative(root, resolve(root, p)))
    .filter((p) => !p.startsWith('..') && !p.includes('node_modules'))
    .sort();
  const hash = inputsHash(inputs, version);
  let lastError;
  for (const home of bundleHomes()) {
    const staging = join(home, `.staging-${process.pid}-${Date.now()}`);
    try {
      mkdirSync(staging, { recursive: true });
      for (const file of result.outputFiles) writeFileSync(join(staging, relative(outdir, file.path)), file.contents);
      const dir = join(home, hash);
      try {
        renameSync(staging, dir);
      } catch (e) {
        // Another process made the same bundle first: keep theirs.
        if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
      }
      const tmp = join(home, `current.json.${process.pid}.tmp`);
      writeFileSync(tmp, JSON.stringify({ hash, esbuild: version, inputs }, null, 1));
      renameSync(tmp, join(home, 'current.json'));
      pruneOld(home, hash);
      return pathToFileURL(join(dir, 'main.js')).href;
    } catch (e) {
      lastError = e; // a read-only checkout: try the next home
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  throw lastError;
}

/** Removes bundles other than `keep` over an hour old (a process started from one may still be running). */
function pruneOld(home, keep) {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(home)) {
    if (name === keep || !/^[0-9a-f]{24}$/.test(name)) continue;
    const dir = join(home, name);
    if (statSync(dir).mtimeMs < hourAgo) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === thisScript) {
  const started = performance.now();
  const url = await buildBundle();
  process.stdout.write(`${fileURLToPath(url)} (${Math.round(performance.now() - started)} ms)\n`);
}
