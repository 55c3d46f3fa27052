import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KernelFeatures } from '../faultAvailability.ts';
import { ScriptedRemote } from '../testing/scriptedRemote.ts';
import {
  applyPacketFault,
  hasFaultlineRoot,
  healPacketFault,
  linkNames,
  lossRules,
  netemArgs,
  packetDestinations,
  planPacketFault,
  routeDevice,
  tcShapeCommands,
} from './packet.ts';
import { kernelWithoutNetem } from '../testing/kernels.ts';

const thisKernel = kernelWithoutNetem;
const withNetem: KernelFeatures = { ...thisKernel, netem: true };

describe('packet faults', () => {
  test('destinations: traffic to targets is shaped everywhere; a target shapes its traffic to all others', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 9 }), fc.array(fc.nat(8)), (n, picks) => {
        const nodes = Array.from({ length: n }, (_, i) => `n${i + 1}`);
        const targets = [...new Set(picks.filter((p) => p < n).map((p) => nodes[p]!))];
        const d = packetDestinations(nodes, targets);
        for (const node of nodes) {
          assert.ok(!d[node]!.includes(node), 'a node never shapes traffic to itself');
          if (targets.includes(node)) assert.equal(d[node]!.length, n - 1);
          else
            assert.deepEqual(
              d[node],
              nodes.filter((x) => targets.includes(x)),
            );
        }
      }),
    );
  });

  test('netem arguments follow tc-netem(8), reorder brings a default delay', () => {
    assert.deepEqual(netemArgs({ delay: { ms: 50, jitterMs: 10, correlation: 25, distribution: 'normal' } }), [
      'delay',
      '50ms',
      '10ms',
      '25%',
      'distribution',
      'normal',
    ]);
    assert.deepEqual(netemArgs({ loss: { percent: 20, correlation: 75 }, rate: { kbit: 1000 } }), [
      'loss',
      '20%',
      '75%',
      'rate',
      '1000kbit',
    ]);
    assert.deepEqual(netemArgs({ reorder: { percent: 5 } }).slice(0, 2), ['delay', '50ms']);
  });

  test('on a kernel without netem, loss falls back to iptables statistic, rate to tbf, the rest is unavailable with a reason', () => {
    const plan = planPacketFault(
      { loss: { percent: 30 }, rate: { kbit: 500 }, delay: { ms: 10 }, corrupt: { percent: 1 } },
      thisKernel,
    );
    assert.deepEqual(plan.applied.sort(), ['loss', 'rate']);
    assert.equal(plan.fallbackLossPercent, 30);
    assert.deepEqual(plan.leaf?.slice(0, 3), ['tbf', 'rate', '500kbit']);
    assert.deepEqual(plan.unavailable.map((u) => u.fault).sort(), ['corrupt', 'delay']);
    for (const u of plan.unavailable) assert.match(u.reason ?? '', /netem/);
  });

  test('with netem everything goes into one netem leaf and nothing falls back', () => {
    const plan = planPacketFault({ loss: { percent: 30 }, delay: { ms: 10 } }, withNetem);
    assert.equal(plan.fallbackLossPercent, undefined);
    assert.deepEqual(plan.leaf, ['netem', 'delay', '10ms', 'loss', '30%']);
    assert.deepEqual(plan.unavailable, []);
  });

  test("tc commands use faultline's own handle and one u32 filter per destination", () => {
    const cmds = tcShapeCommands('eth0', ['10.0.0.2', '10.0.0.3'], ['tbf', 'rate', '1kbit']);
    assert.deepEqual(cmds[0], ['tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'handle', 'fa1:', 'htb', 'default', '1']);
    assert.equal(cmds.filter((c) => c.includes('u32')).length, 2);
    assert.ok(cmds.some((c) => c.includes('10.0.0.3/32')));
    assert.deepEqual(lossRules(['10.0.0.2'], 20)[0], [
      '-d',
      '10.0.0.2',
      '-m',
      'statistic',
      '--mode',
      'random',
      '--probability',
      '0.2000',
      '-j',
      'DROP',
    ]);
  });

  test('parsers for ip route, ip link and tc qdisc output', () => {
    assert.equal(routeDevice('10.213.0.3 dev eth0 src 10.213.0.2 uid 0 \\    cache '), 'eth0');
    assert.deepEqual(linkNames('1: lo: <LOOPBACK,UP> mtu 65536\n42: eth0@if43: <BROADCAST> mtu 1500\n'), [
      'lo',
      'eth0',
    ]);
    assert.ok(hasFaultlineRoot('qdisc htb fa1: root refcnt 3 r2q 10 default 0x1\nqdisc tbf fa2: parent fa1:2'));
    assert.ok(!hasFaultlineRoot('qdisc noqueue 0: root refcnt 2'));
  });

  test('apply on this kernel: loss rules on OUTPUT for the peers only, tbf for rate, never for the node itself', async () => {
    const answer = (argv: readonly string[]) =>
      argv[0] === 'ip' && argv[2] === 'route'
        ? { stdout: `${argv[4]} dev eth0 src x` }
        : argv.includes('-C')
          ? { exitCode: 1 }
          : {};
    const [a, b, c] = [
      new ScriptedRemote('n1', '10.0.0.1', answer),
      new ScriptedRemote('n2', '10.0.0.2', answer),
      new ScriptedRemote('n3', '10.0.0.3', answer),
    ];
    const plan = await applyPacketFault([a, b, c], ['n1'], { loss: { percent: 50 }, rate: { kbit: 100 } }, thisKernel);
    assert.deepEqual(plan.unavailable, []);
    const lossOnA = a.callsOf('iptables', '-w', '-A', 'FAULTLINE-LOSS').map((x) => x[5]);
    assert.deepEqual(lossOnA, ['10.0.0.2', '10.0.0.3']);
    assert.deepEqual(
      b.callsOf('iptables', '-w', '-A', 'FAULTLINE-LOSS').map((x) => x[5]),
      ['10.0.0.1'],
    );
    assert.ok(b.callsOf('iptables', '-w', '-I', 'OUTPUT', '1', '-j', 'FAULTLINE-LOSS').length === 1);
    assert.ok(c.calls.some((x) => x.includes('tbf')));
    for (const r of [a, b, c])
      for (const call of r.calls) assert.ok(!call.includes(`${r.address}/32`), 'shaped traffic to itself');
  });

  test("heal deletes only a root qdisc that carries faultline's handle", async () => {
    const ours = new ScriptedRemote('n1', '10.0.0.1', (argv) =>
      argv[0] === 'ip'
        ? { stdout: '1: lo: <>\n2: eth0@if3: <>\n' }
        : argv[1] === 'qdisc' && argv[4] === 'eth0'
          ? { stdout: 'qdisc htb fa1: root refcnt 2' }
          : argv[0] === 'iptables'
            ? { exitCode: 1 }
            : {},
    );
    const theirs = new ScriptedRemote('n2', '10.0.0.2', (argv) =>
      argv[0] === 'ip'
        ? { stdout: '2: eth0@if3: <>\n' }
        : argv[1] === 'qdisc'
          ? { stdout: 'qdisc htb 1: root refcnt 2' }
          : argv[0] === 'iptables'
            ? { exitCode: 1 }
            : {},
    );
    await healPacketFault([ours, theirs]);
    assert.deepEqual(ours.callsOf('tc', 'qdisc', 'del'), [['tc', 'qdisc', 'del', 'dev', 'eth0', 'root']]);
    assert.deepEqual(theirs.callsOf('tc', 'qdisc', 'del'), []);
  });
});
