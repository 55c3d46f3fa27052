// A faultline client on one `pg` connection: each txn op is BEGIN ISOLATION LEVEL ... ; its micro-ops in
// order; COMMIT. A serialization failure or any error PostgreSQL answers is a definite rollback (`fail`); a
// connection lost or an op timed out before COMMIT was sent is `fail` too (the server rolls back a txn whose
// session ends); after COMMIT was sent it is `info` (it may have committed). A broken connection is replaced
// on the next op.
import pg from 'pg';
import type { Client, ClientOp, Completion, Value } from '../../harness/plugin.ts';
import {
  beginStatement,
  errorText,
  microOpStatement,
  readValue,
  txnErrorOutcome,
  type PgIsolation,
  type PgWorkload,
} from './pgTxn.ts';

export interface PgTarget {
  host: string;
  port: number;
  isolation: PgIsolation;
  workload: PgWorkload;
}

class Aborted extends Error {
  constructor() {
    super('the op timed out');
  }
}

export function pgClient(target: PgTarget): Client {
  let connection: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;

  const drop = (c: pg.Client | undefined): void => {
    if (c === undefined) return;
    if (connection === c) connection = undefined;
    c.removeAllListeners('error');
    c.on('error', () => undefined);
    // Not awaited: a paused server never answers the goodbye; the socket is closed on our side either way.
    void c.end().catch(() => undefined);
  };

  const connect = (): Promise<pg.Client> => {
    if (connection !== undefined) return Promise.resolve(connection);
    connecting ??= (async () => {
      const c = new pg.Client({
        host: target.host,
        port: target.port,
        user: 'postgres',
        database: 'postgres',
        connectionTimeoutMillis: 2000,
        // bigint as text would be the default; the register values are small integers.
        application_name: 'faultline',
      });
      // An error between ops (the server killed) must not crash the process; the next op reconnects.
      c.on('error', () => {
        drop(c);
      });
      try {
        await c.connect();
      } catch (e) {
        drop(c);
        throw e;
      }
      connection = c;
      return c;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  return {
    async invoke(op: ClientOp, signal: AbortSignal): Promise<Completion> {
      if (op.f !== 'txn' || !Array.isArray(op.value)) {
        return { type: 'fail', error: `postgres adapter: unsupported f ${op.f} (txn only)` };
      }
      const micros = op.value;
      // Checked before anything is sent: a micro-op of the wrong workload is the campaign's mistake.
      let statements;
      try {
        statements = micros.map((m) => microOpStatement(target.workload, m));
      } catch (e) {
        return { type: 'fail', error: errorText(e) };
      }
      let commitSent = false;
      let c: pg.Client | undefined;
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => {
          reject(new Aborted());
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      aborted.catch(() => undefined);
      const step = <T>(p: Promise<T>): Promise<T> => Promise.race([p, aborted]);
      try {
        c = await step(connect());
        await step(c.query(beginStatement(target.isolation)));
        const done: Value[] = [];
        for (const [i, statement] of statements.entries()) {
          const micro = micros[i] as [Value, string, Value];
          const result = await step(c.query<{ v: unknown }>(statement.text, statement.values));
          done.push(micro[0] === 'r' ? [micro[0], micro[1], readValue(target.workload, result.rows)] : micro);
        }
        commitSent = true;
        await step(c.query('COMMIT'));
        return { type: 'ok', value: done };
      } catch (e) {
        const outcome = txnErrorOutcome(e, commitSent);
        // After a server error the txn is aborted: roll it back so the connection serves the next op. Any
        // other failure leaves the connection in an unknown state: replace it.
        if (c !== undefined) {
          if (!(e instanceof Aborted) && txnErrorOutcome(e, false) === 'definite' && errorHasSqlState(e)) {
            await step(c.query('ROLLBACK')).catch(() => {
              drop(c);
            });
          } else drop(c);
        }
        const error = errorText(e);
        return outcome === 'definite' ? { type: 'fail', error } : { type: 'info', error };
      } finally {
        if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
      }
    },
    close(): Promise<void> {
      drop(connection);
      return Promise.resolve();
    },
  };
}

function errorHasSqlState(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(08|57P0)/.test(code);
}
