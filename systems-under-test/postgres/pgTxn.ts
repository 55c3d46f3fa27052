// The pure part of the PostgreSQL client: which table a workload uses, the SQL of each micro-op, the
// isolation level's BEGIN, how a read's row becomes the value the checker reads, and what an error means for
// the txn's outcome (SQLSTATE classes). pgClient.ts runs it over a `pg` connection.
import type { Value } from '../../harness/plugin.ts';

/** The transactional workloads this adapter serves; a read-only txn looks the same in both, so it must be told. */
export type PgWorkload = 'list-append' | 'rw-register';
export const pgWorkloads: readonly PgWorkload[] = ['list-append', 'rw-register'];

export type PgIsolation = 'read-committed' | 'repeatable-read' | 'serializable';
export const pgIsolations: readonly PgIsolation[] = ['read-committed', 'repeatable-read', 'serializable'];

/** options.isolation as a level: 'serializable', 'repeatable read', 'REPEATABLE_READ' ... Default serializable. */
export function pgIsolationOption(value: unknown): PgIsolation {
  if (value === undefined) return 'serializable';
  const level =
    typeof value === 'string'
      ? value
          .trim()
          .toLowerCase()
          .replace(/[\s_]+/g, '-')
      : '';
  if ((pgIsolations as readonly string[]).includes(level)) return level as PgIsolation;
  throw new Error(
    `postgres: system option isolation ${JSON.stringify(value)} is not one of ${pgIsolations.join(', ')}`,
  );
}

/** options.workload: list-append (default) or rw-register. */
export function pgWorkloadOption(value: unknown): PgWorkload {
  if (value === undefined) return 'list-append';
  if (typeof value === 'string' && (pgWorkloads as readonly string[]).includes(value)) return value as PgWorkload;
  throw new Error(
    `postgres: system option workload ${JSON.stringify(value)} is not one of ${pgWorkloads.join(', ')} (say which the campaign runs)`,
  );
}

export function beginStatement(isolation: PgIsolation): string {
  return `BEGIN ISOLATION LEVEL ${isolation.replace('-', ' ').toUpperCase()}`;
}

/** The tables, created once per database (idempotent). List elements are kept as comma-separated text, as Jepsen does. */
export const createTablesSql = [
  'CREATE TABLE IF NOT EXISTS lists (k text PRIMARY KEY, v text NOT NULL)',
  'CREATE TABLE IF NOT EXISTS registers (k text PRIMARY KEY, v bigint)',
].join('; ');

export interface MicroOpStatement {
  text: string;
  values: (string | number)[];
}

/** The statement of one micro-op: ['r', k, null], ['append', k, v] or ['w', k, v]. */
export function microOpStatement(workload: PgWorkload, micro: Value): MicroOpStatement {
  if (!Array.isArray(micro) || micro.length !== 3 || typeof micro[1] !== 'string') {
    throw new Error(`postgres: a micro-op must be [f, key, value], not ${JSON.stringify(micro)}`);
  }
  const [f, key, value] = micro as [Value, string, Value];
  const expected = workload === 'list-append' ? 'append' : 'w';
  if (f === 'r') {
    return {
      text: workload === 'list-append' ? 'SELECT v FROM lists WHERE k = $1' : 'SELECT v FROM registers WHERE k = $1',
      values: [key],
    };
  }
  if (f !== expected) {
    throw new Error(
      `postgres: micro-op ${JSON.stringify(f)} does not belong to the ${workload} workload (system option workload)`,
    );
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new Error(`postgres: ${f} needs an integer value, not ${JSON.stringify(value)}`);
  }
  return workload === 'list-append'
    ? {
        // Appends by read-modify-write inside the database: ON CONFLICT updates the row the txn sees locked.
        text: "INSERT INTO lists AS t (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = t.v || ',' || EXCLUDED.v",
        values: [key, String(value)],
      }
    : {
        text: 'INSERT INTO registers AS t (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v',
        values: [key, value],
      };
}

/** What a read's row says: list-append → the list ([] when absent); rw-register → the value (null when absent). */
export function readValue(workload: PgWorkload, rows: readonly { v: unknown }[]): Value {
  const v = rows[0]?.v;
  if (workload === 'list-append') {
    if (typeof v !== 'string' || v === '') return [];
    return v.split(',').map(Number);
  }
  // bigint arrives as text from the driver; the workload's values are small integers.
  return typeof v === 'string' || typeof v === 'number' ? Number(v) : null;
}

/**
 * What an error means for a txn. `definite`: PostgreSQL rolled it back (serialization failure, deadlock,
 * constraint, ... any SQLSTATE reply) or it never got to COMMIT, so it did not happen. `unknown`: the COMMIT
 * was sent and no reply came (connection lost, timeout): it may have committed.
 */
export function txnErrorOutcome(error: unknown, commitSent: boolean): 'definite' | 'unknown' {
  const code = sqlState(error);
  // A reply with a SQLSTATE is the server's verdict, except connection and shutdown classes at COMMIT, where
  // the server may have committed before it went away (08: connection exception; 57P0x: admin/crash shutdown).
  if (code !== undefined && !/^(08|57P0)/.test(code)) return 'definite';
  return commitSent ? 'unknown' : 'definite';
}

/** The error's SQLSTATE when the server sent one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function errorText(error: unknown): string {
  const code = sqlState(error);
  const message = error instanceof Error ? error.message : String(error);
  return code !== undefined ? `${code} ${message}` : message;
}
