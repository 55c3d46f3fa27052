// Packet faults on real containers, proven by traffic. Without netem (this machine's kernel): loss through
// the iptables statistic fallback drops about the asked share of datagrams to the target, and only to it;
// rate through tbf slows a bulk transfer to the target; heal restores both. The netem test measures added
// delay and skips, with the reason printed, on a kernel without netem.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DockerCluster } from '../../../harness/nodes/cluster.ts';
import { probeKernelFeatures } from '../../../harness/nodes/features.ts';
import type { Remote } from '../../../harness/nodes/remote.ts';
import { faultAvailability, kernelFeaturesFromProbe, type KernelFeatures } from '../../../nemesis/faultAvailability.ts';
import { applyPacketFault, healPacketFault } from '../../../nemesis/faults/packet.ts';
import { dockerSkip, nemesisCluster, scriptDir, startEchoServers } from './nemesisCluster.ts';

const skip = dockerSkip('nemesis packet e2e');
const udpPort = 7431;
const bulkPort = 7432;
const echoPort = 7433;

const bulkScripts: Record<string, string> = {
  // argv: port. Reads everything, then closes its side.
  'bulk-sink.js': `require('net').createServer((s) => { s.on('data', () => {}); s.on('end', () => s.end()); s.on('error', () => {}); }).listen(Number(process.argv[2]), '0.0.0.0');`,
  // argv: host port bytes. Prints the ms from connect until the sink closed after reading everything.
  'bulk-send.js': `const c = require('net').connect(Number(process.argv[3]), process.argv[2]); let t0; c.on('connect', () => { t0 = Date.now(); c.end(Buffer.alloc(Number(process.argv[4]), 120)); }); c.on('data', () => {}); c.on('close', () => console.log(Date.now() - t0)); c.on('error', (e) => { console.error(e.message); process.exit(1); });`,
  // argv: host port count. Median ms of count round trips on one connection.
  'rtt.js': `const c = require('net').connect(Number(process.argv[3]), process.argv[2]); const n = Number(process.argv[4]); const rtts = []; let t; const go = () => { t = Date.now(); c.write('p'); }; c.on('connect', go); c.on('data', () => { rtts.push(Date.now() - t); if (rtts.length >= n) { rtts.sort((a, b) => a - b); console.log(rtts[Math.floor(n / 2)]); process.exit(0); } go(); });`,
};

async function received(node: Remote): Promise<number> {
  const r = await node.exec(['sh', '-c', 'cat /tmp/udp.log 2>/dev/null | wc -l']);
  return Number(r.stdout.trim());
}

async function sendUdp(from: Remote, to: Remote, count: number): Promise<number> {
  await to.exec(['rm', '-f', '/tmp/udp.log']);
  await from.exec(['node', `${scriptDir}/udp-send.js`, to.address, String(udpPort), String(count)], {
    timeoutMs: 30_000,
  });
  await new Promise((r) => setTimeout(r, 300));
  return received(to);
}

async function bulkMs(from: Remote, to: Remote, bytes: number): Promise<number> {
  const r = await from.exec(['node', `${scriptDir}/bulk-send.js`, to.address, String(bulkPort), String(bytes)], {
    timeoutMs: 60_000,
  });
  assert.equal(r.exitCode, 0, r.stderr);
  return Number(r.stdout.trim());
}

describe('packet faults on containers', { skip }, () => {
  let cluster: DockerCluster;
  let features: KernelFeatures;
  before(async () => {
    cluster = await nemesisCluster('pkt');
    features = kernelFeaturesFromProbe(await probeKernelFeatures(cluster.nodes[0]!));
    for (const n of cluster.nodes) {
      for (const [name, body] of Object.entries(bulkScripts)) await n.writeFile(`${scriptDir}/${name}`, body);
      await n.startDaemon({
        name: 'fl-nem-udp',
        argv: ['node', `${scriptDir}/udp-sink.js`, String(udpPort), '/tmp/udp.log'],
      });
      await n.startDaemon({ name: 'fl-nem-bulk', argv: ['node', `${scriptDir}/bulk-sink.js`, String(bulkPort)] });
    }
    await startEchoServers(cluster.nodes, echoPort);
  });
  after(async () => {
    await cluster?.destroy();
  });

  test('loss (netem, or the iptables statistic fallback) drops about the asked share, only to the target', async () => {
    const [n1, n2, n3] = cluster.nodes as readonly Remote[] as [Remote, Remote, Remote];
    const loss = faultAvailability(features, ['loss'])[0]!;
    assert.ok(loss.available, `loss should be available here: ${loss.reason ?? ''}`);
    process.stdout.write(`loss via ${loss.via ?? '?'}\n`);
    const plan = await applyPacketFault(cluster.nodes, ['n2'], { loss: { percent: 50 } }, features);
    try {
      assert.deepEqual(plan.applied, ['loss']);
      const got = await sendUdp(n1, n2, 200);
      assert.ok(got >= 50 && got <= 150, `50% loss: ${got} of 200 datagrams arrived`);
      assert.equal(await sendUdp(n3, n1, 50), 50, 'traffic between non-target nodes is not touched');
    } finally {
      await healPacketFault(cluster.nodes);
    }
    assert.equal(await sendUdp(n1, n2, 50), 50, 'no loss after heal');
  });

  test('rate (netem, or tbf) slows a bulk transfer to the target; heal restores the speed', async () => {
    const [n1, n2] = cluster.nodes as readonly Remote[] as [Remote, Remote, Remote];
    const bytes = 150_000;
    const fast = await bulkMs(n1, n2, bytes);
    // 800 kbit/s = 100 kB/s: 150 kB take about 1.5 s.
    const plan = await applyPacketFault(cluster.nodes, ['n2'], { rate: { kbit: 800 } }, features);
    let slow: number;
    try {
      assert.deepEqual(plan.applied, ['rate']);
      slow = await bulkMs(n1, n2, bytes);
    } finally {
      await healPacketFault(cluster.nodes);
    }
    assert.ok(slow >= 1000, `150 kB at 800 kbit/s took only ${slow} ms (unshaped: ${fast} ms)`);
    const healed = await bulkMs(n1, n2, bytes);
    assert.ok(healed < slow / 2, `after heal: ${healed} ms (shaped: ${slow} ms)`);
    const qdiscs = await n1.exec(['tc', 'qdisc', 'show']);
    assert.doesNotMatch(qdiscs.stdout, /fa1:/, 'no faultline qdisc left');
  });

  test('behaviours without netem or a fallback are reported unavailable, with the reason, and nothing is applied for them', async () => {
    const plan = await applyPacketFault(
      cluster.nodes,
      ['n2'],
      { duplicate: { percent: 10 }, corrupt: { percent: 10 } },
      features,
    );
    await healPacketFault(cluster.nodes);
    if (features.netem) {
      assert.deepEqual(plan.unavailable, []);
      return;
    }
    assert.deepEqual(plan.applied, []);
    assert.deepEqual(plan.unavailable.map((u) => u.fault).sort(), ['corrupt', 'duplicate']);
    for (const u of plan.unavailable) assert.match(u.reason ?? '', /netem/);
  });

  test('delay with netem adds the asked latency to the target', async (t) => {
    if (!features.netem) {
      const why = faultAvailability(features, ['delay'])[0]?.reason ?? 'netem unavailable';
      process.stdout.write(`skipping the netem delay test: ${why}\n`);
      t.skip(why);
      return;
    }
    const [n1, n2] = cluster.nodes as readonly Remote[] as [Remote, Remote, Remote];
    const rtt = async () =>
      Number((await n1.exec(['node', `${scriptDir}/rtt.js`, n2.address, String(echoPort), '9'])).stdout.trim());
    const before = await rtt();
    await applyPacketFault(cluster.nodes, ['n2'], { delay: { ms: 200 } }, features);
    let delayed: number;
    try {
      delayed = await rtt();
    } finally {
      await healPacketFault(cluster.nodes);
    }
    assert.ok(delayed >= 180, `delay 200 ms: round trip ${delayed} ms (before: ${before} ms)`);
  });
});
