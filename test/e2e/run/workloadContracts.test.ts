// The workload contracts of docs/workloads.md, run: examples/memory-store answers every workload's ops as the
// page says, through `faultline run` on the local backend (no Docker), and each history is judged valid. A
// client answering reads with text gets those completions recorded as info, with the reason, and counted in
// results.json and the CLI's end lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readHistoryJsonl } from '../../../harness/history/jsonl.ts';
import { workloadNames } from '../../../harness/workloads/index.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repo, 'bin', 'faultline.js');
const examples = join(repo, 'examples', 'memory-store');

function run(campaign: string, store: string): { status: number | null; out: string; runDir: string } {
  const r = spawnSync(
    process.execPath,
    [cli, 'run', join(examples, campaign), '--progress', 'plain', '--store', store],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const out = `${r.stdout}${r.stderr}`;
  const runDir = /run directory: (\S+)/.exec(out)?.[1] ?? '';
  return { status: r.status, out, runDir };
}

interface Results {
  opCounts: { ok: number; fail: number; info: number };
  wrongShape?: { count: number; first?: string };
  checks: { checker: string; valid: unknown }[];
}

test('every workload on the example adapter: valid, nothing of the wrong shape, each completion naming its node', async (t) => {
  const store = mkdtempSync(join(tmpdir(), 'faultline-contracts-'));
  t.after(() => {
    rmSync(store, { recursive: true, force: true });
  });
  for (const workload of workloadNames) {
    await t.test(workload, () => {
      const { status, out, runDir } = run(`${workload}.yaml`, store);
      assert.equal(status, 0, out);
      const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as Results;
      assert.ok(results.opCounts.ok > 20, out);
      assert.deepEqual(results.wrongShape, { count: 0 });
      assert.ok(results.checks.length > 0 && results.checks.every((c) => c.valid === true), out);
      assert.doesNotMatch(out, /wrong shape/);
      const completions = readHistoryJsonl(join(runDir, 'history.jsonl')).ops.filter(
        (o) => o.process !== 'nemesis' && o.type !== 'invoke',
      );
      assert.ok(completions.every((o) => o.servedBy !== undefined && o.servedBy === o.node));
    });
  }
});

test('reads answered as text are recorded as info with the reason, and counted in results.json and the end lines', (t) => {
  const store = mkdtempSync(join(tmpdir(), 'faultline-contracts-'));
  t.after(() => {
    rmSync(store, { recursive: true, force: true });
  });
  const { status, out, runDir } = run('register-string-reads.yaml', store);
  // What was well-formed is still checked, and holds.
  assert.equal(status, 0, out);
  const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as Results;
  const wrong = readHistoryJsonl(join(runDir, 'history.jsonl')).ops.filter(
    (o) => o.type === 'info' && o.error?.startsWith('completion of the wrong shape: ') === true,
  );
  assert.ok(wrong.length > 0);
  assert.ok(
    wrong.every((o) => o.f === 'read' && o.value === null),
    'the text is never recorded as a read value',
  );
  assert.equal(results.wrongShape?.count, wrong.length);
  assert.match(
    results.wrongShape?.first ?? '',
    /^read returned a string \("(\d+|null)"\), expected an integer or null$/,
  );
  assert.match(
    out,
    new RegExp(`${wrong.length} completions of the wrong shape recorded as info: first: read returned a string`),
  );
  assert.ok(results.opCounts.info >= wrong.length);
});
