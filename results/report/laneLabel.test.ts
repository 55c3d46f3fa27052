import assert from 'node:assert/strict';
import { test } from 'node:test';
import { laneLabel } from './laneLabel.ts';

test('a lane is named by the process in view, and its place among the lane’s processes, never cut short', () => {
  assert.equal(laneLabel([3], 3), 'p3');
  assert.equal(laneLabel([3], undefined), 'p3');
  assert.equal(laneLabel([0, 10, 12], 10), 'p10 (2/3)');
  // with no op in view, the lane's last process
  assert.equal(laneLabel([0, 10, 12], undefined), 'p12 (3/3)');
  assert.equal(laneLabel([], undefined), '');
  assert.doesNotMatch(laneLabel([0, 10, 12], 0), /…/);
});
