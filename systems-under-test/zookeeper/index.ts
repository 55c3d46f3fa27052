// ZooKeeper 3.8 (Debian's zookeeper package), a three-node (or any size) ensemble from a static zoo.cfg, the
// JVM run directly as one daemon per node. Register and cas over znodes, each client bound to one server,
// whose reads it serves: sequentially consistent, not linearizable. See README.md.
import type { NodeContext } from '../../harness/plugin.ts';
import { defineSystem, execOrThrow } from '../../harness/plugin.ts';
import { daemonLifecycle, positiveOption } from '../common/index.ts';
import { fourLetterWord } from './fourLetterWord.ts';
import { clientPort, myid, serverMode, syncReadsOption, zooCfg, zookeeperArgv, zooTiming } from './zooConfig.ts';
import { openZookeeperClient } from './zookeeperClient.ts';

const zookeeperJar = '/usr/share/java/zookeeper.jar';
const configFile = (ctx: Pick<NodeContext, 'dataDir'>): string => `${ctx.dataDir}/zoo.cfg`;
const zkDataDir = (ctx: Pick<NodeContext, 'dataDir'>): string => `${ctx.dataDir}/zk`;
// Written by ready() once the node has served as part of a quorum: from then on it is ready once its process
// answers, since a node restarted on the minority side of a partition cannot serve until the partition heals.
const servedMarker = (ctx: Pick<NodeContext, 'dataDir'>): string => `${ctx.dataDir}/served-once`;

const lifecycle = daemonLifecycle({
  system: 'zookeeper',
  argv: (ctx) => zookeeperArgv(configFile(ctx)),
  defaultPort: clientPort,
});

export default defineSystem({
  name: 'zookeeper',
  description:
    "ZooKeeper 3.8 (Debian's zookeeper): a ZAB-replicated ensemble; register and cas over znodes, reads served by the client's own server.",
  // ZooKeeper's Programmer's Guide promises sequential consistency; reads may be stale. syncReads does not make
  // this a linearizability claim: ZooKeeper's Internals page says sync is not a quorum operation.
  guarantees: ['sequential'],
  workloads: ['register', 'key-value'],
  // Docker nodes run the node image plus this package (its JVM and jars); ssh hosts get it with apt-get.
  image: { packages: ['zookeeper'] },
  async install(ctx) {
    const present = await ctx.node.exec(['test', '-f', zookeeperJar]);
    if (present.exitCode !== 0) {
      throw new Error(
        `zookeeper: ${zookeeperJar} is missing on ${ctx.node.name}: install Debian's zookeeper package there (apt-get install zookeeper)`,
      );
    }
    const timing = zooTiming(ctx.options);
    syncReadsOption(ctx.options); // a bad value stops the run here, before any client opens
    await execOrThrow(ctx.node, ['mkdir', '-p', zkDataDir(ctx)]);
    await ctx.node.writeFile(configFile(ctx), zooCfg(ctx.nodes, zkDataDir(ctx), timing));
    await ctx.node.writeFile(`${zkDataDir(ctx)}/myid`, `${myid(ctx.node.name, ctx.nodes)}\n`);
    ctx.log(
      `zookeeper myid ${myid(ctx.node.name, ctx.nodes)}, tickTime ${timing.tickTime} ms, syncLimit ${timing.syncLimit}`,
    );
  },
  // Started with ctx.clockEnv like any system, so clock faults skew the JVM's wall clock (System.currentTimeMillis:
  // znode mtimes, log lines); its monotonic clock (System.nanoTime: ticks, session timeouts) stays real.
  ...lifecycle,
  async ready(ctx) {
    const mode = serverMode((await fourLetterWord(ctx.node.address, clientPort, 'srvr')) ?? '');
    if (mode !== undefined) {
      await execOrThrow(ctx.node, ['touch', servedMarker(ctx)]);
      return true;
    }
    if ((await ctx.node.exec(['test', '-f', servedMarker(ctx)])).exitCode !== 0) return false;
    return (await fourLetterWord(ctx.node.address, clientPort, 'ruok')) === 'imok';
  },
  /** The server whose `srvr` says Mode: leader. */
  async primary(nodes) {
    const modes = await Promise.all(
      nodes.map(async (node) => serverMode((await fourLetterWord(node.address, clientPort, 'srvr')) ?? '')),
    );
    return nodes[modes.indexOf('leader')]?.name;
  },
  client({ node, options }) {
    return openZookeeperClient({
      server: `${node.address}:${clientPort}`,
      sessionTimeoutMs: positiveOption(options, 'sessionTimeoutMs', 6000),
      connectTimeoutMs: positiveOption(options, 'connectTimeoutMs', 5000),
      syncBeforeRead: syncReadsOption(options),
    });
  },
});
