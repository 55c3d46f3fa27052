// PostgreSQL 15 on one node (Debian's postgresql-15, declared as the system's node image): initdb into the data
// dir, the postmaster run as the postgres user by the harness's daemon machinery, and list-append or rw-register
// transactions at the isolation level the campaign names (system options). See README.md.
import type { NodeContext } from '../../harness/plugin.ts';
import { defineSystem, execOrThrow } from '../../harness/plugin.ts';
import { daemonLifecycle, nodePort, withServedWorkload } from '../common/index.ts';
import { pgClient } from './pgClient.ts';
import { createTablesSql, pgIsolationOption, pgWorkloadOption, pgWorkloads } from './pgTxn.ts';

export const pgBin = '/usr/lib/postgresql/15/bin';
const bin = pgBin;
const defaultPort = 5432;
export const asPostgres = ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups'];

export const pgData = (ctx: Pick<NodeContext, 'dataDir'>): string => `${ctx.dataDir}/pg`;
const port = (ctx: Pick<NodeContext, 'node' | 'options'>): number => nodePort(ctx.node.name, ctx.options, defaultPort);

/** The postmaster's command line: settings on it, so the data dir holds only what initdb made. */
export function postgresArgv(ctx: Pick<NodeContext, 'node' | 'options' | 'dataDir'>): string[] {
  const settings = {
    listen_addresses: '*',
    port: String(port(ctx)),
    // No unix socket: the harness and clients connect over TCP, and /run/postgresql may not exist.
    unix_socket_directories: '',
    max_connections: '200',
    // Faults kill processes, never the machine: the OS keeps what was written, so fsync only slows the runs.
    fsync: 'off',
    // A client that timed out closes its socket; without these its backend would hold its row locks while it
    // waits on another lock (or sits idle in the txn), and every later txn on those rows would time out too.
    client_connection_check_interval: '500ms',
    idle_in_transaction_session_timeout: '10s',
    log_min_messages: 'warning',
    log_line_prefix: '%m [%p] ',
  };
  return [
    ...asPostgres,
    `${bin}/postgres`,
    '-D',
    pgData(ctx),
    ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ];
}

// initdb takes half a minute on a loaded 2-core machine: it runs once, into this template, when the image is
// built (or on an ssh host's first run), and each node's data dir starts as a copy of it.
export const postgresTemplate = '/opt/faultline/postgres/template';
const template = postgresTemplate;
const hba = 'host all all 0.0.0.0/0 trust\\nhost all all ::/0 trust\\n';
const initTemplate = [
  `[ -f ${template}/PG_VERSION ] || {`,
  `install -d -o postgres -g postgres -m 700 ${template} &&`,
  `${asPostgres.join(' ')} ${bin}/initdb -D ${template} -U postgres --auth=trust --no-sync -E UTF8 >/dev/null &&`,
  // The controller connects from the network's gateway: trust every address (a test cluster, never production).
  `printf '${hba}' > ${template}/pg_hba.conf && chown postgres:postgres ${template}/pg_hba.conf; }`,
].join(' ');

/** The node image both PostgreSQL systems run: Debian's package and a template cluster made by initdb. */
export const postgresImage = { packages: ['postgresql-15'], run: [initTemplate] };

const lifecycle = daemonLifecycle({ system: 'postgres', argv: postgresArgv, defaultPort });

export default defineSystem({
  name: 'postgres',
  description:
    "PostgreSQL 15 (Debian's postgresql-15) on one node: list-append or rw-register transactions at the isolation level in options.isolation (read-committed, repeatable-read, serializable; default serializable)",
  workloads: pgWorkloads,
  image: postgresImage,
  async install(ctx) {
    // Bad options are the campaign's mistake: say so before anything starts.
    pgIsolationOption(ctx.options['isolation']);
    pgWorkloadOption(ctx.options['workload']);
    const data = pgData(ctx);
    const initialised = (await ctx.node.exec(['test', '-f', `${data}/PG_VERSION`])).exitCode === 0;
    if (!initialised) {
      await execOrThrow(ctx.node, ['mkdir', '-p', data]);
      await execOrThrow(ctx.node, ['cp', '-a', `${template}/.`, `${data}/`]);
    }
    await execOrThrow(ctx.node, ['chown', '-R', 'postgres:postgres', ctx.dataDir]);
    await execOrThrow(ctx.node, ['chmod', '700', data]);
    ctx.log(`postgres ${initialised ? 'data dir present' : 'data dir copied from the template'} at ${data}`);
  },
  start: lifecycle.start,
  // Ready once it accepts connections and the tables exist (created here, once per node, idempotently).
  async ready(ctx) {
    const p = String(port(ctx));
    const up = await ctx.node.exec([`${bin}/pg_isready`, '-h', '127.0.0.1', '-p', p, '-U', 'postgres'], {
      timeoutMs: 5000,
    });
    if (up.exitCode !== 0) return false;
    const tables = await ctx.node.exec(
      [`${bin}/psql`, '-h', '127.0.0.1', '-p', p, '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qc', createTablesSql],
      { timeoutMs: 10_000 },
    );
    return tables.exitCode === 0;
  },
  stop: lifecycle.stop,
  kill: lifecycle.kill,
  pause: lifecycle.pause,
  resume: lifecycle.resume,
  logFiles: lifecycle.logFiles,
  client({ node, options, workload }) {
    return Promise.resolve(
      pgClient({
        host: node.address,
        port: nodePort(node.name, options, defaultPort),
        isolation: pgIsolationOption(options['isolation']),
        workload: pgWorkloadOption(withServedWorkload('postgres', options, workload)['workload']),
      }),
    );
  },
});
