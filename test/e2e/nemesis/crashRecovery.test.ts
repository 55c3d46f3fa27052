// The harness is SIGKILLed mid-fault (partition, pause, clock bump all active); the faults outlive it on the
// nodes. healAll on the run's nodes found again by run id (what `faultline clean` and the next run do)
// removes every one of them, shown by traffic, process state and the faketime offset.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { attachDockerCluster, type DockerCluster } from '../../../harness/nodes/cluster.ts';
import { defaultClockFile } from '../../../nemesis/faults/clock.ts';
import { healAll, healedCleanly } from '../../../nemesis/healAll.ts';
import { dockerSkip, hostReaches, nemesisCluster, startEchoServers, tcpReaches } from './nemesisCluster.ts';

const skip = dockerSkip('nemesis crash recovery e2e');
const port = 7421;
const cli = fileURLToPath(new URL('../../../bin/faultline.js', import.meta.url));

function runCrashingHarness(runId: string): Promise<{ kill: () => Promise<void> }> {
  const script = fileURLToPath(new URL('./crashingHarness.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, runId], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the crashing harness did not apply its faults in time: ${err}`));
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => {
      if (!d.toString().includes('faulted')) return;
      clearTimeout(timer);
      resolve({
        kill: () =>
          new Promise<void>((done) => {
            child.once('exit', () => {
              done();
            });
            child.kill('SIGKILL');
          }),
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the crashing harness exited ${code}: ${err}`));
    });
  });
}

describe('healing after a crashed harness', { skip }, () => {
  let cluster: DockerCluster;
  before(async () => {
    cluster = await nemesisCluster('crash');
    await startEchoServers(cluster.nodes, port);
  });
  after(async () => {
    await cluster?.destroy();
  });

  test('faults left by a SIGKILLed harness are all removed by `faultline clean --heal`', async () => {
    const [n1, n2, n3] = cluster.nodes as [
      DockerCluster['nodes'][number],
      DockerCluster['nodes'][number],
      DockerCluster['nodes'][number],
    ];
    const harness = await runCrashingHarness(cluster.runId);
    await harness.kill();

    // The faults outlived the harness.
    assert.equal(await tcpReaches(n1, n2, port), false, 'the partition is still there after the crash');
    assert.equal(await hostReaches(n3.address, port, 800), false, 'the paused process is still stopped');
    assert.equal((await n1.readFile(defaultClockFile)).toString().trim(), '+45');

    const clean = spawnSync(process.execPath, [cli, 'clean', '--heal', '--run', cluster.runId], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.equal(clean.status, 0, clean.stderr);
    const healed = new Map(
      [...clean.stdout.matchAll(/^(n\d): healed (.+)$/gm)].map((m) => [m[1], m[2]!.split(', ').sort()] as const),
    );
    assert.deepEqual(healed.get('n1'), ['clock', 'partition']);
    assert.deepEqual(healed.get('n2'), ['partition']);
    assert.deepEqual(healed.get('n3'), ['partition', 'pause']);

    assert.ok(await tcpReaches(n1, n2, port), 'traffic flows again');
    assert.ok(await tcpReaches(n2, n3, port), 'traffic flows again');
    assert.ok(await hostReaches(n3.address, port), 'the paused process answers again');
    assert.equal((await n1.readFile(defaultClockFile)).toString().trim(), '+0');
    for (const n of cluster.nodes) {
      assert.doesNotMatch((await n.exec(['iptables', '-w', '-S'])).stdout, /FAULTLINE/, `rules left on ${n.name}`);
    }
    // Healing again finds nothing and fails nothing.
    const found = await attachDockerCluster(cluster.runId);
    assert.ok(found !== undefined, 'clean --heal keeps the nodes');
    const again = await healAll(found.nodes);
    assert.ok(healedCleanly(again));
    assert.ok(again.every((r) => r.healed.length === 0));
  });
});
