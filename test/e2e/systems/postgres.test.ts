// PostgreSQL 15 on a container through the plug-in API: its node image is built from the declaration, initdb
// and start work, appends and reads are transactional, a write skew between two serializable txns fails one of
// them (40001 → fail) while repeatable read lets both commit, and a killed postmaster restarts with its data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client, ClientOp, Completion } from '../../../harness/plugin.ts';
import pg from 'pg';
import postgres from '../../../systems-under-test/postgres/index.ts';
import { beginStatement, microOpStatement, sqlState } from '../../../systems-under-test/postgres/pgTxn.ts';
import { dockerSkip } from '../dockerEngine.ts';
import { bringUpSystem, systemCluster } from './systemCluster.ts';

const skip = dockerSkip('postgres e2e');

const txn = (...micros: [string, string, number | null][]): ClientOp => ({ f: 'txn', value: micros });
const invoke = (client: Client, op: ClientOp): Promise<Completion> => client.invoke(op, AbortSignal.timeout(10_000));

test(
  'postgres on a container: txns, serializable refuses write skew, repeatable read allows it (SQL as the client sends it), restart keeps data',
  { skip, timeout: 600_000 },
  async (t) => {
    const cluster = await systemCluster('postgres', 1, 'images', postgres);
    t.after(() => cluster.destroy());
    const dataDir = '/var/lib/faultline/postgres';
    const serializable = await bringUpSystem(cluster, postgres, { dataDir, options: { isolation: 'serializable' } });
    const c1 = await serializable.client('n1');
    t.after(() => c1.close());

    assert.deepEqual(
      await invoke(c1, txn(['r', 'k1', null], ['append', 'k1', 1], ['append', 'k1', 2], ['r', 'k1', null])),
      {
        type: 'ok',
        value: [
          ['r', 'k1', []],
          ['append', 'k1', 1],
          ['append', 'k1', 2],
          ['r', 'k1', [1, 2]],
        ],
      },
    );

    // Write skew, interleaved step by step on two raw connections with the SQL the client runs: both read k2
    // and k3, each appends to a different one. Serializable refuses the second commit (40001); repeatable
    // read (snapshot isolation) lets both commit.
    const skew = async (
      isolation: 'serializable' | 'repeatable-read',
      base: number,
    ): Promise<(string | undefined)[]> => {
      const connections = [0, 1].map(
        () => new pg.Client({ host: cluster.nodes[0]!.address, port: 5432, user: 'postgres' }),
      );
      await Promise.all(connections.map((c) => c.connect()));
      try {
        const [a, b] = connections as [pg.Client, pg.Client];
        const run = (c: pg.Client, micro: [string, string, number | null]) => {
          const s = microOpStatement('list-append', micro);
          return c.query(s.text, s.values);
        };
        for (const c of [a, b]) {
          await c.query(beginStatement(isolation));
          await run(c, ['r', 'k2', null]);
          await run(c, ['r', 'k3', null]);
        }
        await run(a, ['append', 'k2', base + 1]);
        await run(b, ['append', 'k3', base + 2]);
        const outcomes: (string | undefined)[] = [];
        for (const c of [a, b]) {
          outcomes.push(
            await c.query('COMMIT').then(
              () => 'committed',
              (e: unknown) => sqlState(e),
            ),
          );
        }
        return outcomes;
      } finally {
        await Promise.all(connections.map((c) => c.end()));
      }
    };
    assert.deepEqual(await skew('serializable', 100), ['committed', '40001']);
    assert.deepEqual(await skew('repeatable-read', 200), ['committed', 'committed']);

    // kill -9 and restart: committed data survives.
    await postgres.kill(serializable.ctx('n1'));
    const afterKill = await invoke(c1, txn(['r', 'k1', null]));
    assert.notEqual(afterKill.type, 'ok', 'no server: the txn cannot be ok');
    assert.equal(afterKill.type, 'fail', 'refused before COMMIT: definitely not done');
    await postgres.start(serializable.ctx('n1'));
    await serializable.readyOn('n1');
    assert.deepEqual(await invoke(c1, txn(['r', 'k1', null])), { type: 'ok', value: [['r', 'k1', [1, 2]]] });

    // A wrong micro-op for the workload is a fail naming the option, never sent.
    const wrong = await invoke(c1, txn(['w', 'k1', 5]));
    assert.equal(wrong.type, 'fail');
    assert.match((wrong as { error: string }).error, /workload/);

    const logs = (await cluster.nodes[0]!.exec(['cat', ...(postgres.logFiles?.(serializable.ctx('n1')) ?? [])])).stdout;
    assert.match(logs, /database system is ready to accept connections/);
  },
);
