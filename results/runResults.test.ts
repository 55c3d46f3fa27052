import assert from 'node:assert/strict';
import { test } from 'node:test';
import { knownBadChecks, knownBadHistory, sampleResults } from './testing/sampleRuns.ts';
import { parseRunResults, RunResultsError } from './runResults.ts';

test('parseRunResults accepts a results file and keeps anomaly details', () => {
  const results = sampleResults(knownBadHistory(), knownBadChecks());
  const parsed = parseRunResults(JSON.stringify(results));
  assert.deepEqual(parsed, results);
});

test('a malformed results file names each bad field', () => {
  const bad = { ...sampleResults(knownBadHistory(), knownBadChecks()), seed: 'x' } as Record<string, unknown>;
  delete bad.system;
  (bad.checks as { valid: unknown }[])[0]!.valid = 'maybe';
  assert.throws(
    () => parseRunResults(JSON.stringify(bad), 'store/c/t/results.json'),
    (e: unknown) => {
      assert.ok(e instanceof RunResultsError);
      assert.match(e.message, /^store\/c\/t\/results\.json: not a valid results file/);
      assert.match(e.message, /at system/);
      assert.match(e.message, /at seed/);
      assert.match(e.message, /at checks\[0\]\.valid/);
      return true;
    },
  );
});

test('text that is not JSON is reported as such', () => {
  assert.throws(() => parseRunResults('{"campaign":'), /results\.json: not valid JSON/);
});
