// `faultline cluster up|down|ls|exec|logs`: docker nodes by hand, for trying a system out or debugging one.
// A cluster is named by a run id (default "manual") and stays up until `down` (or `faultline clean`).
import type { Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { attachDockerCluster, createDockerCluster, listRuns, removeRunResources } from '../../nodes/cluster.ts';
import type { DockerCluster } from '../../nodes/cluster.ts';
import { UserError } from '../../errors.ts';
import type { RequestExit } from '../exitRequest.ts';

const DEFAULT_RUN = 'manual';

async function requireCluster(runId: string): Promise<DockerCluster> {
  const cluster = await attachDockerCluster(runId);
  if (cluster === undefined || cluster.nodes.length === 0) {
    throw new UserError(
      `No cluster '${runId}' is up.`,
      `Bring one up: faultline cluster up --nodes 3 --run ${runId}`,
      'usage',
    );
  }
  return cluster;
}

function requireNode(cluster: DockerCluster, name: string): DockerCluster['nodes'][number] {
  const node = cluster.nodes.find((n) => n.name === name || n.containerName === name);
  if (node === undefined) {
    throw new UserError(
      `Cluster '${cluster.runId}' has no node '${name}'.`,
      `Its nodes: ${cluster.nodes.map((n) => n.name).join(', ')}`,
      'usage',
    );
  }
  return node;
}

function describeCluster(cluster: DockerCluster): string {
  const lines = [
    `${pc.bold(cluster.runId)}  network ${cluster.network.name} ${cluster.network.subnet}  image ${cluster.image}`,
  ];
  for (const n of cluster.nodes) lines.push(`  ${n.name.padEnd(5)} ${n.address.padEnd(16)} ${pc.dim(n.containerName)}`);
  return lines.join('\n');
}

export function registerCluster(program: Command, requestExit: RequestExit): void {
  const cluster = program
    .command('cluster')
    .description('Bring docker nodes up or down by hand, run commands on them, read their logs');

  cluster
    .command('up')
    .description('Bring up N nodes (n1..nN) and keep them until `faultline cluster down`')
    .option('-n, --nodes <count>', 'how many nodes', '3')
    .option('--run <id>', 'names the cluster (labels, container names)', DEFAULT_RUN)
    .option('--image <tag>', 'node image (default: built from docker/node if needed)')
    .option('--subnet <cidr>', 'IPv4 subnet for the nodes (default: a free /24 in 10.213.0.0/16)')
    .action(async (opts) => {
      const nodes = Number(opts.nodes);
      if (!Number.isInteger(nodes) || nodes < 1)
        throw new UserError(`--nodes must be a positive integer, not '${opts.nodes}'.`, undefined, 'usage');
      const started = Date.now();
      const up = await createDockerCluster({
        runId: opts.run,
        nodes,
        ...(opts.image !== undefined ? { image: opts.image } : {}),
        ...(opts.subnet !== undefined ? { subnet: opts.subnet } : {}),
        onProgress: (line) => process.stderr.write(`${pc.dim(line)}\n`),
      });
      process.stdout.write(`${describeCluster(up)}\n`);
      process.stdout.write(
        pc.dim(
          `up in ${((Date.now() - started) / 1000).toFixed(1)} s. Run commands: faultline cluster exec ${opts.run === DEFAULT_RUN ? '' : `--run ${opts.run} `}n1 -- hostname\n` +
            `Remove: faultline cluster down${opts.run === DEFAULT_RUN ? '' : ` --run ${opts.run}`}\n`,
        ),
      );
    });

  cluster
    .command('down')
    .description('Remove a cluster brought up by `cluster up` (its containers and network)')
    .option('--run <id>', 'the cluster', DEFAULT_RUN)
    .action(async (opts) => {
      const removed = await removeRunResources({ runId: opts.run });
      if (removed.containers.length === 0 && removed.networks.length === 0) {
        process.stdout.write(`no cluster '${opts.run}' was up\n`);
        return;
      }
      process.stdout.write(
        `removed ${removed.containers.length} containers and ${removed.networks.length} network(s) of '${opts.run}'\n`,
      );
    });

  cluster
    .command('ls')
    .description('List the clusters (and leftovers of runs) on the engine')
    .action(async () => {
      const runs = await listRuns();
      if (runs.length === 0) {
        process.stdout.write('no clusters are up\n');
        return;
      }
      for (const runId of runs) {
        const c = await attachDockerCluster(runId);
        if (c !== undefined) process.stdout.write(`${describeCluster(c)}\n`);
      }
    });

  cluster
    .command('exec')
    .description('Run a command on a node: faultline cluster exec n1 -- iptables -L')
    .argument('<node>', 'node name (n1, n2, ...)')
    .argument('<command...>', 'the command and its arguments (put -- before them)')
    .option('--run <id>', 'the cluster', DEFAULT_RUN)
    .option('--timeout <seconds>', 'kill the command after this long', '600')
    .action(async (nodeName, command, opts) => {
      const node = requireNode(await requireCluster(opts.run), nodeName);
      const result = await node.exec(command, { timeoutMs: Number(opts.timeout) * 1000 });
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      if (result.timedOut) process.stderr.write(pc.yellow(`timed out after ${opts.timeout} s and was killed\n`));
      requestExit({ code: result.exitCode ?? 124 });
    });

  cluster
    .command('logs')
    .description("Print the end of a node's daemon logs (/var/log/faultline/*.log)")
    .argument('<node>', 'node name (n1, n2, ...)')
    .option('--run <id>', 'the cluster', DEFAULT_RUN)
    .option('-n, --lines <count>', 'lines per log file', '100')
    .action(async (nodeName, opts) => {
      const node = requireNode(await requireCluster(opts.run), nodeName);
      const script =
        'found=0; for f in /var/log/faultline/*.log; do [ -f "$f" ] || continue; found=1; echo "==> $f <=="; tail -n "$1" "$f"; done; ' +
        '[ "$found" = 1 ] || echo "(no daemon logs in /var/log/faultline yet)"';
      const result = await node.exec(['sh', '-c', script, 'faultline-logs', String(Number(opts.lines) || 100)]);
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
    });
}
