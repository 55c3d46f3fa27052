// PostgreSQL 15 with streaming replication: n1 starts as the primary, the other nodes as hot standbys made by
// pg_basebackup from whichever node is primary when they start. A kill of the primary promotes the standby that
// has received the most WAL (pg_promote) and points the others at it; the killed node comes back as a standby
// of the new primary (a fresh base backup: its own WAL may hold commits the new primary never had). Register
// and key-value ops go to the current primary, or reads to the client's own node (options.reads: replica).
// options.replication: async (default: a commit is acknowledged before any standby has it) or sync
// (synchronous_standby_names 'ANY 1 (*)': acknowledged once one standby has flushed it).
import pg from 'pg';
import type { Client, ClientOp, NodeContext, NodeInfo, Value } from '../../harness/plugin.ts';
import { defineSystem, execOrThrow } from '../../harness/plugin.ts';
import { daemonLifecycle, nodePort } from '../common/index.ts';
import { errorText, sqlState } from './pgTxn.ts';
import { asPostgres, pgBin, pgData, postgresArgv, postgresImage, postgresTemplate } from './index.ts';

const defaultPort = 5432;
const portOf = (node: NodeInfo, options: Record<string, unknown>): number => nodePort(node.name, options, defaultPort);

export type Replication = 'async' | 'sync';
export function replicationOption(value: unknown): Replication {
  if (value === undefined || value === 'async') return 'async';
  if (value === 'sync') return 'sync';
  throw new Error(`postgres-replicated: system option replication ${JSON.stringify(value)} is not async or sync`);
}

/** One short-lived query to a node from the controller; undefined when it cannot be reached. */
async function queryNode<T extends pg.QueryResultRow>(
  node: NodeInfo,
  options: Record<string, unknown>,
  text: string,
  timeoutMs = 1500,
): Promise<T[] | undefined> {
  const c = new pg.Client({
    host: node.address,
    port: portOf(node, options),
    user: 'postgres',
    database: 'postgres',
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return (await c.query<T>(text)).rows;
  } catch {
    return undefined;
  } finally {
    void c.end().catch(() => undefined);
  }
}

/** Whether a node is a primary (true), a standby (false), or unreachable (undefined). */
async function isPrimary(node: NodeInfo, options: Record<string, unknown>): Promise<boolean | undefined> {
  const rows = await queryNode<{ standby: boolean }>(node, options, 'SELECT pg_is_in_recovery() AS standby');
  return rows?.[0] === undefined ? undefined : !rows[0].standby;
}

async function findPrimary(
  nodes: readonly NodeInfo[],
  options: Record<string, unknown>,
  except?: string,
): Promise<NodeInfo | undefined> {
  const roles = await Promise.all(
    nodes.filter((n) => n.name !== except).map(async (n) => ({ n, primary: await isPrimary(n, options) })),
  );
  return roles.find((r) => r.primary === true)?.n;
}

const conninfo = (primary: NodeInfo, options: Record<string, unknown>, self: string): string =>
  `host=${primary.address} port=${portOf(primary, options)} user=postgres application_name=${self}`;

const selfInfo = (ctx: NodeContext): NodeInfo => ({ name: ctx.node.name, address: ctx.node.address });

function replicatedArgv(ctx: NodeContext): string[] {
  const sync = replicationOption(ctx.options['replication']) === 'sync';
  return [
    ...postgresArgv(ctx),
    '-c',
    'hot_standby=on',
    '-c',
    'wal_level=replica',
    '-c',
    'max_wal_senders=10',
    // A base backup streams the WAL from its start: keep it until the backup has it.
    '-c',
    'wal_keep_size=256MB',
    '-c',
    `synchronous_standby_names=${sync ? 'ANY 1 (*)' : ''}`,
  ];
}

const lifecycle = daemonLifecycle({ system: 'postgres', argv: replicatedArgv, defaultPort });

const hba = 'host all all 0.0.0.0/0 trust\nhost replication all 0.0.0.0/0 trust\n';

async function baseBackup(ctx: NodeContext, primary: NodeInfo, timeoutMs = 45_000): Promise<void> {
  // Into a folder beside the data dir, swapped in only once complete: a failed copy leaves the old data.
  const data = pgData(ctx);
  const copy = `${data}.new`;
  await execOrThrow(ctx.node, ['rm', '-rf', copy]);
  await execOrThrow(ctx.node, ['install', '-d', '-o', 'postgres', '-g', 'postgres', '-m', '700', copy]);
  await execOrThrow(
    ctx.node,
    [
      ...asPostgres,
      `${pgBin}/pg_basebackup`,
      '-h',
      primary.address,
      '-p',
      String(portOf(primary, ctx.options)),
      '-U',
      'postgres',
      '-D',
      copy,
      '-X',
      'stream',
      '-R',
      '-c',
      'fast',
    ],
    { timeoutMs },
  );
  await execOrThrow(ctx.node, ['sh', '-c', 'rm -rf "$1" && mv "$2" "$1"', 'swap', data, copy]);
  ctx.log(`base backup from ${primary.name}`);
}

async function writeConninfo(ctx: NodeContext, primary: NodeInfo): Promise<void> {
  const file = `${pgData(ctx)}/postgresql.auto.conf`;
  await ctx.node.writeFile(file, `primary_conninfo = '${conninfo(primary, ctx.options, ctx.node.name)}'\n`, {
    mode: 0o600,
  });
  await execOrThrow(ctx.node, ['chown', 'postgres:postgres', file]);
}

async function waitForPrimary(ctx: NodeContext, timeoutMs: number): Promise<NodeInfo | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const primary = await findPrimary(ctx.nodes, ctx.options, ctx.node.name);
    if (primary !== undefined || Date.now() > deadline) return primary;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** A key-value client: writes and cas at the current primary, reads there or at the client's own node. */
function replicatedClient(self: NodeInfo, nodes: readonly NodeInfo[], options: Record<string, unknown>): Client {
  const replicaReads = options['reads'] === 'replica';
  const connections = new Map<string, pg.Client>();
  let primary: NodeInfo | undefined;
  const drop = (name: string): void => {
    const c = connections.get(name);
    connections.delete(name);
    if (c !== undefined) void c.end().catch(() => undefined);
  };
  const connect = async (node: NodeInfo): Promise<pg.Client> => {
    const existing = connections.get(node.name);
    if (existing !== undefined) return existing;
    const c = new pg.Client({
      host: node.address,
      port: portOf(node, options),
      user: 'postgres',
      database: 'postgres',
      connectionTimeoutMillis: 1500,
    });
    c.on('error', () => {
      if (connections.get(node.name) === c) drop(node.name);
    });
    await c.connect();
    connections.set(node.name, c);
    return c;
  };
  const statement = (op: ClientOp): { text: string; values: string[] } => {
    const key = op.key ?? 'register';
    switch (op.f) {
      case 'read':
        // Whether a standby served it: a client's primary may have been demoted since it last looked.
        return {
          text: 'SELECT (SELECT v FROM kv WHERE k = $1) AS v, pg_is_in_recovery() AS standby',
          values: [key],
        };
      case 'write':
        return {
          text: 'INSERT INTO kv AS t (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v',
          values: [key, JSON.stringify(op.value)],
        };
      case 'cas': {
        const [from, to] = op.value as [Value, Value];
        return from === null
          ? { text: 'INSERT INTO kv (k, v) VALUES ($1, $2) ON CONFLICT DO NOTHING', values: [key, JSON.stringify(to)] }
          : {
              text: 'UPDATE kv SET v = $2 WHERE k = $1 AND v = $3',
              values: [key, JSON.stringify(to), JSON.stringify(from)],
            };
      }
      default:
        throw new Error(`postgres-replicated: unsupported f ${op.f} (read, write, cas)`);
    }
  };
  return {
    async invoke(op, signal) {
      let text: { text: string; values: string[] };
      try {
        text = statement(op);
      } catch (e) {
        return { type: 'fail', error: errorText(e) };
      }
      const reading = op.f === 'read';
      let target: NodeInfo | undefined = reading && replicaReads ? self : primary;
      target ??= primary = await findPrimary(nodes, options);
      if (target === undefined) return { type: 'fail', error: 'no primary answers' };
      let sent = false;
      const aborted = new Promise<never>((_, reject) => {
        const stop = (): void => {
          reject(new Error('the op timed out'));
        };
        if (signal.aborted) stop();
        else signal.addEventListener('abort', stop, { once: true });
      });
      aborted.catch(() => undefined);
      try {
        const c = await Promise.race([connect(target), aborted]);
        sent = true;
        const result = await Promise.race([
          c.query<{ v: string | null; standby?: boolean }>(text.text, text.values),
          aborted,
        ]);
        if (op.f === 'read') {
          if (result.rows[0]?.standby === true && !(replicaReads && target === self)) {
            if (target === primary) primary = undefined;
            return { type: 'fail', error: `${target.name} is a standby now: the primary moved` };
          }
          const v = result.rows[0]?.v ?? undefined;
          return { type: 'ok', value: v === undefined ? null : (JSON.parse(v) as Value) };
        }
        if (op.f === 'cas' && result.rowCount !== 1) return { type: 'fail', error: 'cas: value differs' };
        return { type: 'ok', value: op.value };
      } catch (e) {
        const code = sqlState(e);
        // A standby refuses writes (25006): the primary moved; look for it again on the next op.
        if (code === '25006' || code === undefined || /^(08|57P0)/.test(code)) {
          drop(target.name);
          if (target === primary) primary = undefined;
        }
        const definite = !sent || reading || (code !== undefined && !/^(08|57P0)/.test(code));
        return definite ? { type: 'fail', error: errorText(e) } : { type: 'info', error: errorText(e) };
      }
    },
    close() {
      for (const name of [...connections.keys()]) drop(name);
      return Promise.resolve();
    },
  };
}

export default defineSystem({
  name: 'postgres-replicated',
  description:
    'PostgreSQL 15 streaming replication: n1 primary, hot standbys; a kill of the primary promotes the most caught-up standby (options.replication async | sync, options.reads primary | replica); register and key-value ops',
  workloads: ['register', 'key-value'],
  image: postgresImage,
  async install(ctx) {
    replicationOption(ctx.options['replication']);
    await execOrThrow(ctx.node, ['mkdir', '-p', ctx.dataDir]);
    await execOrThrow(ctx.node, ['chown', 'postgres:postgres', ctx.dataDir]);
    // Only the first node starts from the template; the others are base backups of the primary at start.
    if (ctx.node.name !== ctx.nodes[0]?.name) return;
    const data = pgData(ctx);
    if ((await ctx.node.exec(['test', '-f', `${data}/PG_VERSION`])).exitCode === 0) return;
    await execOrThrow(ctx.node, ['mkdir', '-p', data]);
    await execOrThrow(ctx.node, ['cp', '-a', `${postgresTemplate}/.`, `${data}/`]);
    await ctx.node.writeFile(`${data}/pg_hba.conf`, hba, { mode: 0o600 });
    await execOrThrow(ctx.node, ['chown', '-R', 'postgres:postgres', ctx.dataDir]);
    await execOrThrow(ctx.node, ['chmod', '700', data]);
  },
  async start(ctx) {
    const data = pgData(ctx);
    const has = async (file: string): Promise<boolean> =>
      (await ctx.node.exec(['test', '-f', `${data}/${file}`])).exitCode === 0;
    const first = ctx.node.name === ctx.nodes[0]?.name;
    // The first node of a fresh cluster is the primary; anyone else waits for one to copy from.
    const fresh = first && (await has('PG_VERSION')) && !(await has('standby.signal'));
    const primary = await waitForPrimary(ctx, fresh ? 0 : 30_000);
    if (primary !== undefined) {
      if (!(await has('PG_VERSION'))) await baseBackup(ctx, primary);
      else if (!(await has('standby.signal'))) {
        // A former primary: a fresh copy of the new one, unless the network between them is cut. Then it comes
        // back as a standby of its own data, which cannot follow the new primary if it committed what that one
        // never had: a stale standby, as a failover with no fencing or rewind leaves one.
        try {
          await baseBackup(ctx, primary, 20_000);
        } catch (e) {
          ctx.log(
            `base backup from ${primary.name} failed (${errorText(e).split('\n')[0] ?? ''}); standby of its own data`,
          );
          if (!(await has('PG_VERSION'))) throw e;
          await execOrThrow(ctx.node, [...asPostgres, 'touch', `${data}/standby.signal`]);
        }
      }
      await writeConninfo(ctx, primary);
    } else if (!(await has('PG_VERSION'))) {
      throw new Error(`postgres-replicated on ${ctx.node.name}: no primary answers to copy the data from`);
    }
    await lifecycle.start(ctx);
  },
  async ready(ctx) {
    const self = selfInfo(ctx);
    const role = await isPrimary(self, ctx.options);
    if (role === undefined) return false;
    if (!role) return true;
    const created = await queryNode(
      self,
      ctx.options,
      'CREATE TABLE IF NOT EXISTS kv (k text PRIMARY KEY, v text)',
      5000,
    );
    return created !== undefined;
  },
  stop: lifecycle.stop,
  async kill(ctx) {
    const wasPrimary = (await isPrimary(selfInfo(ctx), ctx.options)) === true;
    await lifecycle.kill(ctx);
    if (!wasPrimary) return;
    // Failover: the standby with the most WAL becomes the primary; the others follow it.
    const others = ctx.nodes.filter((n) => n.name !== ctx.node.name);
    const lsns = await Promise.all(
      others.map(async (n) => {
        const rows = await queryNode<{ lsn: string | null }>(
          n,
          ctx.options,
          // Received counts, not only replayed: a sync commit is acknowledged once a standby has flushed it.
          "SELECT pg_wal_lsn_diff(GREATEST(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), '0/0')::text AS lsn",
        );
        const lsn = rows?.[0]?.lsn;
        return { n, lsn: lsn === undefined || lsn === null ? undefined : Number(lsn) };
      }),
    );
    const best = lsns.filter((l) => l.lsn !== undefined).sort((a, b) => b.lsn! - a.lsn!)[0]?.n;
    if (best === undefined) {
      ctx.log('primary killed; no standby answers to promote');
      return;
    }
    const promoted = await queryNode(best, ctx.options, 'SELECT pg_promote(true, 20)', 25_000);
    ctx.log(`primary ${ctx.node.name} killed; promoted ${best.name}: ${promoted === undefined ? 'failed' : 'done'}`);
    for (const n of others.filter((o) => o.name !== best.name)) {
      await queryNode(n, ctx.options, `ALTER SYSTEM SET primary_conninfo = '${conninfo(best, ctx.options, n.name)}'`);
      await queryNode(n, ctx.options, 'SELECT pg_reload_conf()');
    }
  },
  pause: lifecycle.pause,
  resume: lifecycle.resume,
  logFiles: lifecycle.logFiles,
  primary: async (nodes, options) => (await findPrimary(nodes, options))?.name,
  client({ node, nodes, options }) {
    return Promise.resolve(replicatedClient(node, nodes, options));
  },
});
