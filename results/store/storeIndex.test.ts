import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { RunResults } from '../runResults.ts';
import { knownBadChecks, knownBadHistory, sampleResults, writeSampleRun } from '../testing/sampleRuns.ts';
import { buildReportData } from '../report/reportData.ts';
import { fallbackFaultColor } from '../report/faultStyle.ts';
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

test('failed and interrupted runs are shown as such, and a run that observed nothing as unknown, never valid', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-store-harness-'));
  try {
    const passing = knownBadChecks().slice(1, 2);
    const harness = (status: string) => ({ harness: { status, errors: [`workload: ${status}`], softErrors: [] } });
    const runs: [string, Partial<RunResults>][] = [
      ['20261201T100000.000', harness('failed')],
      ['20261201T110000.000', harness('interrupted')],
      ['20261201T120000.000', { verdict: { valid: 'unknown', reason: 'the history is empty: nothing was checked' } }],
      ['20261201T130000.000', { ...harness('passed'), verdict: { valid: true } }],
    ];
    for (const [timestamp, overrides] of runs) {
      const startedAt = `${timestamp.slice(0, 4)}-${timestamp.slice(4, 6)}-${timestamp.slice(6, 8)}T${timestamp.slice(9, 11)}:00:00.000Z`;
      writeSampleRun(join(dir, 'c', timestamp), history, sampleResults(history, passing, { ...overrides, startedAt }));
    }
    const scanned = scanStore(dir);
    assert.deepEqual(scanned.map(runVerdict), ['valid', 'unknown', 'interrupted', 'failed']);
    assert.match(scanned[1]?.problem ?? '', /nothing was checked/);
    const page = readFileSync(await writeStoreIndex(dir), 'utf8');
    assert.match(page, /data-verdict="failed"/);
    assert.match(page, /data-verdict="interrupted"/);
    assert.match(page, /<option>failed<\/option>/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("each run's faults are listed in the colour its report gives the kind", async () => {
  const page = readFileSync(await writeStoreIndex(store), 'utf8');
  const reportColor = buildReportData(history, []).faults[0]?.color;
  assert.ok(reportColor !== undefined);
  const chip = /<span class="fault" data-fault="partition"><svg[^>]*><rect[^>]* fill="([^"]+)"/.exec(page);
  assert.equal(chip?.[1], reportColor);
});

test("a run's fault chips take the colours its results.json recorded; a run from before them, the palette's", async () => {
  const own = mkdtempSync(join(tmpdir(), 'faultline-store-colors-'));
  try {
    const base = sampleResults(history, knownBadChecks());
    writeSampleRun(join(own, 'recorded', '20261201T100000.000'), history, {
      ...base,
      faults: { ...base.faults, colors: { partition: '#123456' } },
    });
    const { colors: _dropped, ...older } = base.faults;
    writeSampleRun(join(own, 'older', '20261201T110000.000'), history, { ...base, faults: older });
    const page = readFileSync(await writeStoreIndex(own), 'utf8');
    const chips = [...page.matchAll(/<tr[^>]*data-path="([^"]+)"[\s\S]*?data-fault="partition"><svg[^>]*><rect[^>]* fill="([^"]+)"/g)];
    const byPath = new Map(chips.map((m) => [m[1], m[2]]));
    assert.equal(byPath.get('recorded/20261201T100000.000'), '#123456');
    assert.equal(byPath.get('older/20261201T110000.000'), fallbackFaultColor('partition'));
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});
