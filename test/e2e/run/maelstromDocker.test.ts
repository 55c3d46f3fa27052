// Maelstrom nodes on Docker nodes under `faultline run`: the node's folder copied into each container, the node
// run there with its stdio streamed to faultline's router over the engine's exec stream, so the harness stays
// the network. The Python lin-kv node stays linearizable through a partition (on the router) and a kill (SIGKILL
// inside the container, then a restart with a fresh init); a node that exits at start is reported with its
// node, command, exit code and stderr. Skipped without a Docker engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerSkip } from '../dockerEngine.ts';
import { assertFaultsStartedAndStopped } from '../faultEvents.ts';

const skip = dockerSkip('the maelstrom-on-docker e2e tests');
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(repo, 'bin', 'faultline.js');

/** Runs a campaign into a store of its own (removed after the test); prints its wall time. */
function run(t: { after(fn: () => void): void }, campaign: string): { status: number | null; out: string } {
  const store = mkdtempSync(join(tmpdir(), 'faultline-maelstrom-docker-e2e-'));
  t.after(() => {
    rmSync(store, { recursive: true, force: true });
  });
  const started = Date.now();
  // The first run on a machine builds the system image (python3 from Debian's packages): tens of seconds.
  const r = spawnSync(process.execPath, [cli, 'run', campaign, '--progress', 'plain', '--store', store], {
    cwd: store,
    encoding: 'utf8',
    timeout: 300_000,
  });
  process.stdout.write(`# faultline run ${campaign} took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function messageEvents(runDir: string, node: string): Record<string, unknown>[] {
  return readFileSync(join(runDir, 'logs', node, 'maelstrom-messages.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('the Python lin-kv node on 3 Docker nodes stays linearizable through a partition and a kill', { skip }, (t) => {
  const { status, out } = run(t, join(repo, 'examples/maelstrom/lin-kv-docker.yaml'));
  assert.equal(status, 0, out);
  const runDir = /run directory: (\S+)/.exec(out)?.[1] ?? '';
  const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as {
    checks: { checker: string; valid: unknown }[];
    opCounts: { ok: number };
  };
  assert.deepEqual(
    results.checks.map((c) => [c.checker, c.valid]),
    [['linearizable', true]],
    out,
  );
  assert.ok(results.opCounts.ok > 100, out);
  // Each fault started and stopped at its fixed time, none with an error.
  assertFaultsStartedAndStopped(runDir, ['partition', 'kill']);
  assert.match(out, /faults applied: partition, kill/);
  // n2 ran in its container, was killed there (docker reports 128+9) and started again with a fresh init.
  const n2Log = readFileSync(join(runDir, 'logs', 'n2', 'maelstrom.log'), 'utf8');
  assert.equal(
    n2Log.match(/starting .* on n2 as \/opt\/faultline\/maelstrom-node\/lin_kv_primary\.py/g)?.length,
    2,
    n2Log,
  );
  assert.match(n2Log, /exited with code 137 \(as after SIGKILL\)/);
  const n2Inits = messageEvents(runDir, 'n2').filter((e) => e.event === 'deliver' && e.type === 'init');
  assert.equal(n2Inits.length, 2, 'init before and after the kill');
  // The router, not the containers' network, dropped messages across the partition.
  const drops = ['n1', 'n2', 'n3'].flatMap((n) => messageEvents(runDir, n)).filter((e) => e.event === 'drop');
  assert.ok(
    drops.some((e) => e.reason === 'partitioned' && (e.src === 'n1' || e.dest === 'n1')),
    out,
  );
  for (const node of ['n1', 'n3'])
    assert.match(readFileSync(join(runDir, 'logs', node, 'maelstrom.log'), 'utf8'), /initialised/);
});

test(
  'a node that exits at start on a Docker node is reported with its node, command, exit code and stderr',
  { skip },
  (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-maelstrom-docker-crash-'));
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    writeFileSync(join(dir, 'crash.sh'), '#!/bin/sh\necho "no config in $PWD" >&2\nexit 3\n');
    chmodSync(join(dir, 'crash.sh'), 0o755);
    const campaign = join(dir, 'crash.yaml');
    writeFileSync(
      campaign,
      [
        'name: maelstrom-crash-docker',
        'system: { name: maelstrom, options: { bin: ./crash.sh, args: [--flag] } }',
        'nodes: { backend: docker, count: 1 }',
        'workload: { name: key-value }',
        'phases: { warmup: 0s, faults: 1s, heal: 0s, recovery: 0s, finalReads: 0s }',
        'checkers: [linearizable]',
        '',
      ].join('\n'),
    );
    const { status, out } = run(t, campaign);
    assert.notEqual(status, 0, out);
    assert.match(
      out,
      /node n1 \(\S*crash\.sh --flag\) exited with code 3 before answering init; last stderr:\s+no config in \/var\/lib\/faultline/,
    );
    assert.ok(!existsSync(join(dir, 'results.json')));
  },
);
