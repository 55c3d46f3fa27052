// The verdict matrix of issue 8 (docs/verdict-matrix.md), on real containers: each reference system runs its
// campaign from examples/matrix/ through `bin/faultline.js run`, one after another, and must
//  - pass every model it claims: valid === true ('unknown' fails too: a budget that ran out proves nothing);
//  - when its weakness is caught (the named model reported violated), show at least one typed anomaly. Whether
//    one run catches a weakness is a matter of chance (the fault schedule, the load on the machine), so a miss
//    is printed as a figure, not failed: catch rates over repeated runs are in docs/verdict-matrix.md, and each
//    weakness has a deterministic reproduction in its system's own unit tests;
//  - leave no container or network labelled with its run behind.
// raft-kv and etcd have their own campaigns in linearizableCampaigns.test.ts.
// Skips when no Docker engine answers. Each campaign's phases add up to 32 s (quorum-kv-no-write-back's to 47 s).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dockerSkip } from '../dockerEngine.ts';
import { type CampaignRun, leftBehind, runCampaignCli } from './campaignRun.ts';

const skip = dockerSkip('verdict matrix e2e');

interface MatrixRow {
  system: string;
  /** Checker names for the models the system claims: each must be valid. */
  claims: string[];
  /** Checker names for the models its weakness violates: each must be invalid with an anomaly. */
  violates: string[];
  /** Fewest ok ops for the verdicts to mean something. */
  minOk: number;
}

// In the order of the issue's priorities. The campaign file is examples/matrix/<system>.yaml, named
// matrix-<system>.
const matrix: MatrixRow[] = [
  {
    system: 'eventual-kv',
    claims: [],
    violates: ['session', 'monotonic-reads', 'read-your-writes', 'linearizable'],
    minOk: 500,
  },
  { system: 'quorum-kv-partial', claims: [], violates: ['linearizable'], minOk: 300 },
  { system: 'primary-backup', claims: ['sequential'], violates: ['linearizable'], minOk: 300 },
  { system: 'causal-kv', claims: ['causal-cc', 'causal-ccv', 'session'], violates: ['sequential'], minOk: 200 },
  { system: 'quorum-kv', claims: ['linearizable', 'sequential'], violates: [], minOk: 300 },
  { system: 'primary-backup-async', claims: [], violates: ['linearizable'], minOk: 300 },
  { system: 'quorum-kv-lww', claims: [], violates: ['linearizable'], minOk: 300 },
  { system: 'quorum-kv-no-write-back', claims: [], violates: ['linearizable'], minOk: 300 },
  { system: 'primary-backup-primary-reads', claims: ['linearizable', 'sequential'], violates: [], minOk: 200 },
];

function summary(run: CampaignRun): string {
  const { results } = run;
  const verdicts = results.checks.map((c) => {
    const types = [...new Set(c.anomalies.map((a) => a.type))].join('/');
    return `${c.checker}=${String(c.valid)}${types === '' ? '' : ` (${types})`}`;
  });
  const ops = results.opCounts;
  return (
    `${results.campaign}: ${verdicts.join(', ')}; ops ok ${ops.ok} fail ${ops.fail} info ${ops.info}; ` +
    `faults ${results.faults.applied.join('+')}; run ${(results.durationMs / 1000).toFixed(1)} s, ` +
    `wall ${(run.wallMs / 1000).toFixed(1)} s\n`
  );
}

for (const row of matrix) {
  const claims = row.claims.length === 0 ? 'claims nothing' : `claims ${row.claims.join(', ')}`;
  const weakness = row.violates.length === 0 ? '' : `, ${row.violates.join(', ')} caught violated`;
  test(`verdict matrix: ${row.system} (${claims}${weakness})`, { skip, timeout: 600_000 }, async (t) => {
    const name = `matrix-${row.system}`;
    const { run, dir, cleanup } = await runCampaignCli({
      tempPrefix: `fl-matrix-${row.system}-`,
      name,
      campaignFile: `examples/matrix/${row.system}.yaml`,
    });
    // A failed row keeps its store (history, results, node logs) for `faultline check` and a look at the logs.
    let passed = false;
    t.after(async () => {
      if (passed) await cleanup();
      else process.stdout.write(`${name}: run kept for inspection in ${dir}\n`);
    });
    const { results, output } = run;
    process.stdout.write(summary(run));
    t.diagnostic(summary(run).trimEnd());

    // The runner tears its nodes down by itself, whatever the verdicts.
    assert.equal(await leftBehind(run.runId), false, `containers or networks of ${run.runId} left behind`);
    assert.equal(results.harness.status, 'passed', output);
    assert.ok(results.faults.applied.length > 0, `no fault was applied\n${output}`);
    assert.ok(results.opCounts.ok >= row.minOk, `only ${results.opCounts.ok} ops succeeded`);

    for (const model of row.claims) {
      const check = results.checks.find((c) => c.checker === model);
      assert.ok(check !== undefined, `no ${model} verdict`);
      assert.equal(
        check.valid,
        true,
        `${row.system} claims ${model} but it was reported ${String(check.valid)}: ` +
          JSON.stringify(check.anomalies.slice(0, 3)).slice(0, 3000),
      );
    }
    let caught = 0;
    for (const model of row.violates) {
      const check = results.checks.find((c) => c.checker === model);
      assert.ok(check !== undefined, `no ${model} verdict`);
      if (check.valid !== false) {
        const miss = `${name}: weakness not caught in this run: ${model} is ${String(check.valid)}`;
        process.stdout.write(`${miss}\n`);
        t.diagnostic(miss);
        continue;
      }
      caught++;
      assert.ok(check.anomalies.length > 0, `${model} is invalid without an anomaly`);
      for (const anomaly of check.anomalies) assert.ok(anomaly.type.length > 0, 'an anomaly without a type');
    }
    process.stdout.write(`${name}: weaknesses caught ${caught} of ${row.violates.length}\n`);
    // Exit code: 1 when some model is violated; 0 when every verdict is valid; 2 when some is unknown.
    const verdicts = results.checks.map((c) => c.valid);
    const expectedExit = verdicts.includes(false) ? 1 : verdicts.includes('unknown') ? 2 : 0;
    assert.equal(run.exitCode, expectedExit, output);
    passed = true;
  });
}
