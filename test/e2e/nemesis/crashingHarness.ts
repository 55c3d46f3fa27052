// A stand-in for a harness that dies mid-fault: attaches to a test cluster by run id, partitions n2 away,
// pauses n3's echo server (noting its pid, as the nemesis does), bumps n1's faketime clock, prints
// 'faulted', and waits to be SIGKILLed. Run by crashRecovery.test.ts as a child process.
import { attachDockerCluster } from '../../../harness/nodes/cluster.ts';
import { applyClockFault } from '../../../nemesis/faults/clock.ts';
import { applyGrudge } from '../../../nemesis/faults/partition.ts';
import { pauseNodes, type ProcessHooks } from '../../../nemesis/faults/process.ts';
import { isolateNode } from '../../../nemesis/topologies.ts';

const runId = process.argv[2] ?? '';
const cluster = await attachDockerCluster(runId);
if (cluster === undefined) throw new Error(`no cluster for run ${runId}`);
const nodes = cluster.nodes;
const byName = (n: string) => nodes.find((r) => r.name === n)!;
const signal = (sig: NodeJS.Signals) => async (n: string) => {
  await byName(n).signalDaemon('fl-nem-echo', sig);
};
const hooks: ProcessHooks = {
  kill: signal('SIGKILL'),
  start: () => Promise.resolve(),
  pause: signal('SIGSTOP'),
  resume: signal('SIGCONT'),
};
await applyGrudge(
  nodes,
  isolateNode(
    nodes.map((n) => n.name),
    'n2',
  ),
);
await pauseNodes(hooks, nodes, ['n3']);
await applyClockFault(byName('n1'), { kind: 'bump', offsetMs: 45_000 });
process.stdout.write('faulted\n');
setInterval(() => undefined, 60_000);
