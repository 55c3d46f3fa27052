// The docker backend's resident exec agent on real containers: the Remote contract through the agent and
// through the engine's exec alone, the fallback when the agent is killed, no process left behind, and the
// control channel surviving a node cut off from every network. Skips (saying why) when no engine answers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createDockerCluster, removeRunResources } from '../../../harness/nodes/cluster.ts';
import type { DockerCluster } from '../../../harness/nodes/cluster.ts';
import { dockerClient, engineAnswers } from '../../../harness/nodes/dockerEngine.ts';
import { DockerRemote } from '../../../harness/nodes/docker.ts';
import { EXEC_AGENT_TITLE } from '../../../harness/nodes/execAgentSource.ts';
import { ensureNodeImage } from '../../../harness/nodes/nodeImage.ts';
import { execOrThrow } from '../../../harness/nodes/remote.ts';
import { remoteConformanceTests } from './remoteConformance.ts';

const skip = (await engineAnswers()) ? false : 'no Docker engine answers (run: bash docker/ensure-engine.sh)';
if (skip) process.stdout.write(`# skipping docker exec agent tests: ${skip}\n`);

const runId = `test-agent-${randomBytes(4).toString('hex')}`;

describe('the docker exec agent', { skip, timeout: 600_000 }, () => {
  let cluster: DockerCluster | undefined;
  const node = (i: number): DockerRemote => {
    assert.ok(cluster, 'the cluster came up');
    return cluster.nodes[i]!;
  };
  /** The same container as n1, with every command an engine exec: it sees and acts from outside the agent. */
  let outside: DockerRemote;

  after(async () => {
    await cluster?.destroy();
    await removeRunResources({ runId });
  });

  before(async () => {
    cluster = await createDockerCluster({ runId, nodes: 2, image: await ensureNodeImage() });
    const n1 = node(0);
    outside = new DockerRemote({
      docker: dockerClient(),
      container: n1.containerName,
      name: n1.name,
      address: n1.address,
      execAgent: false,
    });
  });

  /** Pids of agents running in n1's container. */
  const agentPids = async (): Promise<string[]> =>
    (await outside.exec(['pgrep', '-x', EXEC_AGENT_TITLE.slice(0, 15)])).stdout.split('\n').filter((l) => l !== '');

  describe('the Remote contract through the agent', () => {
    // The cluster's own readiness check was an engine exec (the agent starts lazily, after it).
    let counted = { agent: 0, engine: 0 };
    before(async () => {
      assert.equal(await node(0).startExecAgent(), true, node(0).lastAgentProblem);
      counted = { ...node(0).execCounts };
    });
    remoteConformanceTests(() => node(0));
    it('went through the agent', () => {
      assert.ok(node(0).execCounts.agent - counted.agent >= 20, JSON.stringify(node(0).execCounts));
      assert.equal(node(0).execCounts.engine, counted.engine, node(0).lastAgentProblem);
    });
  });

  describe('the Remote contract through the engine exec alone', () => {
    remoteConformanceTests(() => outside);
    it('never used an agent', () => {
      assert.equal(outside.execCounts.agent, 0);
    });
  });

  it('is one process per node, started once', async () => {
    assert.equal(await node(0).startExecAgent(), true);
    await Promise.all(Array.from({ length: 10 }, () => node(0).exec(['true'])));
    assert.equal((await agentPids()).length, 1);
  });

  it('falls back to the engine exec when the agent is killed, then comes back by itself', async () => {
    assert.equal(await node(0).startExecAgent(), true);
    const before = { ...node(0).execCounts };
    await execOrThrow(outside, ['pkill', '-KILL', '-f', EXEC_AGENT_TITLE]);
    const r = await node(0).exec(['echo', 'still here']);
    assert.deepEqual([r.exitCode, r.stdout], [0, 'still here\n']);
    assert.equal(node(0).execCounts.engine, before.engine + 1, 'that one went through the engine');
    // exec restarted it lazily; once up, commands use it again.
    let back = false;
    for (let i = 0; i < 50 && !back; i++) {
      await new Promise((res) => setTimeout(res, 100));
      back = await node(0).startExecAgent();
    }
    assert.ok(back, node(0).lastAgentProblem);
    const agentBefore = node(0).execCounts.agent;
    await execOrThrow(node(0), ['true']);
    assert.equal(node(0).execCounts.agent, agentBefore + 1);
    assert.equal((await agentPids()).length, 1);
  });

  it('a command running when the agent dies is reported as such and killed, not left behind', async () => {
    assert.equal(await node(0).startExecAgent(), true);
    const marker = `fl-agent-${randomBytes(3).toString('hex')}`;
    const running = node(0).exec(['sh', '-c', `sleep 30; echo ${marker}`]);
    // The rejection may come before pkill's own exec returns, so it is awaited from here on.
    const reported = assert.rejects(running, /exec agent went away/);
    await new Promise((res) => setTimeout(res, 300));
    await execOrThrow(outside, ['pkill', '-KILL', '-f', EXEC_AGENT_TITLE]);
    await reported;
    const ps = await outside.exec(['sh', '-c', `ps -eo args | grep -c "^sh -c sleep 30; echo ${marker}" || true`]);
    assert.equal(ps.stdout.trim(), '0', 'the command was killed');
  });

  it('a timeout through the agent kills the command and its children', async () => {
    assert.equal(await node(0).startExecAgent(), true);
    const before = node(0).execCounts.agent;
    const r = await node(0).exec(['sh', '-c', 'sleep 40 & echo $!; sleep 41'], { timeoutMs: 300 });
    assert.deepEqual([r.exitCode, r.signal, r.timedOut], [null, 'SIGKILL', true]);
    assert.equal(node(0).execCounts.agent, before + 1);
    const background = r.stdout.trim();
    assert.match(background, /^\d+$/);
    await new Promise((res) => setTimeout(res, 200));
    const ps = await outside.exec(['sh', '-c', 'ps -eo args | grep -c "^sleep 4[01]$" || true']);
    assert.equal(ps.stdout.trim(), '0', 'no sleep survived the timeout');
  });

  it('keeps working while the node is cut off from every network, agent restarts included', async () => {
    const n1 = node(0);
    const peer = node(1).address;
    const ping = ['ping', '-c', '1', '-W', '1', peer];
    assert.equal(await n1.startExecAgent(), true);
    assert.equal((await n1.exec(ping)).exitCode, 0, 'n1 reaches n2 before the partition');
    const isolate = [
      'iptables -A INPUT -i lo -j ACCEPT',
      'iptables -A OUTPUT -o lo -j ACCEPT',
      'iptables -P INPUT DROP',
      'iptables -P OUTPUT DROP',
    ].join(' && ');
    try {
      await execOrThrow(n1, ['sh', '-c', isolate]);
      assert.notEqual((await n1.exec(ping)).exitCode, 0, 'the partition is real');
      const before = n1.execCounts.agent;
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => n1.exec(['echo', String(i)])));
      assert.deepEqual(
        results.map((r) => r.stdout.trim()),
        Array.from({ length: 20 }, (_, i) => String(i)),
      );
      assert.equal(n1.execCounts.agent, before + 20);
      // A new agent comes up through the engine, not the network, so it starts while cut off too.
      await execOrThrow(outside, ['pkill', '-KILL', '-f', EXEC_AGENT_TITLE]);
      assert.equal((await n1.exec(['true'])).exitCode, 0);
      let back = false;
      for (let i = 0; i < 50 && !back; i++) {
        await new Promise((res) => setTimeout(res, 100));
        back = await n1.startExecAgent();
      }
      assert.ok(back, n1.lastAgentProblem);
      assert.equal((await n1.exec(['iptables', '-S'])).stdout.includes('-P INPUT DROP'), true);
    } finally {
      await execOrThrow(outside, ['sh', '-c', 'iptables -P INPUT ACCEPT; iptables -P OUTPUT ACCEPT; iptables -F']);
    }
    assert.equal((await n1.exec(ping)).exitCode, 0, 'healed');
  });

  it('close() ends the agent; later commands still run, through the engine', async () => {
    const n2 = node(1);
    assert.equal(await n2.startExecAgent(), true);
    await n2.close();
    let left = '';
    for (let i = 0; i < 20; i++) {
      left = (await n2.exec(['sh', '-c', `pgrep -x ${EXEC_AGENT_TITLE.slice(0, 15)} || true`])).stdout;
      if (left.trim() === '') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(left.trim(), '', 'no agent left on n2');
    assert.equal(await n2.startExecAgent(), false, 'a closed remote does not start one again');
  });
});
