// The CLI bundle: made when missing, never run once a source it was built from changes, and the bundled CLI
// still starts worker threads and loads a user's TypeScript module with no build step.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { buildBundle, currentBundle } from './cli-bundle.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'bin/faultline.js');

/** A project of three files laid out like faultline's, so its bundle can be built, run and made stale. */
function miniProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-cli-bundle-'));
  for (const sub of ['bin', 'scripts', 'harness/cli', 'checkers/linearizable'])
    mkdirSync(join(dir, sub), { recursive: true });
  copyFileSync(join(root, 'bin/faultline.js'), join(dir, 'bin/faultline.js'));
  copyFileSync(join(root, 'scripts/cli-bundle.js'), join(dir, 'scripts/cli-bundle.js'));
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'harness/cli/greeting.ts'), "export const greeting: string = 'first';\n");
  writeFileSync(
    join(dir, 'harness/cli/main.ts'),
    "import { greeting } from './greeting.ts';\nconsole.log(`${greeting} ${import.meta.url}`);\n",
  );
  writeFileSync(join(dir, 'checkers/linearizable/worker.ts'), 'export {};\n');
  return dir;
}

test('the bundle is made on first use and made again after any source it includes changes', (t) => {
  const dir = miniProject();
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const run = () => spawnSync(process.execPath, [join(dir, 'bin/faultline.js')], { encoding: 'utf8' });
  const first = run();
  assert.equal(first.status, 0, first.stderr);
  // import.meta.url is the source's own URL, so files beside a source are found from the bundle too.
  assert.equal(first.stdout.trim(), `first file://${join(dir, 'harness/cli/main.ts')}`);
  // An imported file changes, its size and the main file untouched: the next start runs the new code.
  writeFileSync(join(dir, 'harness/cli/greeting.ts'), "export const greeting: string = 'other';\n");
  const second = run();
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, /^other /);
  assert.equal(second.stderr, '');
});

test('currentBundle answers the bundle buildBundle made, for this checkout', async () => {
  const built = await buildBundle();
  assert.equal(currentBundle(), built);
  assert.match(built, /\/[0-9a-f]{24}\/main\.js$/);
});

test('the bundled CLI checks a large multi-key history on worker threads', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-cli-workers-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  // 40 keys x 300 rounds of a write then a read of it: 24,000 ops. Values repeat (0-2), so the zones cannot
  // decide the keys and each needs the search; FAULTLINE_WORKER_MIN_OPS sends every search to the pool.
  const lines: string[] = [];
  let v = 0;
  const op = (process: number, type: string, f: string, value: number | null, key: string): void => {
    lines.push(JSON.stringify({ index: lines.length, time: lines.length, type, process, f, key, value }));
  };
  for (let round = 0; round < 300; round++) {
    for (let k = 0; k < 40; k++) {
      v = (v + 1) % 3;
      op(k, 'invoke', 'write', v, `k${k}`);
      op(k, 'ok', 'write', v, `k${k}`);
      op(k, 'invoke', 'read', null, `k${k}`);
      op(k, 'ok', 'read', v, `k${k}`);
    }
  }
  const file = join(dir, 'h.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  const r = spawnSync(process.execPath, [cli, 'check', file, '--model', 'kv'], {
    encoding: 'utf8',
    env: { ...process.env, FAULTLINE_WORKER_MIN_OPS: '1' },
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /valid/);
  const workers = Number(/workers (\d+)/.exec(r.stdout)?.[1] ?? 0);
  assert.ok(workers >= 2, `the check ran on ${workers} worker threads:\n${r.stdout}`);
});

test("the bundled CLI loads a user's TypeScript system module with no build step", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-cli-plugin-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  // Type annotations only TypeScript accepts, and no hooks: loading succeeds, validation then names the hooks.
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
  writeFileSync(join(dir, 'plug.ts'), "const name: string = 'mine';\nexport default { name } as { name: string };\n");
  writeFileSync(
    join(dir, 'c.yaml'),
    'name: x\nsystem: ./plug.ts\nnodes: {backend: local, count: 1}\nworkload: {name: register}\n',
  );
  const r = spawnSync(process.execPath, [cli, 'run', 'c.yaml', '--store', join(dir, 'store'), '--no-report'], {
    cwd: dir,
    encoding: 'utf8',
  });
  const out = r.stdout + r.stderr;
  assert.doesNotMatch(out, /failed to load/);
  assert.match(out, /not a system definition/);
  assert.match(out, /"start" must be a function/);
});
