// PostgreSQL's real-systems rows end to end on a container: `faultline run examples/real/postgres-*.yaml`,
// judged by each campaign's own `expect:`. What holds every time is asserted (the `holds` checkers valid, enough
// ok txns, the exit code matching the verdicts, a caught violation showing one of the expected anomaly types);
// whether a violation was caught in this one run is a catch rate, printed as a figure, not asserted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCampaign } from '../../../harness/campaign/loadCampaign.ts';
import { dockerSkip } from '../dockerEngine.ts';
import { repoRoot, runCampaignCli } from './campaignRun.ts';

const skip = dockerSkip('postgres rows e2e');

for (const row of ['postgres-repeatable-read', 'postgres-serializable']) {
  test(`${row}: as PostgreSQL's documentation and Jepsen say`, { skip, timeout: 600_000 }, async (t) => {
    const file = `examples/real/${row}.yaml`;
    const { campaign } = loadCampaign(`${repoRoot}${file}`);
    const expect = campaign.expect!;
    const { run, cleanup } = await runCampaignCli({
      tempPrefix: `images-${row}-`,
      name: campaign.name,
      campaignFile: file,
    });
    t.after(cleanup);
    const { results, output } = run;
    assert.equal(results.harness.status, 'passed', output);
    assert.ok(results.opCounts.ok >= (expect.minOk ?? 1), `only ${results.opCounts.ok} ok txns\n${output}`);
    const check = (name: string) => results.checks.find((c) => c.checker === name);
    for (const name of expect.holds) {
      assert.equal(check(name)?.valid, true, `${name}: ${JSON.stringify(check(name)?.anomalies).slice(0, 1500)}`);
    }
    for (const name of expect.violates) {
      const c = check(name);
      assert.ok(c !== undefined, `${name} was checked`);
      if (c.valid === false) {
        const types = new Set(c.anomalies.map((a) => a.type));
        assert.ok(
          (expect.anomalies ?? []).some((a) => types.has(a)),
          `${name} caught with ${[...types].join(', ')}, none of ${(expect.anomalies ?? []).join(', ')}`,
        );
      }
      process.stdout.write(
        `# ${row}: ${name} ${c.valid === false ? 'caught' : `MISSED (${String(c.valid)})`} in 1 run; ` +
          `${results.opCounts.ok} ok / ${results.opCounts.fail} fail / ${results.opCounts.info} info txns; ` +
          `${(run.wallMs / 1000).toFixed(1)} s\n`,
      );
    }
    const verdicts = results.checks.map((c) => c.valid);
    const expectedExit = verdicts.includes(false) ? 1 : verdicts.includes('unknown') ? 2 : 0;
    assert.equal(run.exitCode, expectedExit, output);
  });
}
