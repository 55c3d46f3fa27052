// Packet faults' behaviours as router conditions, and grudges as the router's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionsForPacketFault, grudgeFromRecord } from './networkFaults.ts';

test("netem's behaviours become conditions: percentages as probabilities, jitter as a distribution", () => {
  assert.deepEqual(
    conditionsForPacketFault({ delay: { ms: 50, jitterMs: 10 }, loss: { percent: 20 }, duplicate: { percent: 5 } }),
    {
      conditions: {
        latency: { distribution: 'normal', meanMs: 50, sdMs: 10 },
        loss: 0.2,
        duplicate: 0.05,
        reorder: 0,
        reorderDelayMs: 50,
      },
      notApplied: [],
    },
  );
  assert.deepEqual(
    conditionsForPacketFault({ delay: { ms: 20, jitterMs: 30, distribution: 'uniform' } }).conditions.latency,
    {
      distribution: 'uniform',
      minMs: 0,
      maxMs: 50,
    },
  );
  assert.deepEqual(conditionsForPacketFault({ delay: { ms: 5 } }).conditions.latency, {
    distribution: 'constant',
    ms: 5,
  });
  const reorderOnly = conditionsForPacketFault({ reorder: { percent: 30 } }).conditions;
  assert.equal(reorderOnly.reorder, 0.3);
  assert.equal(reorderOnly.reorderDelayMs, 50);
});

test('what the router cannot do is said, not silently dropped', () => {
  const { notApplied } = conditionsForPacketFault({
    delay: { ms: 50, jitterMs: 10, correlation: 25, distribution: 'pareto' },
    corrupt: { percent: 20 },
    rate: { kbit: 1000 },
    loss: { percent: 20, correlation: 75 },
  });
  assert.deepEqual(notApplied, [
    'delay distribution pareto is drawn as normal',
    'corrupt (messages are JSON lines: not done)',
    'rate (not done)',
    'correlation of delay, loss (each message drawn alone)',
  ]);
});

test('a grudge record becomes the router grudge, empty lists left out', () => {
  assert.deepEqual(
    grudgeFromRecord({ n1: ['n2', 'n3'], n2: [], n3: ['n1'] }),
    new Map([
      ['n1', new Set(['n2', 'n3'])],
      ['n3', new Set(['n1'])],
    ]),
  );
});
