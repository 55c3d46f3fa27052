// A client holding one mysql2 connection to MariaDB at the campaign's isolation level; each txn op is one SQL
// transaction (statements and outcome rules in txnSql.ts). A connection that broke is opened again on the
// next op, under the same process: an op that failed before COMMIT left nothing behind.
import mysql from 'mysql2/promise';
import type { Client, ClientOp, Completion, Value } from '../../harness/plugin.ts';
import type { IsolationLevel, TxnTable } from './txnSql.ts';
import { commitErrorType, isolationLevels, microOpStatement, microOps, readValue } from './txnSql.ts';

export interface MariadbClientOptions {
  host: string;
  port: number;
  isolation: IsolationLevel;
  table: TxnTable;
  connectTimeoutMs: number;
}

export const mariadbUser = { user: 'faultline', password: 'faultline', database: 'faultline' } as const;

function describe(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const err = e as { code?: unknown; errno?: unknown; message?: unknown };
    return `${String(err.code)}${typeof err.errno === 'number' ? ` (${err.errno})` : ''}: ${String(err.message)}`;
  }
  return e instanceof Error ? e.message : String(e);
}

export async function openMariadbConnection(options: Omit<MariadbClientOptions, 'table'>): Promise<mysql.Connection> {
  const connection = await mysql.createConnection({
    host: options.host,
    port: options.port,
    ...mariadbUser,
    connectTimeout: options.connectTimeoutMs,
    // BIGINT values back as numbers (ours are small), not strings.
    supportBigNumbers: true,
    bigNumberStrings: false,
  });
  // Swallowed here: a broken connection shows as the next query's error, which the op records.
  connection.on('error', () => undefined);
  await connection.query(`SET SESSION TRANSACTION ISOLATION LEVEL ${isolationLevels[options.isolation]}`);
  return connection;
}

export async function openMariadbClient(options: MariadbClientOptions): Promise<Client> {
  let connection: mysql.Connection | undefined = await openMariadbConnection(options);
  return {
    async invoke(op: ClientOp, signal: AbortSignal): Promise<Completion> {
      if (op.f !== 'txn') return { type: 'fail', error: `mariadb adapter: unsupported f ${op.f} (txn)` };
      const ops = microOps(op.value);
      let conn: mysql.Connection;
      try {
        conn = connection ?? (await openMariadbConnection(options));
        connection = conn;
      } catch (e) {
        return { type: 'fail', error: `not connected: ${describe(e)}` };
      }
      // At the op timeout the connection is dropped: the server rolls back what was not committed.
      const onAbort = (): void => {
        conn.destroy();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      let commitSent = false;
      try {
        await conn.query('START TRANSACTION');
        const completed: Value[] = [];
        for (const m of ops) {
          const statement = microOpStatement(m, options.table);
          const [rows] = await conn.execute(statement.sql, statement.params);
          completed.push(m[0] === 'r' ? [m[0], m[1], readValue(rows as { v: unknown }[], options.table)] : m);
        }
        commitSent = true;
        await conn.query('COMMIT');
        return { type: 'ok', value: completed };
      } catch (e) {
        const error = describe(e);
        if (commitSent) {
          const errno = typeof e === 'object' && e !== null && 'errno' in e ? Number(e.errno) : undefined;
          if (commitErrorType(errno) === 'fail') return { type: 'fail', error: `COMMIT refused: ${error}` };
          connection = undefined;
          conn.destroy();
          return { type: 'info', error: `during COMMIT: ${error}` };
        }
        // Deadlocks and lock wait timeouts leave the connection usable; roll back whatever the txn did.
        try {
          await conn.query('ROLLBACK');
        } catch {
          connection = undefined;
          conn.destroy();
        }
        return { type: 'fail', error };
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    async close(): Promise<void> {
      const conn = connection;
      connection = undefined;
      if (conn === undefined) return;
      try {
        await conn.end();
      } catch {
        conn.destroy();
      }
    },
  };
}
