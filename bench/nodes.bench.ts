// Nodes: time from `cluster up` to five ready nodes with a cached image (target < 5 s), teardown (< 3 s),
// exec round-trip latency on docker through the exec agent (target < 50 ms median), through the engine's exec
// alone, and over ssh (reported). Needs a Docker engine; without one it says so and exits 0.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { createDockerCluster, removeRunResources } from '../harness/nodes/cluster.ts';
import type { DockerCluster } from '../harness/nodes/cluster.ts';
import { dockerClient, engineAnswers } from '../harness/nodes/dockerEngine.ts';
import { DockerRemote } from '../harness/nodes/docker.ts';
import { ensureNodeImage } from '../harness/nodes/nodeImage.ts';
import { execOrThrow } from '../harness/nodes/remote.ts';
import type { Remote } from '../harness/nodes/remote.ts';
import { connectSsh } from '../harness/nodes/ssh.ts';

function line(label: string, value: string, target?: string, met?: boolean): void {
  const verdict = target === undefined ? '' : `  (target ${target}: ${met === true ? 'met' : 'MISSED'})`;
  process.stdout.write(`${label.padEnd(38)} ${value}${verdict}\n`);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function execLatency(remote: Remote, rounds: number): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < 3; i++) await execOrThrow(remote, ['true']);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await execOrThrow(remote, ['true']);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { median: quantile(times, 0.5), p95: quantile(times, 0.95) };
}

if (!(await engineAnswers())) {
  process.stdout.write('skipped: no Docker engine answers (run: bash docker/ensure-engine.sh)\n');
} else {
  const runId = `bench-${randomBytes(3).toString('hex')}`;
  const engine = dockerClient();
  let cluster: DockerCluster | undefined;
  let dir: string | undefined;
  try {
    let t = performance.now();
    const image = await ensureNodeImage({ onProgress: (l) => process.stderr.write(`${l}\n`) });
    line('ensureNodeImage (first call)', `${(performance.now() - t).toFixed(0)} ms`);
    t = performance.now();
    await ensureNodeImage();
    line('ensureNodeImage (cached)', `${(performance.now() - t).toFixed(0)} ms`);

    t = performance.now();
    cluster = await createDockerCluster({ runId, nodes: 5, image });
    const up = (performance.now() - t) / 1000;
    line('cluster up, 5 ready nodes', `${up.toFixed(2)} s`, '< 5 s', up < 5);

    // Commands go through each node's resident exec agent once it is up (it starts lazily, after the first exec).
    const n1 = cluster.nodes[0]!;
    t = performance.now();
    const agentUp = await n1.startExecAgent();
    line(
      'exec agent ready',
      agentUp ? `${(performance.now() - t).toFixed(0)} ms` : `no: ${n1.lastAgentProblem ?? '?'}`,
    );
    const docker = await execLatency(n1, 200);
    line(
      'docker exec round trip (median, p95)',
      `${docker.median.toFixed(1)} ms, ${docker.p95.toFixed(1)} ms (${n1.execCounts.agent} via the agent)`,
      '< 50 ms',
      docker.median < 50,
    );
    t = performance.now();
    await Promise.all(Array.from({ length: 20 }, () => execOrThrow(n1, ['true'])));
    line('docker exec, 20 at once (all done)', `${(performance.now() - t).toFixed(1)} ms`);

    // The same node with every command an engine exec: the way without the agent, and its fallback.
    const engineOnly = new DockerRemote({
      docker: engine,
      container: n1.containerName,
      name: n1.name,
      address: n1.address,
      execAgent: false,
    });
    const viaEngine = await execLatency(engineOnly, 50);
    line(
      'docker exec round trip, engine only',
      `${viaEngine.median.toFixed(1)} ms, ${viaEngine.p95.toFixed(1)} ms (median, p95)`,
    );

    // The engine's own floor: create + start + drain + inspect with nothing of ours around it.
    const container = engine.getContainer(cluster.nodes[0]!.containerName);
    const floor: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      const exec = await container.exec({ Cmd: ['true'], AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: false });
      await new Promise((resolve) => {
        stream.on('end', resolve);
        stream.resume();
      });
      await exec.inspect();
      floor.push(performance.now() - t0);
    }
    floor.sort((a, b) => a - b);
    line(
      'engine floor: bare exec (median)',
      `${quantile(floor, 0.5).toFixed(1)} ms, load average ${loadavg()[0]!.toFixed(1)}`,
    );

    // ssh: sshd in n2, root with a fresh key.
    dir = await mkdtemp(join(tmpdir(), 'fl-bench-'));
    const keys = ssh2.utils.generateKeyPairSync('ed25519');
    await writeFile(join(dir, 'key'), keys.private, { mode: 0o600 });
    const n2 = cluster.nodes[1]!;
    await n2.writeFile('/root/.ssh/authorized_keys', `${keys.public}\n`, { mode: 0o600 });
    const hostKey = (await execOrThrow(n2, ['faultline-start-sshd'])).trim().split(' ').slice(0, 2).join(' ');
    await writeFile(join(dir, 'known_hosts'), `${n2.address} ${hostKey}\n`);
    await new Promise((r) => setTimeout(r, 300));
    t = performance.now();
    const ssh = await connectSsh({
      host: n2.address,
      privateKeyPath: join(dir, 'key'),
      knownHostsPath: join(dir, 'known_hosts'),
      onWarning: (m) => {
        process.stderr.write(`${m}\n`);
      },
    });
    line('ssh connect', `${(performance.now() - t).toFixed(0)} ms`);
    const sshLatency = await execLatency(ssh, 50);
    line('ssh exec round trip (median, p95)', `${sshLatency.median.toFixed(1)} ms, ${sshLatency.p95.toFixed(1)} ms`);
    await ssh.close();

    t = performance.now();
    await cluster.destroy();
    const down = (performance.now() - t) / 1000;
    line('teardown, 5 nodes', `${down.toFixed(2)} s`, '< 3 s', down < 3);
  } finally {
    await cluster?.destroy();
    await removeRunResources({ runId });
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }
}
