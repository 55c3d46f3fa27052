// ZooKeeper's configuration on one node, and the command that runs it: pure, so they are unit-tested.
import type { NodeInfo } from '../../harness/plugin.ts';

export const clientPort = 2181;
const quorumPort = 2888;
const electionPort = 3888;

export interface ZooTiming {
  /** ZooKeeper's tick, ms. Debian's zoo.cfg: 2000. */
  tickTime: number;
  /** Ticks a follower may take to connect and sync to the leader. Debian's: 10. */
  initLimit: number;
  /**
   * Ticks a follower may go without hearing from the leader (and the leader from a quorum) before it stops
   * serving. Debian's: 5, so a cut-off follower keeps answering reads from its own copy for up to 10 s.
   */
  syncLimit: number;
}

export const debianTiming: ZooTiming = { tickTime: 2000, initLimit: 10, syncLimit: 5 };

/** Reads tickTime, initLimit, syncLimit from the campaign's system options (positive integers). */
export function zooTiming(options: Record<string, unknown>): ZooTiming {
  const pick = (key: keyof ZooTiming): number => {
    const value = options[key];
    if (value === undefined) return debianTiming[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new Error(`zookeeper: system option ${key} must be a positive integer, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  return { tickTime: pick('tickTime'), initLimit: pick('initLimit'), syncLimit: pick('syncLimit') };
}

/** The system option syncReads: whether every read calls sync first (default false; only a boolean). */
export function syncReadsOption(options: Record<string, unknown>): boolean {
  const value = options['syncReads'];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new Error(`zookeeper: system option syncReads must be true or false, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The myid of a node: its 1-based position in the cluster (server.N lines use the same numbers). */
export function myid(node: string, nodes: readonly NodeInfo[]): number {
  const index = nodes.findIndex((n) => n.name === node);
  if (index < 0)
    throw new Error(`zookeeper: node ${node} is not in the cluster (${nodes.map((n) => n.name).join(', ')})`);
  return index + 1;
}

/** zoo.cfg for every node of the cluster (the same text on each; myid tells them apart). */
export function zooCfg(nodes: readonly NodeInfo[], dataDir: string, timing: ZooTiming): string {
  return [
    `tickTime=${timing.tickTime}`,
    `initLimit=${timing.initLimit}`,
    `syncLimit=${timing.syncLimit}`,
    `dataDir=${dataDir}`,
    `clientPort=${clientPort}`,
    // The admin server (Jetty on 8080) is not needed; four-letter words answer ready() and primary().
    'admin.enableServer=false',
    '4lw.commands.whitelist=ruok,srvr',
    // Every node listens on all its addresses, whatever name the others reach it by.
    'quorumListenOnAllIPs=true',
    ...nodes.map((n, i) => `server.${i + 1}=${n.address}:${quorumPort}:${electionPort}`),
    '',
  ].join('\n');
}

/** The JVM command line: QuorumPeerMain from Debian's jars, logging to stderr (the daemon's log file). */
export function zookeeperArgv(configFile: string): string[] {
  return [
    'java',
    '-Xmx256m',
    '-Dorg.slf4j.simpleLogger.showDateTime=true',
    '-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS',
    '-cp',
    '/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar',
    'org.apache.zookeeper.server.quorum.QuorumPeerMain',
    configFile,
  ];
}

/** The Mode line of a `srvr` answer: leader, follower, standalone; undefined when it is not serving. */
export function serverMode(srvr: string): string | undefined {
  return /^Mode: (\w+)/m.exec(srvr)?.[1];
}
