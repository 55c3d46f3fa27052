// MariaDB Galera Cluster on three containers, end to end through `faultline run`: the cluster bootstraps and
// joins by state transfer, every node takes list-append txns at repeatable read, and the run catches lost
// update or G-single (a miss is printed as a figure). Skips when no Docker engine answers.
import { test } from 'node:test';
import { dockerSkip } from '../dockerEngine.ts';
import { runRealSystemRow } from './realSystemRow.ts';

const skip = dockerSkip('mariadb galera e2e');

test('mariadb galera, repeatable read on three writers: anomalies caught', { skip, timeout: 600_000 }, async (t) => {
  await runRealSystemRow(t, 'examples/real/mariadb-galera-repeatable-read-list-append.yaml');
});
