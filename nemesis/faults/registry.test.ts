import { test } from 'node:test';
import assert from 'node:assert/strict';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { faultAvailability, faultNames } from '../faultAvailability.ts';
import { kernelWithoutNetem } from '../testing/kernels.ts';
import { clockLabel } from './clock.ts';
import { nodeListLabel } from './faultPackage.ts';
import { behaviorsLabel } from './packet.ts';
import { grudgeLabel } from './partition.ts';
import { drawFault, faultCampaignSchema, faultColors, faultKinds, faultPackage, planFromCampaign } from './registry.ts';
import { durationMs } from './campaignParts.ts';
import { completeGrudge } from '../grudge.ts';
import { partitionMajoritiesRing } from '../topologies.ts';

const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];

test('every package: its own kind, one distinct colour, and the names availability answers for', () => {
  const colors = Object.values(faultColors());
  assert.equal(new Set(colors).size, faultKinds.length, 'one colour per kind');
  for (const kind of faultKinds) {
    const p = faultPackage(kind);
    assert.equal(p.kind, kind);
    assert.match(p.color, /^#[0-9a-f]{6}$/);
    for (const name of p.names) assert.ok(faultNames.includes(name), `${name} is an availability name`);
  }
  const answered = faultAvailability(kernelWithoutNetem, [...faultNames]);
  assert.equal(answered.length, faultNames.length);
  assert.ok(answered.every((a) => (a.available ? (a.via ?? '') !== '' : (a.reason ?? '') !== '')));
});

test('every kind parses from a bare campaign entry, has no problems on 5 nodes, and draws the same fault per seed', () => {
  for (const kind of faultKinds) {
    const spec = faultCampaignSchema.parse({ kind });
    const plan = planFromCampaign(spec, durationMs);
    assert.equal(plan.kind, kind);
    assert.deepEqual(faultPackage(kind).problems(plan, nodes), []);
    const a = drawFault(plan, nodes, xoroshiro128plus(7), 1000);
    const b = drawFault(plan, nodes, xoroshiro128plus(7), 1000);
    assert.deepEqual(a, b);
    assert.equal(a.kind, kind);
  }
});

test('the campaign accepts an explicit one-way grudge and rejects a misspelt topology, naming the choices', () => {
  const spec = faultCampaignSchema.parse({ kind: 'partition', topologies: [{ grudge: { n1: ['n2'] } }] });
  const plan = planFromCampaign(spec, durationMs);
  const fault = drawFault(plan, nodes, xoroshiro128plus(1), 1000);
  assert.deepEqual(fault.kind === 'partition' && fault.grudge, { n1: ['n2'], n2: [], n3: [], n4: [], n5: [] });
  const bad = faultCampaignSchema.safeParse({ kind: 'partition', topologies: ['halfs'] });
  assert.equal(bad.success, false);
  assert.match(bad.error?.issues[0]?.message ?? '', /"halves"/);
  const unknownNode = faultPackage('partition').problems(
    planFromCampaign(
      faultCampaignSchema.parse({ kind: 'partition', topologies: [{ grudge: { n9: ['n1'] } }] }),
      durationMs,
    ),
    nodes,
  );
  assert.match(unknownNode.join('\n'), /n9/);
});

test('labels in words', () => {
  assert.equal(nodeListLabel(['n3', 'n2', 'n4', 'n5'], nodes), 'n2-n5');
  assert.equal(nodeListLabel(['n1', 'n3'], nodes), 'n1, n3');
  assert.equal(grudgeLabel(completeGrudge(nodes, [['n1'], ['n2', 'n3', 'n4', 'n5']]), nodes), 'n1 cut off from n2-n5');
  assert.equal(
    grudgeLabel(
      completeGrudge(nodes, [
        ['n4', 'n5'],
        ['n1', 'n2', 'n3'],
      ]),
      nodes,
    ),
    'n4, n5 cut off from n1-n3',
  );
  assert.equal(grudgeLabel({ n1: ['n2'], n2: [], n3: [], n4: [], n5: [] }, nodes), 'n1 drops n2');
  assert.match(grudgeLabel(partitionMajoritiesRing(nodes), nodes), /^n1 drops .*; n2 drops/);
  assert.equal(behaviorsLabel({ loss: { percent: 50 } }), '50 % loss');
  assert.equal(
    behaviorsLabel({ delay: { ms: 50, jitterMs: 10 }, rate: { kbit: 1000 } }),
    '50 ms delay ±10 ms, 1000 kbit/s',
  );
  assert.equal(clockLabel({ kind: 'bump', offsetMs: 1500 }), 'clock +1.5 s');
  assert.equal(clockLabel({ kind: 'bump', offsetMs: -200 }), 'clock -200 ms');
  assert.equal(clockLabel({ kind: 'drift', rate: 1.5 }), 'clock drift ×1.5');
});
