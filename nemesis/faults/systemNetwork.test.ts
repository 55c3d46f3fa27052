// A system that is its own network (SystemNetworkFaults) takes partitions and packet faults itself: nothing
// runs on the nodes, availability says so on any kernel, and what its network does not do is named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Value } from '../../checkers/history.ts';
import { faultAvailability } from '../faultAvailability.ts';
import { kernelWithoutNetem } from '../testing/kernels.ts';
import { ScriptedRemote } from '../testing/scriptedRemote.ts';
import { noKernelFeatures, type FaultContext, type SystemNetworkFaults } from './faultPackage.ts';
import { packetFault } from './packet.ts';
import { partitionFault } from './partition.ts';

const noKernel = noKernelFeatures;

type Call = ['partition', Value] | ['shape', string[], Value] | ['heal'];

function recordingNetwork(packetBehaviors: string[]): { network: SystemNetworkFaults; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    network: {
      packetBehaviors,
      partition: (grudge) => {
        calls.push(['partition', JSON.parse(JSON.stringify(grudge)) as Value]);
        return Promise.resolve();
      },
      shape: (targets, behaviors) => {
        calls.push(['shape', [...targets], behaviors]);
        return Promise.resolve(targets.length > 0 ? ['correlation of loss (each message drawn alone)'] : []);
      },
      heal: () => {
        calls.push(['heal']);
        return Promise.resolve();
      },
    },
  };
}

function contextWith(network: SystemNetworkFaults): { ctx: FaultContext; remotes: ScriptedRemote[] } {
  const remotes = ['n1', 'n2', 'n3'].map((n, i) => new ScriptedRemote(n, `10.0.0.${i + 1}`));
  const ctx: FaultContext = {
    remotes,
    names: remotes.map((r) => r.name),
    features: noKernel,
    hooks: () => {
      throw new Error('no hooks in this test');
    },
    resolve: (targets) => Promise.resolve('nodes' in targets ? targets.nodes : ['n1']),
    clock: { mode: 'faketime' },
    network,
  };
  return { ctx, remotes };
}

test('partitions and the behaviours the network does are available with no iptables or tc; the others named', () => {
  const { network } = recordingNetwork(['delay', 'loss']);
  const names = ['partition', 'loss', 'delay', 'corrupt', 'rate'];
  assert.deepEqual(
    faultAvailability(noKernel, names).map((a) => a.available),
    [false, false, false, false, false],
  );
  assert.deepEqual(
    faultAvailability(kernelWithoutNetem, names, { network }).map((a) => [a.fault, a.available, a.via ?? a.reason]),
    [
      ['partition', true, "the system's own network"],
      ['loss', true, "the system's own network"],
      ['delay', true, "the system's own network"],
      ['corrupt', false, "the system's own network does not do corrupt (it does delay, loss)"],
      ['rate', false, "the system's own network does not do rate (it does delay, loss)"],
    ],
  );
});

test('a partition is applied and healed on the system network, never on the nodes', async () => {
  const { network, calls } = recordingNetwork([]);
  const { ctx, remotes } = contextWith(network);
  const fault = {
    kind: 'partition' as const,
    topology: 'one' as const,
    grudge: { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] },
  };
  const prepared = await partitionFault.prepare(ctx, fault);
  assert.equal(prepared.label, 'n1 cut off from n2, n3');
  await prepared.apply();
  assert.deepEqual(calls, [['partition', { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] }]]);
  assert.deepEqual(await partitionFault.stop(ctx, fault, prepared.nodes), { healed: ['n1', 'n2', 'n3'] });
  assert.deepEqual(calls.at(-1), ['partition', {}]);
  for (const r of remotes) assert.deepEqual(r.calls, [], `nothing ran on ${r.name}`);
});

test('a packet fault shapes what the network does, names what it does not, and records what it approximated', async () => {
  const { network, calls } = recordingNetwork(['loss', 'delay']);
  const { ctx, remotes } = contextWith(network);
  const fault = {
    kind: 'packet' as const,
    targets: { nodes: ['n2'] },
    behaviors: { loss: { percent: 20, correlation: 75 }, corrupt: { percent: 5 } },
  };
  const prepared = await packetFault.prepare(ctx, fault);
  assert.equal(prepared.nothingToApply, undefined);
  assert.deepEqual(prepared.detail['applied'], ['loss']);
  assert.match(prepared.label, /corrupt unavailable/);
  await prepared.apply();
  assert.deepEqual(calls, [['shape', ['n2'], { loss: { percent: 20, correlation: 75 } }]]);
  const stopped = await packetFault.stop(ctx, fault, prepared.nodes);
  assert.deepEqual(calls.at(-1), ['shape', [], {}]);
  assert.deepEqual(stopped, { nodes: ['n2'], approximated: ['correlation of loss (each message drawn alone)'] });
  for (const r of remotes) assert.deepEqual(r.calls, [], `nothing ran on ${r.name}`);
  // Only what the network cannot do: nothing to apply, said by name.
  const none = await packetFault.prepare(ctx, { ...fault, behaviors: { corrupt: { percent: 5 } } });
  assert.match(none.nothingToApply ?? '', /corrupt: the system's own network does not do corrupt/);
});
