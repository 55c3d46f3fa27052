// Clock and process faults on real containers, proven by what a process observes: a server started under
// the faketime environment reports a skewed Date.now() after a bump, oscillates under strobe, runs fast
// under drift, and is back on time after reset, while the container's (the host's) clock never moves; a
// killed node's process is gone and restarts; a paused one does not answer, and answers after resume.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NodeContext, NodeInfo } from '../../../harness/plugin.ts';
import type { DockerCluster } from '../../../harness/nodes/cluster.ts';
import type { Remote } from '../../../harness/nodes/remote.ts';
import { applyClockFault, clockEnv, resetClock } from '../../../nemesis/faults/clock.ts';
import { killNodes, pauseNodes, processHooksFor, restartNodes, resumeNodes } from '../../../nemesis/faults/process.ts';
import {
  dockerSkip,
  echoDaemonSystem,
  eventually,
  hostRead,
  hostReaches,
  nemesisCluster,
  scriptDir,
} from './nemesisCluster.ts';

const skip = dockerSkip('nemesis clock/process e2e');
const timePort = 7411;
const echoPort = 7412;

const echoSystem = echoDaemonSystem(echoPort);

async function skewOf(node: Remote): Promise<number> {
  const before = Date.now();
  const reported = Number(await hostRead(node.address, timePort));
  const afterRead = Date.now();
  // The container shares this host's clock, so the real time at the server is within [before, afterRead].
  return reported - (before + afterRead) / 2;
}

describe('clock and process faults on containers', { skip }, () => {
  let cluster: DockerCluster;
  let infos: NodeInfo[];
  const ctxFor = (name: string): NodeContext => ({
    node: cluster.nodes.find((n) => n.name === name)!,
    nodes: infos,
    options: {},
    clockEnv: clockEnv(),
    dataDir: '/tmp',
    log: () => undefined,
  });
  before(async () => {
    cluster = await nemesisCluster('clock', 2);
    infos = cluster.nodes.map((n) => ({ name: n.name, address: n.address }));
  });
  after(async () => {
    await cluster?.destroy();
  });

  test('a process under the faketime env sees bump, strobe, drift and reset; the real clock never moves', async () => {
    const n1 = cluster.nodes[0]!;
    await resetClock(n1);
    await n1.writeFile('/var/run/faultline/faketime', '+0\n');
    await n1.startDaemon({
      name: 'fl-nem-time',
      argv: ['node', `${scriptDir}/time.js`, String(timePort)],
      env: clockEnv(),
    });
    await eventually(
      'the time server',
      async () => (await hostRead(n1.address, timePort).catch(() => undefined)) || undefined,
    );
    assert.ok(Math.abs(await skewOf(n1)) < 1000, 'no skew before the fault');

    await applyClockFault(n1, { kind: 'bump', offsetMs: 30_000 });
    const bumped = await skewOf(n1);
    assert.ok(Math.abs(bumped - 30_000) < 1000, `expected +30 s, saw ${bumped} ms`);
    await applyClockFault(n1, { kind: 'bump', offsetMs: -600_000 });
    const back = await skewOf(n1);
    assert.ok(Math.abs(back + 600_000) < 1000, `expected -10 min, saw ${back} ms`);
    const containerClock = Number((await n1.exec(['date', '+%s%3N'])).stdout.trim());
    assert.ok(Math.abs(containerClock - Date.now()) < 2000, "the container's own clock (the host's) was not touched");

    await applyClockFault(n1, { kind: 'strobe', deltaMs: 20_000, periodMs: 150, durationMs: 5000 });
    const seen = new Set<string>();
    for (let i = 0; i < 20 && seen.size < 2; i++) {
      const s = await skewOf(n1);
      seen.add(Math.abs(s - 20_000) < 1000 ? 'delta' : Math.abs(s) < 1000 ? 'zero' : `other ${s}`);
      await new Promise((r) => setTimeout(r, 70));
    }
    assert.deepEqual([...seen].sort(), ['delta', 'zero'], 'strobe flips between 0 and delta');

    await applyClockFault(n1, { kind: 'drift', rate: 3 });
    await new Promise((r) => setTimeout(r, 1500));
    const drifted = await skewOf(n1);
    assert.ok(drifted > 2000 && drifted < 4500, `rate 3 for ~1.5 s should gain ~3 s, saw ${drifted} ms`);

    await resetClock(n1);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(Math.abs(await skewOf(n1)) < 1000, 'reset brings the process back to real time');
    await n1.signalDaemon('fl-nem-time', 'SIGKILL');
  });

  test('kill -9 through the hooks: the process is gone, then restarts and answers', async () => {
    const hooks = processHooksFor(echoSystem, ctxFor, infos);
    const n2 = cluster.nodes[1]!;
    await hooks.start('n2');
    await eventually('echo up', async () => ((await hostReaches(n2.address, echoPort)) ? true : undefined));
    const pidBefore = (await n2.exec(['cat', '/var/run/faultline/fl-nem-sys.pid'])).stdout.trim();

    await killNodes(hooks, ['n2']);
    // SIGKILL is delivered at once, but the process lingers until the container's init reaps it.
    await eventually('the killed process to be gone', async () =>
      (await n2.exec(['kill', '-0', pidBefore])).exitCode !== 0 ? true : undefined,
    );
    assert.equal(await hostReaches(n2.address, echoPort, 800), false, 'nothing answers after kill');

    await restartNodes(hooks, ['n2'], { readyTimeoutMs: 15_000 });
    assert.ok(await hostReaches(n2.address, echoPort), 'answers after restart');
    const pidAfter = (await n2.exec(['cat', '/var/run/faultline/fl-nem-sys.pid'])).stdout.trim();
    assert.notEqual(pidAfter, pidBefore, 'a new process');
  });

  test('pause: the process does not answer while stopped and answers after resume', async () => {
    const hooks = processHooksFor(echoSystem, ctxFor, infos);
    const n2 = cluster.nodes[1]!;
    await hooks.start('n2');
    await eventually('echo up', async () => ((await hostReaches(n2.address, echoPort)) ? true : undefined));

    await pauseNodes(hooks, cluster.nodes, ['n2']);
    try {
      assert.equal(await hostReaches(n2.address, echoPort, 1000), false, 'a paused process answered');
      const pid = (await n2.exec(['cat', '/var/run/faultline/fl-nem-sys.pid'])).stdout.trim();
      const state = (await n2.exec(['ps', '-o', 'stat=', '-p', pid])).stdout.trim();
      assert.match(state, /^T/, 'the process is in state T (stopped)');
      const noted = (await n2.exec(['cat', '/var/run/faultline/paused-pids'])).stdout;
      assert.ok(noted.split('\n').includes(pid), 'the stopped pid is noted on the node for heal after a crash');
    } finally {
      await resumeNodes(hooks, cluster.nodes, ['n2']);
    }
    assert.ok(await hostReaches(n2.address, echoPort), 'answers after resume');
  });
});
