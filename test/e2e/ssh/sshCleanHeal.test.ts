// `faultline clean --heal --run ID` for a run on ssh hosts (issue #6): a campaign with long faults of every
// kind that can outlive the harness (a partition, a rate limit (tc), a paused raft-kv, a faketime clock bump),
// its harness SIGKILLed while all are on. Shown from outside (docker exec, not the code under test): the
// partitioned peers cannot reach each other, the faults are in place; clean reads the hosts from the run
// directory, connects over ssh (known_hosts written beforehand, as `ssh-keyscan` would) and heals: the peers
// reach each other again, no faultline rule or qdisc is left, the process runs, the clock offset is 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parseHistoryJsonl } from '../../../harness/history/jsonl.ts';
import type { DockerRemote } from '../../../harness/nodes/docker.ts';
import { dockerSkip } from '../dockerEngine.ts';
import { sshCampaignText, startSshTestHosts, type SshTestHosts } from './sshTestHosts.ts';

const skip = dockerSkip('the ssh clean --heal e2e test');
const cli = fileURLToPath(new URL('../../../bin/faultline.js', import.meta.url));
const raftPort = '7100';

/** Whether `from` opens a TCP connection to `to`'s raft-kv port within 2 s (seen from inside the host). */
async function connects(from: DockerRemote, to: DockerRemote): Promise<boolean> {
  const r = await from.exec(['nc', '-z', '-w', '2', to.address, raftPort], { timeoutMs: 15_000 });
  return r.exitCode === 0;
}

interface StartedFaults {
  /** node -> the peers it drops. */
  grudge: Record<string, string[]>;
  paused: string[];
  clocked: string[];
}

/** The faults the run has started so far, once one of each kind has; throws on a fault that failed. */
async function startedFaults(historyPath: string): Promise<StartedFaults | undefined> {
  const text = await readFile(historyPath, 'utf8').catch(() => '');
  const starts = new Map(
    parseHistoryJsonl(text)
      .ops.filter((op) => op.process === 'nemesis' && op.f.startsWith('start-'))
      .map((op) => {
        if (op.error !== undefined) throw new Error(`${op.f} failed: ${op.error}`);
        return [op.f.slice('start-'.length), op.value as Record<string, unknown>] as const;
      }),
  );
  const [partition, pause, clock] = [starts.get('partition'), starts.get('pause'), starts.get('clock')];
  if (partition === undefined || pause === undefined || clock === undefined || !starts.has('packet')) return undefined;
  return {
    grudge: partition['grudge'] as Record<string, string[]>,
    paused: pause['nodes'] as string[],
    clocked: clock['nodes'] as string[],
  };
}

/** The nodes with a faultline qdisc (handle fa1:), seen from inside each host. */
async function nodesWithQdisc(nodes: readonly DockerRemote[]): Promise<string[]> {
  const shown = await Promise.all(nodes.map((n) => n.exec(['tc', 'qdisc', 'show'])));
  return nodes.filter((_, i) => / fa1: /.test(shown[i]!.stdout)).map((n) => n.name);
}

/** Whether every started fault is in force on the nodes: links cut, rate limited, processes stopped, clocks moved. */
async function inForce(
  faults: StartedFaults,
  byName: ReadonlyMap<string, DockerRemote>,
  nodes: readonly DockerRemote[],
): Promise<boolean> {
  for (const [node, peers] of Object.entries(faults.grudge))
    for (const peer of peers) if (await connects(byName.get(peer)!, byName.get(node)!)) return false;
  if ((await nodesWithQdisc(nodes)).length === 0) return false;
  for (const n of faults.paused) if (!/^T/.test(await raftStates(byName.get(n)!))) return false;
  for (const n of faults.clocked) {
    const offset = (await byName.get(n)!.exec(['cat', '/var/run/faultline/faketime'])).stdout.trim();
    if (Number(offset) === 0 || offset === '') return false;
  }
  return true;
}

/** The process states (ps STAT) of raft-kv on a node. */
async function raftStates(node: DockerRemote): Promise<string> {
  const pid = (await node.exec(['cat', '/var/run/faultline/raft-kv.pid'])).stdout.trim();
  return (await node.exec(['ps', '-o', 'stat=', '-p', pid])).stdout.trim();
}

describe('clean --heal on ssh hosts after a SIGKILLed harness', { skip, timeout: 600_000 }, () => {
  let hosts: SshTestHosts | undefined;
  before(async () => {
    hosts = await startSshTestHosts('heal');
  });
  after(async () => {
    await hosts?.destroy();
  });

  test('faults left by a killed harness are healed over ssh', async () => {
    const h = hosts!;
    await writeFile(join(h.dir, 'known_hosts'), `${h.knownHostsLines.join('\n')}\n`);
    const campaignFile = join(h.dir, 'ssh-crash.yaml');
    await writeFile(
      campaignFile,
      sshCampaignText({
        name: 'ssh-crash',
        addresses: h.addresses,
        privateKeyPath: h.keyPath,
        knownHostsPath: join(h.dir, 'known_hosts'),
        acceptNewHostKeys: false,
        phases: '{ warmup: 2s, faults: 300s }',
        nemesis:
          '{ faults: [{ kind: partition, topologies: [halves] }, { kind: pause, targets: [one] }, ' +
          '{ kind: clock, targets: [one], modes: [bump] }, { kind: packet, targets: [one], behaviors: [{ rate: { kbit: 800 } }] }], ' +
          'interval: 1s, hold: 200s }',
        seed: 3,
      }),
    );
    const store = join(h.dir, 'store');
    const harness = spawn(
      process.execPath,
      [cli, 'run', campaignFile, '--store', store, '--progress', 'plain', '--no-report'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    let output = '';
    harness.stdout.on('data', (d: Buffer) => (output += d.toString()));
    harness.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((resolve) =>
      harness.once('exit', () => {
        resolve();
      }),
    );
    const runDir = join(store, 'ssh-crash', 'latest');
    const byName = new Map(h.containers.nodes.map((n) => [n.name, n]));
    let faults: StartedFaults | undefined;
    try {
      const deadline = Date.now() + 180_000;
      // A fault's start is recorded before it is applied (intent first), so wait until every one is in force.
      for (;;) {
        faults = await startedFaults(join(runDir, 'history.jsonl'));
        if (faults !== undefined && (await inForce(faults, byName, h.containers.nodes))) break;
        if (harness.exitCode !== null) throw new Error(`the harness exited ${harness.exitCode}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`not every fault started in time:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      harness.kill('SIGKILL');
      await exited;
    }
    // The run's id, as on a Docker run's labels: <campaign>-<run directory name>.
    const id = (await realpath(runDir)).split('/').slice(-2).join('-');

    const nodes = h.containers.nodes;
    const cut = Object.entries(faults.grudge).flatMap(([node, peers]) => peers.map((peer) => [node, peer] as const));
    assert.ok(cut.length > 0, 'the partition cuts some link');
    for (const [node, peer] of cut) {
      assert.equal(await connects(byName.get(peer)!, byName.get(node)!), false, `${peer} -> ${node} still blocked`);
    }
    const shaped = await nodesWithQdisc(nodes);
    assert.ok(shaped.length > 0, 'the rate limit is still there');
    for (const n of faults.paused) assert.match(await raftStates(byName.get(n)!), /^T/, `raft-kv on ${n} is stopped`);
    for (const n of faults.clocked) {
      const offset = (await byName.get(n)!.exec(['cat', '/var/run/faultline/faketime'])).stdout.trim();
      assert.notEqual(Number(offset), 0, `the clock of ${n} is still bumped`);
    }

    const clean = await execa('node', [cli, 'clean', '--heal', '--run', id, '--store', store], {
      reject: false,
      all: true,
      env: { NO_COLOR: '1' },
      timeout: 120_000,
    });
    assert.equal(clean.exitCode, 0, clean.all);
    const healed = new Map(
      [...clean.stdout.matchAll(/^(n\d): healed (.+)$/gm)].map((m) => [m[1]!, m[2]!.split(', ')] as const),
    );
    const expected = new Map<string, string[]>(nodes.map((n) => [n.name, []]));
    for (const [node] of cut) expected.get(node)!.push('partition');
    for (const n of shaped) expected.get(n)!.push('packet');
    for (const n of faults.paused) expected.get(n)!.push('pause');
    for (const n of faults.clocked) expected.get(n)!.push('clock');
    for (const [node, kinds] of expected) {
      assert.deepEqual([...(healed.get(node) ?? [])].sort(), [...new Set(kinds)].sort(), `${node}:\n${clean.all}`);
    }

    for (const [node, peer] of cut) {
      assert.ok(await connects(byName.get(peer)!, byName.get(node)!), `${peer} -> ${node} flows again`);
    }
    for (const node of nodes) {
      assert.doesNotMatch((await node.exec(['iptables', '-w', '-S'])).stdout, /FAULTLINE/, `rules on ${node.name}`);
    }
    assert.deepEqual(await nodesWithQdisc(nodes), [], 'no faultline qdisc is left');
    for (const n of faults.paused) assert.doesNotMatch(await raftStates(byName.get(n)!), /^T/, `${n} runs again`);
    for (const n of faults.clocked) {
      const offset = (await byName.get(n)!.exec(['cat', '/var/run/faultline/faketime'])).stdout.trim();
      assert.equal(Number(offset), 0, `the clock offset of ${n} is back to 0`);
    }
    // Healing again finds nothing to heal, and the run directory works as --run too.
    const again = await execa('node', [cli, 'clean', '--heal', '--run', runDir], { reject: false, all: true });
    assert.equal(again.exitCode, 0, again.all);
    assert.equal(again.stdout.match(/nothing to heal/g)?.length, 3, again.all);
  });
});
