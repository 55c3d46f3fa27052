// raft-kv and etcd through the whole harness on Docker: `faultline run` with partitions, kills and pauses of the
// leader and clock skew on five nodes. Both are expected linearizable, so the checker must find each history
// linearizable, with enough successful ops that the verdict means something. libfaketime cannot reach etcd's
// Go clock, so its clock fault must be reported unavailable, not run without effect.
// Skips when no Docker engine answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dockerSkip } from '../dockerEngine.ts';
import { runCampaignCli } from './campaignRun.ts';

const skip = dockerSkip('linearizable systems campaign e2e');

const campaignFor = (system: string): string => `
name: fl-sys1-${system}
system: ${system}
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

for (const system of ['raft-kv', 'etcd']) {
  test(
    `${system} stays linearizable under partitions, kills, pauses and clock skew`,
    { skip, timeout: 600_000 },
    async (t) => {
      const { run, cleanup } = await runCampaignCli({
        tempPrefix: `fl-sys1-${system}-campaign-`,
        name: `fl-sys1-${system}`,
        campaignText: campaignFor(system),
      });
      t.after(cleanup);
      const { results, output } = run;
      assert.equal(results.harness.status, 'passed', output);
      assert.ok(results.faults.applied.includes('partition'), `faults applied: ${results.faults.applied.join(', ')}`);
      const clockUnavailable = results.faults.unavailable.find((u) => u.fault === 'clock');
      if (system === 'etcd') {
        assert.match(clockUnavailable?.reason ?? '', /^etcd: libfaketime cannot skew/, output);
        assert.ok(!results.faults.applied.includes('clock'), 'no clock fault recorded as applied on etcd');
      } else assert.equal(clockUnavailable, undefined, output);
      assert.ok(results.opCounts.ok >= 200, `only ${results.opCounts.ok} ops succeeded`);
      const linearizable = results.checks.find((c) => c.checker === 'linearizable');
      assert.equal(linearizable?.valid, true, JSON.stringify(linearizable?.anomalies).slice(0, 2000));
      assert.equal(run.exitCode, 0, output);
    },
  );
}
