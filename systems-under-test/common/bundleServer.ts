// Turns a TypeScript server program into one JavaScript file a node's Node 18 can run without node_modules.
// Bundles are cached by content hash under the OS temp dir, and memoised per entry within this process so a
// cluster of N nodes bundles once.
import { createHash } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

export interface ServerBundle {
  /** Absolute path of the bundled .mjs on this machine. */
  file: string;
  /** sha256 of its content (hex). */
  hash: string;
}

const bundles = new Map<string, Promise<ServerBundle>>();

/** Bundles `entry` (absolute path to a .ts file) for Node 18, ESM. */
export function bundleServer(entry: string): Promise<ServerBundle> {
  let bundle = bundles.get(entry);
  if (bundle === undefined) {
    bundle = bundleOnce(entry);
    bundles.set(entry, bundle);
    // A failed bundle (e.g. a syntax error being fixed) must not stay cached.
    bundle.catch(() => bundles.delete(entry));
  }
  return bundle;
}

async function bundleOnce(entry: string): Promise<ServerBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
    // Bundled CommonJS dependencies may call require(); ESM output has none unless we provide it.
    banner: {
      js: "import { createRequire as __flCreateRequire } from 'node:module'; const require = __flCreateRequire(import.meta.url);",
    },
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error(`esbuild produced no output for ${entry}`);
  const hash = createHash('sha256').update(output.contents).digest('hex');
  const dir = path.join(os.tmpdir(), 'faultline-bundles');
  const file = path.join(dir, `${path.basename(entry, path.extname(entry))}-${hash.slice(0, 16)}.mjs`);
  const exists = await stat(file).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await mkdir(dir, { recursive: true });
    // Write then rename, so a concurrent run never uploads a half-written bundle.
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, output.contents);
    await rename(partial, file);
  }
  return { file, hash };
}
