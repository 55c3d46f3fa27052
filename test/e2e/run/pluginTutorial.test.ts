// Does exactly what docs/plugin-tutorial.md says, from a folder outside this repository: writes the files
// the tutorial shows, runs its campaigns with the faultline CLI, and expects the outcomes it describes.
// (Step 5, Docker nodes under partitions, runs in dockerRun.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repo, 'bin', 'faultline.js');

/** The tutorial's files: every code block whose info string names a file (```ts file=system.ts). */
function tutorialFiles(): Map<string, string> {
  const doc = readFileSync(join(repo, 'docs', 'plugin-tutorial.md'), 'utf8');
  const files = new Map<string, string>();
  for (const m of doc.matchAll(/^```\w+ file=(\S+)\n([\s\S]*?)^```$/gm)) files.set(m[1]!, m[2]!);
  return files;
}

function faultline(cwd: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('the tutorial files are the ones in examples/tutorial-kv', () => {
  const files = tutorialFiles();
  assert.deepEqual([...files.keys()].sort(), [
    'campaign-docker.yaml',
    'campaign-kill-primary.yaml',
    'campaign.yaml',
    'package.json',
    'server.mjs',
    'system.ts',
  ]);
  for (const [name, text] of files) {
    assert.equal(
      text,
      readFileSync(join(repo, 'examples', 'tutorial-kv', name), 'utf8'),
      `${name} differs from the example`,
    );
  }
});

test('the tutorial, step by step, from a folder outside the repository', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-tutorial-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  assert.ok(!dir.startsWith(repo));
  for (const [name, text] of tutorialFiles()) writeFileSync(join(dir, name), text);

  await t.test('3. faultline run campaign.yaml: valid, exit 0, a complete run directory', () => {
    const { status, out } = faultline(dir, ['run', 'campaign.yaml', '--progress', 'plain']);
    assert.equal(status, 0, out);
    assert.match(out, /linearizable +valid/);
    assert.match(out, /faults applied: pause/);
    const run = join(dir, 'store', 'tutorial-kv', 'latest');
    for (const f of ['history.jsonl', 'results.json', 'report.html', 'harness.log', 'campaign.yaml', 'seed']) {
      assert.ok(existsSync(join(run, f)), `${f} in the run directory`);
    }
    for (const n of ['n1', 'n2', 'n3']) assert.ok(existsSync(join(run, 'logs', n, 'tutorial-kv.log')), `${n}'s log`);
  });

  await t.test('4. faultline run campaign-kill-primary.yaml: the lost writes are caught, exit 1', () => {
    const { status, out } = faultline(dir, ['run', 'campaign-kill-primary.yaml', '--progress', 'plain']);
    assert.equal(status, 1, out);
    assert.match(out, /linearizable +INVALID/);
    assert.match(out, /nonlinearizable: /);
    assert.match(out, /reproduce: faultline run campaign-kill-primary\.yaml --seed \d+/);
  });
});
