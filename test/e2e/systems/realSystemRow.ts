// One row of the real-systems matrix (examples/real/*.yaml) run end to end from an e2e test: the campaign's own
// `expect:` says what must hold and what should be caught. What holds every time is asserted (the claimed
// checkers valid, the harness passed, the exit code, nothing left behind, and a caught violation's anomaly
// types among those the row names); whether one run catches a violation is chance, so a miss is printed as a
// figure. Catch rates over repeated runs are in docs/real-systems.md.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { parseCampaign } from '../../../harness/campaign/loadCampaign.ts';
import { leftBehind, repoRoot, runCampaignCli } from './campaignRun.ts';

export async function runRealSystemRow(t: TestContext, campaignFile: string): Promise<{ caught: number; of: number }> {
  const file = path.join(repoRoot, campaignFile);
  const { campaign } = parseCampaign(await readFile(file, 'utf8'), file);
  const expect = campaign.expect;
  assert.ok(expect !== undefined, `${campaignFile} has no expect:`);
  const { run, dir, cleanup } = await runCampaignCli({
    tempPrefix: `fl-real-${campaign.name}-`,
    name: campaign.name,
    campaignFile,
  });
  let passed = false;
  t.after(async () => {
    if (passed) await cleanup();
    else process.stdout.write(`${campaign.name}: run kept for inspection in ${dir}\n`);
  });
  const { results, output } = run;
  const line = results.checks
    .map(
      (c) =>
        `${c.checker}=${String(c.valid)}${c.anomalies.length > 0 ? ` (${[...new Set(c.anomalies.map((a) => a.type))].join('/')})` : ''}`,
    )
    .join(', ');
  const figures = `${campaign.name}: ${line}; ops ok ${results.opCounts.ok} fail ${results.opCounts.fail} info ${results.opCounts.info}; run ${(results.durationMs / 1000).toFixed(1)} s, wall ${(run.wallMs / 1000).toFixed(1)} s`;
  process.stdout.write(`${figures}\n`);
  t.diagnostic(figures);

  assert.equal(await leftBehind(run.runId), false, `containers or networks of ${run.runId} left behind`);
  assert.equal(results.harness.status, 'passed', output);
  if (expect.minOk !== undefined)
    assert.ok(results.opCounts.ok >= expect.minOk, `only ${results.opCounts.ok} ops succeeded`);
  for (const name of expect.holds) {
    const check = results.checks.find((c) => c.checker === name);
    assert.ok(check !== undefined, `no ${name} verdict`);
    assert.equal(
      check.valid,
      true,
      `${name} should hold: ${JSON.stringify(check.anomalies.slice(0, 2)).slice(0, 3000)}`,
    );
  }
  let caught = 0;
  for (const name of expect.violates) {
    const check = results.checks.find((c) => c.checker === name);
    assert.ok(check !== undefined, `no ${name} verdict`);
    if (check.valid !== false) {
      const miss = `${campaign.name}: ${name} not caught in this run (${String(check.valid)})`;
      process.stdout.write(`${miss}\n`);
      t.diagnostic(miss);
      continue;
    }
    caught++;
    assert.ok(check.anomalies.length > 0, `${name} is invalid without an anomaly`);
    if (expect.anomalies !== undefined) {
      const types = check.anomalies.map((a) => a.type);
      assert.ok(
        types.some((type) => expect.anomalies!.includes(type)),
        `${name} caught with ${[...new Set(types)].join(', ')}, none of ${expect.anomalies.join(', ')}`,
      );
    }
  }
  process.stdout.write(`${campaign.name}: caught ${caught} of ${expect.violates.length}\n`);
  // Exit code: 1 when some checker is violated; 0 when every verdict is valid; 2 when some is unknown.
  const verdicts = results.checks.map((c) => c.valid);
  assert.equal(run.exitCode, verdicts.includes(false) ? 1 : verdicts.includes('unknown') ? 2 : 0, output);
  passed = true;
  return { caught, of: expect.violates.length };
}
