import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScriptedRemote } from '../testing/scriptedRemote.ts';
import { kernelWithoutNetem } from '../testing/kernels.ts';
import { runNemesisSchedule } from '../nemesisRunner.ts';
import type { PlannedFault, ScheduledEvent } from '../schedule.ts';
import { healAll } from '../healAll.ts';
import { clientPartitionFault } from './clientPartition.ts';
import { faultCampaignSchema, planFromCampaign } from './registry.ts';
import { durationMs } from './campaignParts.ts';

const controller = '172.18.0.1';

function cluster(): ScriptedRemote[] {
  // `iptables -C` answers "no such rule", so the jump is inserted; `-F` of our chain answers "there".
  return ['n1', 'n2', 'n3'].map(
    (n, i) => new ScriptedRemote(n, `172.18.0.${i + 2}`, (argv) => (argv[2] === '-C' ? { exitCode: 1 } : {})),
  );
}

test("the targets drop the controller's address in their own chain, the other nodes are untouched, and stop heals exactly them", async () => {
  const remotes = cluster();
  const ops: { f: string; value: unknown }[] = [];
  const fault: PlannedFault = { kind: 'client-partition', targets: { nodes: ['n2'] } };
  const schedule: ScheduledEvent[] = [
    { atMs: 0, action: 'start', id: 0, fault },
    { atMs: 5, action: 'stop', id: 0, fault },
  ];
  const summary = await runNemesisSchedule({
    schedule,
    remotes,
    recorder: { record: (o) => ops.push({ f: o.f, value: o.value }) },
    features: kernelWithoutNetem,
    controllerAddress: controller,
  });
  assert.deepEqual(summary.errors, []);
  const [n1, n2, n3] = remotes;
  assert.deepEqual(n2!.callsOf('iptables', '-w', '-A', 'FAULTLINE-CLIENTS'), [
    ['iptables', '-w', '-A', 'FAULTLINE-CLIENTS', '-s', controller, '-j', 'DROP'],
  ]);
  assert.equal(n2!.callsOf('iptables', '-w', '-I', 'INPUT', '1', '-j', 'FAULTLINE-CLIENTS').length, 1);
  assert.ok(n2!.callsOf('iptables', '-w', '-X', 'FAULTLINE-CLIENTS').length >= 1, 'stop removed the chain');
  // A node-to-node partition's chain is never touched by a client partition, nor the other nodes.
  assert.equal(n2!.callsOf('iptables', '-w', '-A', 'FAULTLINE').length, 0);
  for (const other of [n1!, n3!]) assert.equal(other.callsOf('iptables', '-w', '-A', 'FAULTLINE-CLIENTS').length, 0);
  const start = ops.find((o) => o.f === 'start-client-partition')!.value as Record<string, unknown>;
  assert.deepEqual(start.nodes, ['n2']);
  assert.equal(start.controller, controller);
  assert.equal(start.label, 'clients cut off from n2');
  assert.ok(ops.some((o) => o.f === 'stop-client-partition'));
});

test('without the controller address the start fails, recorded, instead of cutting nothing and saying it did', async () => {
  const remotes = cluster();
  const fault: PlannedFault = { kind: 'client-partition', targets: { nodes: ['n1'] } };
  const summary = await runNemesisSchedule({
    schedule: [
      { atMs: 0, action: 'start', id: 0, fault },
      { atMs: 1, action: 'stop', id: 0, fault },
    ],
    remotes,
    recorder: { record: () => undefined },
    features: kernelWithoutNetem,
  });
  assert.match(summary.errors.map((e) => e.message).join(), /controller's address/);
  assert.equal(remotes[0]!.callsOf('iptables', '-w', '-A', 'FAULTLINE-CLIENTS').length, 0);
});

test('heal removes a client partition a crashed run left; ssh hosts cannot have one', async () => {
  const remotes = cluster();
  const reports = await healAll(remotes);
  assert.ok(remotes.every((r) => r.callsOf('iptables', '-w', '-F', 'FAULTLINE-CLIENTS').length === 1));
  assert.ok(reports.every((r) => r.errors.length === 0));
  assert.equal(clientPartitionFault.mechanism('client-partition', kernelWithoutNetem, 'ssh').available, false);
  assert.equal(clientPartitionFault.mechanism('client-partition', kernelWithoutNetem, 'docker').available, true);
  const plan = planFromCampaign(
    faultCampaignSchema.parse({ kind: 'client-partition', targets: ['primary'] }),
    durationMs,
  );
  assert.deepEqual(plan, { kind: 'client-partition', targets: ['primary'] });
});
