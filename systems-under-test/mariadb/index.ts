// MariaDB 10.11 (Debian's mariadb-server), InnoDB, one node: list-append and rw-register transactions at the
// isolation level the campaign names (system option `isolation`). See README.md.
import type { NodeContext } from '../../harness/plugin.ts';
import { defineSystem, execOrThrow } from '../../harness/plugin.ts';
import { daemonLifecycle, positiveOption, withServedWorkload } from '../common/index.ts';
import { mariadbUser, openMariadbClient, openMariadbConnection } from './mariadbClient.ts';
import { isolationLevels, isolationOption, schemaSql, workloadTable } from './txnSql.ts';

const port = 3306;
const datadir = (ctx: Pick<NodeContext, 'dataDir'>): string => `${ctx.dataDir}/mysql`;
const initFile = (ctx: Pick<NodeContext, 'dataDir'>): string => `${ctx.dataDir}/init.sql`;

/** The statements mariadbd runs at every start (--init-file: one statement a line): user, database, tables. */
export function initSql(): string {
  const { user, password, database } = mariadbUser;
  return [
    `CREATE DATABASE IF NOT EXISTS ${database}`,
    `CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY '${password}'`,
    `GRANT ALL PRIVILEGES ON ${database}.* TO '${user}'@'%'`,
    ...schemaSql,
    '',
  ].join(';\n');
}

/** mariadbd's command line: no config files but this one, so the node's /etc/mysql cannot change the run. */
export function mariadbArgv(ctx: Pick<NodeContext, 'dataDir' | 'options'>): string[] {
  return [
    'mariadbd',
    '--no-defaults',
    `--datadir=${datadir(ctx)}`,
    '--user=root',
    '--bind-address=0.0.0.0',
    `--port=${port}`,
    `--socket=${ctx.dataDir}/mariadbd.sock`,
    `--pid-file=${ctx.dataDir}/mariadbd.pid`,
    `--init-file=${initFile(ctx)}`,
    '--default-storage-engine=InnoDB',
    // mariadbd's option spells levels with dashes (REPEATABLE-READ); SET TRANSACTION with spaces.
    `--transaction-isolation=${isolationLevels[isolationOption(ctx.options)].replace(' ', '-')}`,
    // Durable commits (the defaults, stated): a kill -9 must not lose an acknowledged transaction.
    '--innodb-flush-log-at-trx-commit=1',
    // MariaDB's write-write conflict detection for repeatable read (10.11.8 on; default off before 11.6): a
    // txn writing a row changed since its snapshot fails with ER_CHECKREAD instead of overwriting it.
    `--innodb-snapshot-isolation=${ctx.options['snapshotIsolation'] === true ? 'ON' : 'OFF'}`,
    // A lock wait gives up (ER_LOCK_WAIT_TIMEOUT, a fail) before a campaign's op timeout rather than after:
    // the default 50 s would let a txn whose client timed out hold its row locks over everyone else.
    `--innodb-lock-wait-timeout=${positiveOption(ctx.options, 'lockWaitTimeoutSeconds', 2)}`,
    '--skip-name-resolve',
    '--max-connections=500',
  ];
}

const lifecycle = daemonLifecycle({ system: 'mariadb', argv: mariadbArgv, defaultPort: port });

export const mariadb = defineSystem({
  name: 'mariadb',
  description:
    "MariaDB 10.11 (Debian's mariadb-server), InnoDB on one node: list-append and rw-register transactions at the isolation level of system option isolation (default repeatable-read).",
  // Docker nodes run the node image plus this package; ssh hosts get it with apt-get.
  workloads: ['list-append', 'rw-register'],
  image: { packages: ['mariadb-server'] },
  async install(ctx) {
    isolationOption(ctx.options);
    // Absent, each client takes the campaign's workload (ClientContext.workload).
    if (ctx.options['workload'] !== undefined) workloadTable(ctx.options);
    const present = await ctx.node.exec(['sh', '-c', 'command -v mariadbd && command -v mariadb-install-db']);
    if (present.exitCode !== 0) {
      throw new Error(
        `mariadb: mariadbd is missing on ${ctx.node.name}: install Debian's mariadb-server package there (apt-get install mariadb-server)`,
      );
    }
    await execOrThrow(ctx.node, ['mkdir', '-p', datadir(ctx)]);
    const version = await execOrThrow(ctx.node, ['mariadbd', '--version']);
    await execOrThrow(
      ctx.node,
      [
        'mariadb-install-db',
        '--no-defaults',
        `--datadir=${datadir(ctx)}`,
        '--user=root',
        '--auth-root-authentication-method=socket',
        '--skip-test-db',
      ],
      { timeoutMs: 120_000 },
    );
    await ctx.node.writeFile(initFile(ctx), initSql());
    ctx.log(`mariadb present: ${version.trim()}; data directory made at ${datadir(ctx)}`);
  },
  ...lifecycle,
  async ready(ctx) {
    try {
      const connection = await openMariadbConnection({
        host: ctx.node.address,
        port,
        isolation: isolationOption(ctx.options),
        connectTimeoutMs: 1000,
      });
      await connection.end();
      return true;
    } catch {
      return false;
    }
  },
  client({ node, options, workload }) {
    return openMariadbClient({
      host: node.address,
      port,
      isolation: isolationOption(options),
      table: workloadTable(withServedWorkload('mariadb', options, workload)),
      connectTimeoutMs: positiveOption(options, 'connectTimeoutMs', 5000),
    });
  },
});
