// Item 3 of issue 16: every plug-in hook runs under the campaign's hookTimeout; a hook that never settles
// fails the run (255) naming the hook and the node, and teardown still runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCampaign } from '../../harness/campaign/loadCampaign.ts';
import { runCampaign } from '../../harness/run/runCampaign.ts';

const buggy = fileURLToPath(new URL('./fixtures/buggySystem.ts', import.meta.url));
const g = globalThis as { buggySystemCalls?: string[] };

async function runWithBug(bug: string, t: { after(f: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-hooks-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const calls: string[] = [];
  g.buggySystemCalls = calls;
  const loaded = parseCampaign(
    `name: hook-${bug}\nsystem: {name: ${buggy}, options: {bug: ${bug}}}\nnodes: {backend: local, count: 2}\n` +
      `workload: {name: register, mix: {read: 1, write: 1}}\nclients: {concurrency: 2, timeout: 500ms}\n` +
      `phases: {warmup: 300ms, faults: 300ms, heal: 100ms, recovery: 100ms, finalReads: 1s}\n` +
      `checkers: [linearizable]\nhookTimeout: 400ms\n`,
    join(dir, 'campaign.yaml'),
  );
  const started = Date.now();
  const outcome = await runCampaign({ loaded, storeDir: join(dir, 'store') });
  const log = readFileSync(join(outcome.runDir, 'harness.log'), 'utf8');
  return { outcome, calls, log, ms: Date.now() - started };
}

for (const [bug, hook] of [
  ['hang-install', 'install'],
  ['hang-start', 'start'],
  ['hang-client', 'client'],
] as const) {
  test(`a ${hook}() that never settles fails the run, named, and teardown runs`, async (t) => {
    const { outcome, calls, ms } = await runWithBug(bug, t);
    assert.equal(outcome.exitCode, 255);
    assert.equal(outcome.status, 'failed');
    const errors = outcome.errors.map((e) => (e.error instanceof Error ? e.error.message : String(e.error)));
    assert.match(errors.join('\n'), new RegExp(`buggy-system: ${hook}\\(\\) on n[12] did not finish within 0.4 s`));
    assert.ok(calls.includes('stop n1') && calls.includes('stop n2'), calls.join(', '));
    assert.ok(ms < 30_000, `${ms} ms`);
  });
}

test('a stop() that never settles is named and the node is killed instead', async (t) => {
  const { outcome, calls, log } = await runWithBug('hang-stop', t);
  assert.equal(outcome.status, 'passed');
  assert.match(log, /stop on n1 failed \(buggy-system: stop\(\) on n1 did not finish within 0.4 s/);
  assert.ok(calls.includes('kill n1') && calls.includes('kill n2'), calls.join(', '));
});

test('hookTimeout is a duration with a default of 60s', () => {
  const loaded = parseCampaign(`name: x\nsystem: tutorial-kv\nworkload: {name: register}\n`, 'c.yaml');
  assert.equal(loaded.campaign.hookTimeout, '60s');
  assert.throws(
    () => parseCampaign(`name: x\nsystem: tutorial-kv\nworkload: {name: register}\nhookTimeout: soon\n`, 'c.yaml'),
    /c\.yaml:4:\d+ hookTimeout: a duration/,
  );
});
