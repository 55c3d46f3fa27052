import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faultCampaignSchema } from '../../nemesis/faults/registry.ts';
import { faultAvailability } from '../../nemesis/faultAvailability.ts';
import { kernelWithoutNetem } from '../../nemesis/testing/kernels.ts';
import { clockForSystem, fixedEntries, usableHere } from './createFaultDriver.ts';
import { controllerAddressFor } from './controllerAddress.ts';

const available = (name: string) => faultAvailability(kernelWithoutNetem, [name])[0]?.available === true;

test('on a kernel without netem a packet fault mixing loss with delay still runs (the loss); delay alone does not', () => {
  const mixed = faultCampaignSchema.parse({
    kind: 'packet',
    behaviors: [{ loss: { percent: 50 }, delay: { ms: 10 } }],
  });
  const delayOnly = faultCampaignSchema.parse({ kind: 'packet', behaviors: [{ delay: { ms: 10 } }] });
  assert.equal(usableHere(mixed, available), true);
  assert.equal(usableHere(delayOnly, available), false);
  assert.equal(usableHere(faultCampaignSchema.parse({ kind: 'partition' }), available), true);
  assert.equal(
    usableHere(faultCampaignSchema.parse({ kind: 'clock' }), () => false),
    false,
  );
});

test('fixed fault times point at the faults usable here; an entry whose fault is unavailable is left out, said so', () => {
  const partition = faultCampaignSchema.parse({ kind: 'partition' });
  const clock = faultCampaignSchema.parse({ kind: 'clock' });
  const kill = faultCampaignSchema.parse({ kind: 'kill' });
  const logs: string[] = [];
  const entries = fixedEntries(
    [
      { start: '1s', stop: '2s', fault: 2 },
      { start: '3s', stop: '4s', fault: 1 },
      { start: '5s', stop: '6s' },
    ],
    [partition, clock, kill],
    [partition, kill],
    (m) => logs.push(m),
  );
  assert.deepEqual(entries, [
    { startMs: 1000, stopMs: 2000, fault: 1 },
    { startMs: 5000, stopMs: 6000 },
  ]);
  assert.deepEqual(logs, ['nemesis.schedule.1 left out: its fault (clock) is unavailable here']);
  assert.equal(
    fixedEntries(undefined, [], [], () => undefined),
    undefined,
  );
});

test("the controller's address towards a node is the local address the route to it uses", async () => {
  assert.equal(await controllerAddressFor('127.0.0.1'), '127.0.0.1');
});

test("a clock fault on a system libfaketime cannot skew is unavailable with the system's reason, unless real clocks move", () => {
  const clock = { fault: 'clock' as const, available: true, via: 'libfaketime control file' };
  const goSystem = { name: 'etcd', clockSkewUnavailable: 'Go reads the time through the vDSO' };
  const skewed = clockForSystem(clock, goSystem, false);
  assert.equal(skewed.available, false);
  assert.match(skewed.reason ?? '', /^etcd: Go reads the time through the vDSO/);
  assert.deepEqual(clockForSystem(clock, goSystem, true), clock, 'realClock moves the host clock: it runs');
  assert.deepEqual(clockForSystem(clock, { name: 'raft-kv' }, false), clock);
  const noFaketime = { fault: 'clock' as const, available: false, reason: 'libfaketime is not installed' };
  assert.deepEqual(clockForSystem(noFaketime, goSystem, false), noFaketime, 'the first reason stays');
});
