import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { ScriptedRemote } from '../testing/scriptedRemote.ts';
import { partitionRandomHalves } from '../topologies.ts';
import { applyGrudge, partitionRules } from './partition.ts';

const controller = '10.0.0.254';

test('each node drops exactly the addresses of the nodes it holds a grudge against, never the controller', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 2, max: 7 }), fc.integer(), async (n, seed) => {
      const remotes = Array.from(
        { length: n },
        (_, i) =>
          new ScriptedRemote(`n${i + 1}`, `10.0.0.${i + 1}`, (argv) => (argv[2] === '-C' ? { exitCode: 1 } : {})),
      );
      const grudge = partitionRandomHalves(
        remotes.map((r) => r.name),
        xoroshiro128plus(seed),
      );
      await applyGrudge(remotes, grudge);
      for (const r of remotes) {
        const added = r.callsOf('iptables', '-w', '-A', 'FAULTLINE');
        const dropped = added.flatMap((c) => c[5]?.split(',') ?? []);
        assert.deepEqual(dropped.sort(), (grudge[r.name] ?? []).map((p) => `10.0.0.${p.slice(1)}`).sort());
        assert.ok(r.calls.every((c) => !c.join(' ').includes(controller)));
        // The jump goes first in INPUT, so no earlier ACCEPT rule can let a flow past the partition.
        assert.equal(r.callsOf('iptables', '-w', '-I', 'INPUT', '1', '-j', 'FAULTLINE').length, 1);
      }
    }),
  );
});

test("the controller's address is dropped only when asked", async () => {
  const [a, b] = [new ScriptedRemote('n1', '10.0.0.1'), new ScriptedRemote('n2', '10.0.0.2')];
  await applyGrudge([a, b], { n1: [], n2: ['n1'] }, { extraDrops: { n2: [controller] } });
  assert.deepEqual(b.callsOf('iptables', '-w', '-A', 'FAULTLINE'), [
    ['iptables', '-w', '-A', 'FAULTLINE', '-s', `10.0.0.1,${controller}`, '-j', 'DROP'],
  ]);
  assert.deepEqual(a.callsOf('iptables', '-w', '-A', 'FAULTLINE'), []);
  assert.deepEqual(partitionRules([]), []);
});
