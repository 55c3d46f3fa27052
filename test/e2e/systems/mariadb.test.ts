// MariaDB 10.11 (InnoDB) on one container, end to end through `faultline run`: list-append at serializable
// under kills and pauses must hold every time; at repeatable read, lost update or G-single (or an internal
// anomaly) is caught, as Jepsen's MySQL 8.0.34 analysis found for InnoDB (a miss is printed).
// Skips when no Docker engine answers.
import { test } from 'node:test';
import { dockerSkip } from '../dockerEngine.ts';
import { runRealSystemRow } from './realSystemRow.ts';

const skip = dockerSkip('mariadb e2e');

test(
  'mariadb serializable, list-append under kill and pause: serializable holds',
  { skip, timeout: 600_000 },
  async (t) => {
    await runRealSystemRow(t, 'examples/real/mariadb-serializable-list-append.yaml');
  },
);

test('mariadb repeatable read, list-append: InnoDB anomalies caught', { skip, timeout: 600_000 }, async (t) => {
  await runRealSystemRow(t, 'examples/real/mariadb-repeatable-read-list-append.yaml');
});
