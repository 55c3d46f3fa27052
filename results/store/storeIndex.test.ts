import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { knownBadChecks, knownBadHistory, sampleResults, writeSampleRun } from '../testing/sampleRuns.ts';
import { runTime, runVerdict, scanStore, writeStoreIndex } from './storeIndex.ts';

const store = mkdtempSync(join(tmpdir(), 'faultline-store-'));
after(() => { rmSync(store, { recursive: true, force: true }); });

const history = knownBadHistory();
writeSampleRun(join(store, 'register', '20261123T200000.000'), history, sampleResults(history, knownBadChecks()));
writeSampleRun(
  join(store, 'register', '20261124T090000.000'),
  history,
  sampleResults(history, knownBadChecks().slice(1, 2), { startedAt: '2026-11-24T09:00:00.000Z', campaign: '<b>register</b>' }),
);
writeSampleRun(join(store, 'crashed', '20261122T100000.000'), history, null);
mkdirSync(join(store, 'register', 'not-a-run'), { recursive: true });
symlinkSync(join(store, 'register', '20261124T090000.000'), join(store, 'register', 'latest'));
writeFileSync(join(store, 'README'), 'not a campaign');

test('scanStore lists every run newest first, skipping symlinks and folders that are not runs', () => {
  const runs = scanStore(store);
  assert.deepEqual(
    runs.map((r) => r.path),
    ['register/20261124T090000.000', 'register/20261123T200000.000', 'crashed/20261122T100000.000'],
  );
  assert.deepEqual(runs.map(runVerdict), ['valid', 'violated', 'incomplete']);
  assert.match(runs[2]?.problem ?? '', /no results\.json/);
  assert.equal(runTime(runs[2]!), Date.parse('2026-11-22T10:00:00.000Z'));
});

test('the index links each run and escapes what it shows', async () => {
  const page = readFileSync(await writeStoreIndex(store), 'utf8');
  assert.match(page, /href="register\/20261123T200000\.000\/"/);
  assert.match(page, /&lt;b&gt;register&lt;\/b&gt;/);
  assert.ok(!page.includes('<b>register</b>'));
  assert.match(page, /✗ linearizable/);
  assert.match(page, /data-verdict="incomplete"/);
  assert.match(page, /Content-Security-Policy/);
});

test('an empty or missing store gives an index that says so', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'faultline-store-empty-'));
  try {
    assert.match(readFileSync(await writeStoreIndex(empty), 'utf8'), /No runs yet/);
    assert.deepEqual(scanStore(join(empty, 'missing')), []);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
