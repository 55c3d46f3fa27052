// Partitions on real containers, proven by traffic: a partitioned pair cannot exchange TCP (even on a
// connection established before, and even with an ACCEPT ESTABLISHED rule in INPUT, jepsen#102), the
// controller still reaches the isolated node, heal restores everything, and a one-way grudge drops one
// direction only (UDP, since TCP needs both directions for any exchange).
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { DockerCluster } from '../../../harness/nodes/cluster.ts';
import { applyGrudge, healPartition } from '../../../nemesis/faults/partition.ts';
import { explicitGrudge } from '../../../nemesis/grudge.ts';
import { isolateNode } from '../../../nemesis/topologies.ts';
import {
  dockerSkip,
  eventually,
  hostReaches,
  nemesisCluster,
  scriptDir,
  startEchoServers,
  tcpReaches,
} from './nemesisCluster.ts';

const skip = dockerSkip('nemesis partition e2e');
const port = 7401;

describe('partitions on containers', { skip }, () => {
  let cluster: DockerCluster;
  before(async () => {
    cluster = await nemesisCluster('part');
    await startEchoServers(cluster.nodes, port);
  });
  after(async () => {
    await cluster?.destroy();
  });

  test('an isolated node exchanges no TCP with its peers, the controller still reaches it, heal restores all', async () => {
    const [n1, n2, n3] = cluster.nodes as [
      DockerCluster['nodes'][number],
      DockerCluster['nodes'][number],
      DockerCluster['nodes'][number],
    ];
    const names = cluster.nodes.map((n) => n.name);
    assert.ok(await tcpReaches(n1, n2, port), 'n1 -> n2 before the partition');
    // A stateful rule that would let an established flow bypass a DROP appended after it (jepsen#102).
    await n2.exec([
      'iptables',
      '-w',
      '-A',
      'INPUT',
      '-m',
      'conntrack',
      '--ctstate',
      'ESTABLISHED,RELATED',
      '-j',
      'ACCEPT',
    ]);
    // A connection from this host opened before the partition, and one from n3 to n2 kept open.
    const established = connect(port, n2.address);
    await new Promise<void>((resolve) =>
      established.once('connect', () => {
        resolve();
      }),
    );

    await applyGrudge(cluster.nodes, isolateNode(names, 'n2'));
    try {
      assert.equal(await tcpReaches(n1, n2, port), false, 'n1 -> n2 during the partition');
      assert.equal(await tcpReaches(n2, n3, port), false, 'n2 -> n3 during the partition');
      assert.ok(await tcpReaches(n1, n3, port), 'n1 -> n3 is not part of the partition');
      assert.ok(await hostReaches(n2.address, port), "the controller's path to the isolated node is untouched");
      const echoed = await new Promise<boolean>((resolve) => {
        established.once('data', () => {
          resolve(true);
        });
        established.write('ping');
        setTimeout(() => {
          resolve(false);
        }, 1000);
      });
      assert.ok(echoed, 'an established connection from the controller keeps working');
    } finally {
      established.destroy();
      await healPartition(cluster.nodes);
    }
    assert.ok(await tcpReaches(n1, n2, port), 'n1 -> n2 after heal');
    assert.ok(await tcpReaches(n2, n3, port), 'n2 -> n3 after heal');
    const rules = await n2.exec(['iptables', '-w', '-S']);
    assert.doesNotMatch(rules.stdout, /FAULTLINE/, 'no faultline rule or chain left');
    assert.match(rules.stdout, /ESTABLISHED/, 'other rules are left alone');
    await n2.exec([
      'iptables',
      '-w',
      '-D',
      'INPUT',
      '-m',
      'conntrack',
      '--ctstate',
      'ESTABLISHED,RELATED',
      '-j',
      'ACCEPT',
    ]);
  });

  test('a connection established between nodes before the partition is cut too', async () => {
    const [n1, n2] = cluster.nodes as [DockerCluster['nodes'][number], DockerCluster['nodes'][number]];
    // n1 holds a connection to n2 open and pings over it every 100 ms, logging each echo.
    const client = `const c = require('net').connect(${port}, process.argv[2]); c.on('data', () => console.log(Date.now())); setInterval(() => c.write('p'), 100); c.on('error', () => {});`;
    await n1.writeFile(`${scriptDir}/hold.js`, client);
    await n1.startDaemon({
      name: 'fl-nem-hold',
      argv: ['node', `${scriptDir}/hold.js`, n2.address],
      logFile: '/tmp/hold.log',
    });
    const lines = async () => (await n1.exec(['wc', '-l', '/tmp/hold.log'])).stdout.trim().split(' ')[0] ?? '0';
    await eventually('echoes on the held connection', async () => (Number(await lines()) > 3 ? true : undefined));
    await applyGrudge(
      cluster.nodes,
      isolateNode(
        cluster.nodes.map((n) => n.name),
        'n2',
      ),
    );
    try {
      await new Promise((r) => setTimeout(r, 500));
      const before = Number(await lines());
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(
        Number(await lines()),
        before,
        'echoes kept arriving on an established connection during the partition',
      );
    } finally {
      await healPartition(cluster.nodes);
    }
    const healedAt = Number(await lines());
    await eventually(
      'echoes again after heal (TCP retransmits)',
      async () => (Number(await lines()) > healedAt ? true : undefined),
      20_000,
    );
    await n1.signalDaemon('fl-nem-hold', 'SIGKILL');
  });

  test('a one-way grudge drops one direction only', async () => {
    const [n1, n2] = cluster.nodes as [DockerCluster['nodes'][number], DockerCluster['nodes'][number]];
    const udpPort = 7402;
    for (const n of [n1, n2]) {
      await n.exec(['rm', '-f', '/tmp/udp.log']);
      await n.startDaemon({
        name: 'fl-nem-udp',
        argv: ['node', `${scriptDir}/udp-sink.js`, String(udpPort), '/tmp/udp.log'],
      });
    }
    await new Promise((r) => setTimeout(r, 500));
    // n1 drops what n2 sends; n2 still hears n1.
    await applyGrudge(
      cluster.nodes,
      explicitGrudge(
        cluster.nodes.map((n) => n.name),
        { n1: ['n2'] },
      ),
    );
    const received = async (n: typeof n1) => {
      const r = await n.exec(['sh', '-c', 'cat /tmp/udp.log 2>/dev/null | wc -l']);
      return Number(r.stdout.trim());
    };
    try {
      await Promise.all([
        n1.exec(['node', `${scriptDir}/udp-send.js`, n2.address, String(udpPort), '20']),
        n2.exec(['node', `${scriptDir}/udp-send.js`, n1.address, String(udpPort), '20']),
      ]);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await received(n1), 0, 'n1 received datagrams from n2 despite its grudge');
      assert.equal(await received(n2), 20, 'n2 should hear everything n1 sent');
    } finally {
      await healPartition(cluster.nodes);
    }
    await n2.exec(['node', `${scriptDir}/udp-send.js`, n1.address, String(udpPort), '5']);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await received(n1), 5, 'after heal n1 hears n2 again');
  });
});
