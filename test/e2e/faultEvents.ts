// What several end-to-end runs with fixed fault schedules check: each fault started and stopped, in order, none
// with an error.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readHistoryJsonl } from '../../harness/history/jsonl.ts';

/** The run's nemesis events are start-<kind> then stop-<kind> for each kind in turn, with no error. */
export function assertFaultsStartedAndStopped(runDir: string, kinds: readonly string[]): void {
  const events = readHistoryJsonl(join(runDir, 'history.jsonl')).ops.filter((o) => o.process === 'nemesis');
  assert.deepEqual(
    events.map((e) => [e.f, e.error ?? null]),
    kinds.flatMap((k) => [
      [`start-${k}`, null],
      [`stop-${k}`, null],
    ]),
  );
}
