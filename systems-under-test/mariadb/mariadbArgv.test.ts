import assert from 'node:assert/strict';
import { test } from 'node:test';
import { galeraArgs } from './galera.ts';
import { initSql, mariadbArgv } from './index.ts';

const nodes = [
  { name: 'n1', address: '10.0.0.11' },
  { name: 'n2', address: '10.0.0.12' },
  { name: 'n3', address: '10.0.0.13' },
];

test('mariadbd: no config files, the campaign’s isolation level in its dashed spelling, durable commits', () => {
  const argv = mariadbArgv({ dataDir: '/d', options: { isolation: 'serializable', workload: 'list-append' } });
  assert.equal(argv[0], 'mariadbd');
  assert.equal(argv[1], '--no-defaults');
  assert.ok(argv.includes('--transaction-isolation=SERIALIZABLE'));
  assert.ok(mariadbArgv({ dataDir: '/d', options: {} }).includes('--transaction-isolation=REPEATABLE-READ'));
  assert.ok(argv.includes('--innodb-flush-log-at-trx-commit=1'));
  assert.ok(argv.includes('--innodb-snapshot-isolation=OFF'));
  assert.ok(
    mariadbArgv({ dataDir: '/d', options: { snapshotIsolation: true } }).includes('--innodb-snapshot-isolation=ON'),
  );
  assert.ok(argv.includes('--datadir=/d/mysql'));
});

test('the init file: one statement a line, idempotent', () => {
  const lines = initSql()
    .split('\n')
    .filter((l) => l !== '');
  assert.ok(lines.every((l) => l.endsWith(';')));
  assert.ok(
    lines.every((l) => /IF NOT EXISTS|^GRANT/.test(l)),
    lines.join('\n'),
  );
});

test('galera: every node names all of them; only a bootstrap forms a new cluster', () => {
  const args = galeraArgs({ node: { name: 'n2', address: '10.0.0.12' }, nodes }, false);
  assert.ok(args.includes('--wsrep-cluster-address=gcomm://10.0.0.11,10.0.0.12,10.0.0.13'));
  assert.ok(args.includes('--wsrep-node-address=10.0.0.12'));
  assert.ok(!args.includes('--wsrep-new-cluster'));
  assert.ok(galeraArgs({ node: { name: 'n1', address: '10.0.0.11' }, nodes }, true).includes('--wsrep-new-cluster'));
});
