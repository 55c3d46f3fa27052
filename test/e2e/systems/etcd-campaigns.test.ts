// etcd through the whole harness on Docker: `faultline run` with partitions, kills and pauses of the leader
// and clock skew (which cannot reach its Go clock), on five nodes. It is expected linearizable, so the checker
// must find the history linearizable, with enough successful ops that the verdict means something. Skips when
// no Docker engine answers.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { engineAnswers } from '../../../harness/remote/docker-engine.ts';

const engine = await engineAnswers();
const skip = engine ? false : 'no Docker engine answers (start one: docker/ensure-engine.sh)';
if (skip !== false) process.stdout.write(`skipping etcd campaign e2e: ${skip}\n`);

const cli = fileURLToPath(new URL('../../../bin/faultline.js', import.meta.url));

const campaign = `
name: fl-sys1-etcd
system: etcd
nodes: { backend: docker, count: 5 }
workload: { name: register }
clients: { concurrency: 8, timeout: 2s }
phases: { warmup: 2s, faults: 20s, heal: 2s, recovery: 3s, finalReads: 5s }
nemesis:
  faults:
    - kind: partition
    - kind: kill
      targets: [one, primary]
    - kind: pause
      targets: [one, primary]
    - kind: clock
  interval: 2s
checkers: [linearizable]
`;

interface Results {
  opCounts: { ok: number; fail: number; info: number };
  faults: { applied: string[] };
  checks: { checker: string; valid: boolean | 'unknown'; anomalies: unknown[] }[];
  harness: { status: string };
}

test(
  'etcd stays linearizable under partitions, kills, pauses and clock skew',
  { skip, timeout: 600_000 },
  async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fl-sys1-etcd-campaign-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(path.join(dir, 'campaign.yaml'), campaign);
    // On a timeout the CLI gets SIGINT, which tears its nodes down like Ctrl-C does.
    const run = await execa(
      'node',
      [
        cli,
        'run',
        path.join(dir, 'campaign.yaml'),
        '--store',
        path.join(dir, 'store'),
        '--progress',
        'plain',
        '--no-report',
      ],
      { reject: false, timeout: 500_000, killSignal: 'SIGINT', forceKillAfterDelay: 60_000, all: true },
    );
    const runs = (await readdir(path.join(dir, 'store', 'fl-sys1-etcd'), { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    assert.equal(runs.length, 1, run.all);
    const results = JSON.parse(
      await readFile(path.join(dir, 'store', 'fl-sys1-etcd', runs[0]!, 'results.json'), 'utf8'),
    ) as Results;
    assert.equal(results.harness.status, 'passed', run.all);
    assert.ok(results.faults.applied.includes('partition'), `faults applied: ${results.faults.applied.join(', ')}`);
    assert.ok(results.opCounts.ok >= 200, `only ${results.opCounts.ok} ops succeeded`);
    const linearizable = results.checks.find((c) => c.checker === 'linearizable');
    assert.equal(linearizable?.valid, true, JSON.stringify(linearizable?.anomalies).slice(0, 2000));
    assert.equal(run.exitCode, 0, run.all);
  },
);
