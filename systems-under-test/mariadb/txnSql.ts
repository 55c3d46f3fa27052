// The SQL of a list-append or rw-register transaction on MariaDB, and how each outcome is recorded: pure, so
// every rule is unit-tested. One table per workload, one row per key:
//   lists(k, v TEXT)       append: INSERT ... ON DUPLICATE KEY UPDATE v = CONCAT(v, ',', elem); read: SELECT v
//   registers(k, v BIGINT) w: INSERT ... ON DUPLICATE KEY UPDATE v = value;                 read: SELECT v
// A transaction is START TRANSACTION, its micro-ops in order, COMMIT, at the session's isolation level.
// Outcome rules: an error before COMMIT was sent is a fail (we roll back, and a server that lost the
// connection rolls back too); an error or silence after COMMIT was sent is info, since it may have committed,
// except a deadlock error answering COMMIT (Galera's certification failure), which rolled it back: a fail.
import type { Value } from '../../harness/plugin.ts';

export const isolationLevels = {
  'read-uncommitted': 'READ UNCOMMITTED',
  'read-committed': 'READ COMMITTED',
  'repeatable-read': 'REPEATABLE READ',
  serializable: 'SERIALIZABLE',
} as const;
export type IsolationLevel = keyof typeof isolationLevels;

/** The system option `isolation` (default repeatable read, InnoDB's default); a bad one is named. */
export function isolationOption(options: Record<string, unknown>): IsolationLevel {
  const value = options['isolation'] ?? 'repeatable-read';
  if (typeof value === 'string' && Object.hasOwn(isolationLevels, value)) return value as IsolationLevel;
  throw new Error(
    `mariadb: system option isolation must be one of ${Object.keys(isolationLevels).join(', ')}, got ${JSON.stringify(value)}`,
  );
}

/** The tables, created at every start (idempotent): the init file mariadbd runs. */
export const schemaSql = [
  'CREATE TABLE IF NOT EXISTS faultline.lists (k VARCHAR(64) PRIMARY KEY, v TEXT NOT NULL) ENGINE=InnoDB',
  'CREATE TABLE IF NOT EXISTS faultline.registers (k VARCHAR(64) PRIMARY KEY, v BIGINT NOT NULL) ENGINE=InnoDB',
];

export type MicroOp = ['r' | 'append' | 'w', string, Value];

export interface Statement {
  sql: string;
  params: (string | number)[];
}

/** Reads a txn value ([["r", k, null], ["append", k, 3], ...]); throws naming the micro-op that is not one. */
export function microOps(value: Value): MicroOp[] {
  if (!Array.isArray(value))
    throw new Error(`mariadb adapter: a txn value is a list of micro-ops, got ${JSON.stringify(value)}`);
  return value.map((m, i) => {
    if (
      !Array.isArray(m) ||
      m.length !== 3 ||
      (m[0] !== 'r' && m[0] !== 'append' && m[0] !== 'w') ||
      typeof m[1] !== 'string' ||
      (m[0] !== 'r' && typeof m[2] !== 'number')
    ) {
      throw new Error(`mariadb adapter: micro-op ${i} is not [r|append|w, key, value]: ${JSON.stringify(m)}`);
    }
    return m as MicroOp;
  });
}

/** The statement of one micro-op. */
export function microOpStatement(m: MicroOp, table: TxnTable): Statement {
  const [f, k, v] = m;
  if (f === 'r') return { sql: `SELECT v FROM ${table} WHERE k = ?`, params: [k] };
  const elem = v as number;
  if (f === 'append') {
    return {
      sql: "INSERT INTO lists (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = CONCAT(v, ',', ?)",
      params: [k, String(elem), String(elem)],
    };
  }
  return { sql: 'INSERT INTO registers (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = ?', params: [k, elem, elem] };
}

export type TxnTable = 'lists' | 'registers';

/**
 * The table of the workload the client serves: a reads-only txn (the final reads) cannot tell, since an empty
 * list and a never-written register read the same from SQL. The campaign says it in the system's options
 * (`workload: list-append | rw-register`) until the harness tells clients their workload.
 */
export function workloadTable(options: Record<string, unknown>): TxnTable {
  const workload = options['workload'];
  if (workload === 'list-append') return 'lists';
  if (workload === 'rw-register') return 'registers';
  throw new Error(
    `mariadb: system option workload must be list-append or rw-register (the campaign's workload.name), got ${JSON.stringify(workload)}`,
  );
}

/** A read's rows as the micro-op's value: a list for lists (empty when no row), a number or null for registers. */
export function readValue(rows: readonly { v: unknown }[], table: TxnTable): Value {
  const raw = rows[0]?.v;
  // TEXT arrives as a string, or as bytes when the connection's charset is binary.
  const stored = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
  if (table === 'lists') {
    if (typeof stored !== 'string' || stored === '') return [];
    return stored.split(',').map((e) => Number(e));
  }
  if (stored === undefined || stored === null) return null;
  return Number(stored);
}

/** ER_LOCK_DEADLOCK: a deadlock victim, or on Galera a write-set that failed certification; rolled back. */
export const erLockDeadlock = 1213;

/**
 * How an error that answered COMMIT is recorded. A deadlock (on Galera: certification failure, reported at
 * COMMIT) rolled the txn back: a fail. Any other error, or no answer, leaves it unknown: info.
 */
export function commitErrorType(errno: number | undefined): 'fail' | 'info' {
  return errno === erLockDeadlock ? 'fail' : 'info';
}
