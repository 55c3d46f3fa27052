// maelstrom: runs any executable that speaks Maelstrom's JSON-over-stdin/stdout node protocol as the nodes,
// with faultline as the network between them (maelstromRouter.ts over the seeded model in maelstromNetwork.ts)
// and faultline's workloads mapped onto Maelstrom's lin-kv, g-set, broadcast, counters, unique-ids, txn
// workloads and echo (workloadBodies.ts), and Maelstrom's services (lin-kv, seq-kv, lww-kv, lin-tso) as
// endpoints on that network (maelstromServices.ts).
// On the local backend each node is a process of this harness; on docker nodes and ssh hosts it runs there, its
// folder copied in and its stdio streamed to the router over one exec (Remote.spawnAttached).
// docs/maelstrom.md says how to run a node and what is supported.
import { defineSystem } from '../../harness/plugin.ts';
import { clusterOf, existingClusterOf, nodePaths, startingClusterOf } from './maelstromCluster.ts';
import { packetFaultBehaviorsOf, routerPacketBehaviors } from './networkFaults.ts';
import { checkSupportedWorkload, maelstromWorkloadFor } from './workloadBodies.ts';

export default defineSystem({
  name: 'maelstrom',
  description: "any binary speaking Maelstrom's stdin/stdout protocol, on faultline's in-process network",
  // Those with a Maelstrom protocol (workloadBodies.ts): another workload is refused before any node starts.
  workloads: Object.keys(maelstromWorkloadFor),
  // On docker nodes and ssh hosts the binary runs there: python3 for the example nodes and the many
  // Maelstrom nodes written in Python (the node image already has nodejs). Built from Debian's packages.
  image: { packages: ['python3'] },

  // Only start makes the run's cluster: the harness may heal (resume, stop) before any node has started.
  async start(ctx) {
    await startingClusterOf(ctx.options, ctx.campaignDir).start(ctx);
  },

  // async, so a crash it reports is a rejection, as the harness expects of a hook.
  async ready(ctx) {
    return Promise.resolve(clusterOf(ctx.options).ready(ctx.node.name));
  },

  async stop(ctx) {
    await existingClusterOf(ctx.options)?.stop(ctx.node.name);
  },

  async kill(ctx) {
    await existingClusterOf(ctx.options)?.kill(ctx.node.name);
  },

  async pause(ctx) {
    await existingClusterOf(ctx.options)?.pause(ctx.node.name);
  },

  async resume(ctx) {
    await existingClusterOf(ctx.options)?.resume(ctx.node.name);
  },

  logFiles: () => [nodePaths.logFile, nodePaths.messageLog],

  // faultline is the network: the nemesis's partitions and packet faults act on the router.
  network: {
    packetBehaviors: routerPacketBehaviors,
    partition(grudge, options) {
      clusterOf(options).partition(grudge);
      return Promise.resolve();
    },
    shape(targets, behaviors, options) {
      return Promise.resolve(clusterOf(options).shapeLinks(targets, packetFaultBehaviorsOf(behaviors)));
    },
    heal(options) {
      existingClusterOf(options)?.healNetwork();
      return Promise.resolve();
    },
  },

  async client(ctx) {
    const workload = ctx.workload?.name ?? 'key-value';
    checkSupportedWorkload(workload);
    return Promise.resolve(clusterOf(ctx.options).openClient(ctx.node.name, workload));
  },
});
