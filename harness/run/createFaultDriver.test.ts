import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faultCampaignSchema } from '../../nemesis/faults/registry.ts';
import { faultAvailability } from '../../nemesis/faultAvailability.ts';
import { kernelWithoutNetem } from '../../nemesis/testing/kernels.ts';
import { usableHere } from './createFaultDriver.ts';

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
