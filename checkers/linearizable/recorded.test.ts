// Regression tests from real runs: the tutorial's examples/tutorial-kv/campaign-kill-primary.yaml on the local
// backend (seeds 1, 2 and 5), 25-35 % of whose ops are indeterminate. Before the indeterminate writes were
// settled up front, `faultline check` on the violated one searched for minutes to draw the report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pairOperations } from '../history.ts';
import type { HistoryOp, Operation } from '../history.ts';
import { createModel } from '../models/registry.ts';
import { checkLinearizable } from './index.ts';
import { partitionHistory } from './partition.ts';
import { checkPartition } from './wgl.ts';

function recorded(name: string): Operation[] {
  const text = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
  const events = text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as HistoryOp);
  return pairOperations(events);
}

const runs = [
  { file: 'kill-primary-seed1.jsonl', valid: true },
  // The killed primary restarted empty: op 17 read 1 after write 1 was acknowledged, and op 382 read nil later.
  { file: 'kill-primary-seed2.jsonl', valid: false, failedOp: 382 },
  { file: 'kill-primary-seed5.jsonl', valid: true },
] as const;

for (const run of runs) {
  test(`recorded kill-primary run ${run.file}: ${run.valid ? 'linearizable' : `violated at op ${run.failedOp}`}`, async () => {
    const ops = recorded(run.file);
    const info = ops.filter((o) => o.status === 'info' && o.f === 'write').length;
    assert.ok(info > 0, 'the fixture has indeterminate writes');
    const r = await checkLinearizable(ops);
    assert.equal(r.model, 'linearizability (register)');
    assert.equal(r.valid, run.valid);
    // None of these runs' indeterminate writes was ever read: every one is dropped.
    assert.equal(r.stats.indeterminateDropped, info);
    if (run.valid) return;
    const anomaly = r.anomalies[0]!;
    const detail = anomaly.detail as { failedOp: number };
    // One op, in one numbering, everywhere: the anomaly's ops and indices, its detail, and its words.
    assert.equal(detail.failedOp, run.failedOp);
    assert.equal(anomaly.ops[0], run.failedOp);
    const failed = ops.find((o) => o.id === run.failedOp)!;
    assert.deepEqual(anomaly.indices?.slice(0, 2), [failed.invokeIndex, failed.completeIndex]);
    assert.match(anomaly.explanation, new RegExp(`^op ${run.failedOp} \\(`));
    assert.match(anomaly.explanation, new RegExp(`read by op ${run.failedOp}\\b`));
    // Seconds from the first op, never raw nanoseconds or history indices.
    assert.doesNotMatch(anomaly.explanation, /\d{7,}|index/);
    assert.match(anomaly.explanation, /\d+\.\d{3}(-\d+\.\d{3})? s/);
  });

  test(`recorded kill-primary run ${run.file}: the search alone, after settling, gives the zones' verdict`, () => {
    const model = createModel({ name: 'register' });
    const ops = recorded(run.file);
    for (const p of partitionHistory(model, ops)) {
      const outcome = checkPartition(model, p.ops);
      assert.equal(outcome.valid, run.valid);
    }
  });
}
