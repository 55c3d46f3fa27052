// The report's verdict is the analysis': a run that checked or observed nothing is never shown as valid, and
// the profile shows verdicts settled by the model hierarchy as such.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { CheckResult } from '../../checkers/result.ts';
import { knownBadHistory, sampleResults, writeSampleRun } from '../testing/sampleRuns.ts';
import { writeRunReport } from './writeRunReport.ts';

const root = mkdtempSync(join(tmpdir(), 'faultline-report-verdict-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

const check = (checker: string, valid: CheckResult['valid'], reason?: string): CheckResult => ({
  checker,
  model: checker,
  valid,
  anomalies: [],
  ...(reason !== undefined && { reason }),
  stats: { ops: 8, timeMs: 1 },
});

test('a run whose analysis observed nothing is shown unknown, with the reason, although its checks passed', async () => {
  const history = knownBadHistory();
  const results = sampleResults(history, [check('linearizable', true)], {
    verdict: {
      valid: 'unknown',
      reason: 'no operation completed ok (8 indeterminate, 0 failed): nothing was observed',
    },
  });
  const page = readFileSync(await writeRunReport(writeSampleRun(join(root, 'nothing'), history, results)), 'utf8');
  const header = /<header class="top">([\s\S]*?)<\/header>/.exec(page)?.[1] ?? '';
  assert.match(header, /verdict-unknown/);
  assert.doesNotMatch(header, /verdict-valid/);
  assert.match(
    page,
    /Unknown: no operation completed ok \(8 indeterminate, 0 failed\): nothing was observed\. This is not a pass\./,
  );
});

test('the profile settles what the hierarchy decides, marks it, and names a contradiction', async () => {
  const history = knownBadHistory();
  const checks = [
    check('linearizable', true),
    check('sequential', 'unknown', 'budget ran out'),
    check('causal-cm', false),
  ];
  const page = readFileSync(
    await writeRunReport(writeSampleRun(join(root, 'settled'), history, sampleResults(history, checks))),
    'utf8',
  );
  assert.match(page, /<tr data-checker="sequential" class="row-valid">[\s\S]*?implied by linearizable/);
  assert.match(
    page,
    /Checker contradiction \(a bug in a checker\): sequential holds but causal-cm is reported violated/,
  );
});
