// MariaDB Galera Cluster (Debian's mariadb-server with galera-4): every node takes writes, certified
// write-sets replicated synchronously, state transfers by rsync. The same tables, client and outcome rules as
// one-node MariaDB (index.ts); only how the nodes start differs. See README.md.
import type { NodeContext, NodeInfo } from '../../harness/plugin.ts';
import { defineSystem, execOrThrow } from '../../harness/plugin.ts';
import { daemonLifecycle } from '../common/index.ts';
import { mariadb, mariadbArgv } from './index.ts';
import { openMariadbConnection } from './mariadbClient.ts';
import { isolationOption } from './txnSql.ts';

// Written once the first node has bootstrapped the cluster: its restarts must join the others, never form a
// new cluster of one (which --wsrep-new-cluster would do).
const bootstrappedMarker = (ctx: Pick<NodeContext, 'dataDir'>): string => `${ctx.dataDir}/bootstrapped`;

/** The wsrep options of one node; the first node's first start bootstraps. */
export function galeraArgs(ctx: { node: NodeInfo; nodes: readonly NodeInfo[] }, bootstrap: boolean): string[] {
  return [
    '--wsrep-on=ON',
    '--wsrep-provider=/usr/lib/galera/libgalera_smm.so',
    `--wsrep-cluster-address=gcomm://${ctx.nodes.map((n) => n.address).join(',')}`,
    '--wsrep-cluster-name=faultline',
    `--wsrep-node-address=${ctx.node.address}`,
    `--wsrep-node-name=${ctx.node.name}`,
    '--wsrep-sst-method=rsync',
    // Galera's requirements: row-based binlog events, interleaved auto-increment locks.
    '--binlog-format=ROW',
    '--innodb-autoinc-lock-mode=2',
    ...(bootstrap ? ['--wsrep-new-cluster'] : []),
  ];
}

async function serving(address: string, ctx: NodeContext): Promise<boolean> {
  try {
    const connection = await openMariadbConnection({
      host: address,
      port: 3306,
      isolation: isolationOption(ctx.options),
      connectTimeoutMs: 1000,
    });
    await connection.end();
    return true;
  } catch {
    return false;
  }
}

export const mariadbGalera = defineSystem({
  ...mariadb,
  name: 'mariadb-galera',
  description:
    "MariaDB 10.11 Galera Cluster (Debian's mariadb-server, galera-4): multi-writer synchronous replication; list-append and rw-register transactions at the isolation level of system option isolation.",
  image: { packages: ['mariadb-server', 'galera-4', 'rsync'] },
  async install(ctx) {
    await mariadb.install!(ctx);
    await execOrThrow(ctx.node, ['chown', '-R', 'mysql:mysql', ctx.dataDir]);
  },
  async start(ctx) {
    const first = ctx.nodes[0]?.name === ctx.node.name;
    const bootstrapped = (await ctx.node.exec(['test', '-f', bootstrappedMarker(ctx)])).exitCode === 0;
    const bootstrap = first && !bootstrapped;
    if (!first && !bootstrapped) {
      // A joiner needs a member to take its state from: on the first start, wait for the first node.
      const deadline = Date.now() + 45_000;
      const seed = ctx.nodes[0]!;
      while (!(await serving(seed.address, ctx))) {
        if (Date.now() > deadline)
          throw new Error(`mariadb-galera: ${seed.name} did not bootstrap the cluster within 45 s`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    const lifecycle = daemonLifecycle({
      system: 'mariadb',
      argv: (c) => {
        // As the mysql user: a state transfer's rsync daemon runs as mariadbd's user, and as root it would
        // drop to nobody, which cannot write the data directory.
        const argv = [...mariadbArgv(c), ...galeraArgs(c, bootstrap)].map((a) =>
          a === '--user=root' ? '--user=mysql' : a,
        );
        // Only the bootstrapping node creates the user and tables; the others receive them by state transfer.
        return bootstrap ? argv : argv.filter((a) => !a.startsWith('--init-file='));
      },
      defaultPort: 3306,
    });
    await lifecycle.start(ctx);
    await execOrThrow(ctx.node, ['touch', bootstrappedMarker(ctx)]);
  },
});
