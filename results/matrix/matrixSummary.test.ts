import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Verdict } from '../../checkers/result.ts';
import {
  matrixOutcome,
  summarizeMatrix,
  type MatrixCampaign,
  type MatrixExpectation,
  type MatrixRun,
} from './matrixSummary.ts';

const checkerPool = ['linearizable', 'sequential', 'causal-cc', 'session'] as const;
const anomalyPool = ['nonlinearizable', 'G2-item', 'stale-read'] as const;
const faultPool = ['partition', 'kill', 'pause', 'clock'] as const;

const verdict = fc.constantFrom<Verdict[]>(true, false, 'unknown');

const expectation: fc.Arbitrary<MatrixExpectation> = fc
  .record({
    roles: fc.array(fc.constantFrom('holds', 'violates', 'none'), {
      minLength: checkerPool.length,
      maxLength: checkerPool.length,
    }),
    anomalies: fc.option(fc.subarray([...anomalyPool], { minLength: 1 }), { nil: undefined }),
    minOk: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  })
  .map(({ roles, anomalies, minOk }) => ({
    holds: checkerPool.filter((_, i) => roles[i] === 'holds'),
    violates: checkerPool.filter((_, i) => roles[i] === 'violates'),
    anomalies,
    minOk,
  }));

function runArb(campaign: string, index: number): fc.Arbitrary<MatrixRun> {
  return fc
    .record({
      status: fc.constantFrom('passed', 'passed', 'passed', 'failed', 'interrupted'),
      ok: fc.integer({ min: 0, max: 200 }),
      faults: fc.subarray([...faultPool]),
      checks: fc.array(
        fc.record({
          present: fc.boolean(),
          valid: verdict,
          anomalyTypes: fc.subarray([...anomalyPool]),
        }),
        { minLength: checkerPool.length, maxLength: checkerPool.length },
      ),
      wallMs: fc.integer({ min: 1, max: 100_000 }),
    })
    .map(({ status, ok, faults, checks, wallMs }) => ({
      campaign,
      index,
      seed: index,
      runDir: `${campaign}/run-${index}`,
      runId: `${campaign}-run-${index}`,
      status,
      exitCode: 0,
      durationMs: wallMs,
      wallMs,
      opCounts: { ok, fail: 0, info: 0 },
      faults,
      checks: checks.flatMap((c, i) =>
        c.present
          ? [
              {
                checker: checkerPool[i]!,
                model: checkerPool[i]!,
                valid: c.valid,
                anomalyTypes: c.valid === false ? c.anomalyTypes : [],
              },
            ]
          : [],
      ),
      hasReport: true,
    }));
}

const matrixArb = fc
  .array(fc.record({ expect: fc.option(expectation, { nil: undefined }), runs: fc.integer({ min: 0, max: 5 }) }), {
    minLength: 1,
    maxLength: 4,
  })
  .chain((specs) => {
    const campaigns: MatrixCampaign[] = specs.map((s, i) => ({
      name: `c${i}`,
      file: `c${i}.yaml`,
      checkers: [...checkerPool],
      expect: s.expect,
      runsPlanned: s.runs,
    }));
    const runs = specs.map((s, i) => fc.tuple(...Array.from({ length: s.runs }, (_, k) => runArb(`c${i}`, k + 1))));
    return fc.tuple(fc.constant(campaigns), fc.tuple(...runs), fc.boolean());
  })
  .map(([campaigns, runs, requireCatch]) => ({ campaigns, runs: runs.flat(), requireCatch }));

function caughtIn(run: MatrixRun, checker: string, expect: MatrixExpectation | undefined): boolean {
  const check = run.checks.find((c) => c.checker === checker);
  if (check?.valid !== false) return false;
  const wanted = expect?.anomalies;
  return wanted === undefined || check.anomalyTypes.some((t) => wanted.includes(t));
}

test('every run is counted once per checker, and unknown or a missing verdict is never counted as valid', () => {
  fc.assert(
    fc.property(matrixArb, ({ campaigns, runs, requireCatch }) => {
      const summary = summarizeMatrix(campaigns, runs, { requireCatch });
      for (const row of summary.rows) {
        const campaign = campaigns.find((c) => c.name === row.name)!;
        const own = runs.filter((r) => r.campaign === row.name);
        assert.equal(row.runs.length, own.length);
        for (const cell of row.cells) {
          assert.equal(cell.valid + cell.violated + cell.unknown + cell.missing + cell.thin, own.length);
          const reallyValid = own.filter((r) => {
            const c = r.checks.find((x) => x.checker === cell.checker);
            const minOk = campaign.expect?.minOk;
            return c?.valid === true && (minOk === undefined || r.opCounts.ok >= minOk);
          }).length;
          assert.equal(cell.valid, reallyValid);
          assert.equal(cell.caught, own.filter((r) => caughtIn(r, cell.checker, campaign.expect)).length);
          for (const f of cell.byFault) {
            const withFault = own.filter((r) => r.faults.includes(f.fault));
            assert.equal(f.runs, withFault.length);
            assert.equal(f.caught, withFault.filter((r) => caughtIn(r, cell.checker, campaign.expect)).length);
            assert.ok(f.valid + f.violated + f.unknown <= f.runs);
          }
        }
      }
    }),
  );
});

test('a claim is met only when every run reported it valid; a weakness when some run caught it', () => {
  fc.assert(
    fc.property(matrixArb, ({ campaigns, runs, requireCatch }) => {
      const summary = summarizeMatrix(campaigns, runs, { requireCatch });
      for (const row of summary.rows) {
        const campaign = campaigns.find((c) => c.name === row.name)!;
        const own = runs.filter((r) => r.campaign === row.name);
        for (const cell of row.cells) {
          if (campaign.expect === undefined) {
            assert.equal(cell.role, 'shown');
            assert.equal(cell.outcome, undefined);
            continue;
          }
          if (cell.role === 'holds') {
            const allValid =
              own.length > 0 &&
              own.every((r) => {
                const c = r.checks.find((x) => x.checker === cell.checker);
                return c?.valid === true && r.opCounts.ok >= (campaign.expect?.minOk ?? 0);
              });
            assert.equal(cell.outcome === 'met', allValid, cell.summary);
            const anyViolated = own.some((r) => r.checks.find((x) => x.checker === cell.checker)?.valid === false);
            if (!allValid) assert.equal(cell.outcome, anyViolated ? 'contradicted' : 'not-shown');
            assert.match(cell.summary, new RegExp(`^valid in ${cell.valid} of ${own.length} run`));
          }
          if (cell.role === 'violates') {
            assert.equal(cell.outcome === 'met', cell.caught > 0);
            assert.match(cell.summary, new RegExp(` caught in ${cell.caught} of ${own.length} run`));
          }
        }
        if (campaign.expect === undefined || own.length === 0) assert.equal(row.met, undefined);
        else
          assert.equal(
            row.met,
            row.cells.every((c) => c.outcome === undefined || c.outcome === 'met'),
          );
      }
    }),
  );
});

test('the matrix is met when every claim held, and every weakness was caught only if --require-catch asks', () => {
  fc.assert(
    fc.property(matrixArb, ({ campaigns, runs, requireCatch }) => {
      const summary = summarizeMatrix(campaigns, runs, { requireCatch });
      const cells = summary.rows.filter((r) => r.runs.length > 0).flatMap((r) => r.cells);
      const counted = cells.filter((c) => c.role === 'holds' || (requireCatch && c.role === 'violates'));
      const outcome = matrixOutcome(summary);
      assert.equal(
        outcome === 'met',
        counted.every((c) => c.outcome === 'met'),
      );
      assert.equal(
        outcome === 'contradicted',
        counted.some((c) => c.outcome === 'contradicted'),
      );
      // Campaigns without an expectation never count.
      const withoutExpect = summary.rows.filter((r) => r.expect === undefined).map((r) => r.name);
      assert.ok(summary.unmet.every((u) => !withoutExpect.includes(u.campaign)));
    }),
  );
});

test('a weakness caught with another anomaly type than expected is reported apart, not as caught', () => {
  const campaign: MatrixCampaign = {
    name: 'pg-rr',
    file: 'pg-rr.yaml',
    checkers: ['serializable'],
    expect: { holds: [], violates: ['serializable'], anomalies: ['G2-item'] },
    runsPlanned: 2,
  };
  const run = (index: number, types: string[]): MatrixRun => ({
    campaign: 'pg-rr',
    index,
    seed: index,
    runDir: `pg-rr/r${index}`,
    runId: `pg-rr-r${index}`,
    status: 'passed',
    exitCode: 1,
    durationMs: 1000,
    wallMs: 1200,
    opCounts: { ok: 10, fail: 0, info: 0 },
    faults: ['partition'],
    checks: [{ checker: 'serializable', model: 'serializability', valid: false, anomalyTypes: types }],
    hasReport: true,
  });
  const summary = summarizeMatrix([campaign], [run(1, ['G2-item', 'G2-item']), run(2, ['G-single'])], {
    requireCatch: true,
  });
  const cell = summary.rows[0]!.cells[0]!;
  assert.equal(cell.caught, 1);
  assert.equal(cell.outcome, 'met');
  assert.equal(
    cell.summary,
    'G2-item caught in 1 of 2 runs, violated without G2-item in 1; seen: G-single ×1, G2-item ×1',
  );
  assert.deepEqual(cell.byFault, [{ fault: 'partition', runs: 2, valid: 0, violated: 2, unknown: 0, caught: 1 }]);
});
