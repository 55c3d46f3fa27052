// Real-clock faults on an ssh host (issue #6), as far as they can be tested here: the commands only, against
// recording stand-ins for `date` and `systemctl` (installClockRecorder: the clock is never set, and the host
// could not set it anyway). What this proves: the argv, the sudo path, the arithmetic, the bookkeeping that lets
// a crashed run's heal restore the clock, and the time sync handling. What it cannot: that a real machine's
// clock moves and comes back, since containers share this machine's clock.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { execOrThrow } from '../../../harness/nodes/remote.ts';
import { connectSsh, type SshRemote } from '../../../harness/nodes/ssh.ts';
import {
  bumpSystemClock,
  bumpSystemClockArgv,
  restoreSystemClock,
  restoreSystemClockArgv,
  stoppedTimeSyncFile,
  systemClockOffsetFile,
} from '../../../nemesis/faults/clock.ts';
import { healAll } from '../../../nemesis/healAll.ts';
import { dockerSkip } from '../dockerEngine.ts';
import {
  dateLog,
  failSetFlag,
  installClockRecorder,
  startSshTestHosts,
  systemctlLog,
  type SshTestHosts,
} from './sshTestHosts.ts';

const skip = dockerSkip('the ssh real-clock command test');
describe(
  'real-clock faults on an ssh host (commands recorded, the clock never set)',
  { skip, timeout: 600_000 },
  () => {
    let hosts: SshTestHosts | undefined;
    let remote: SshRemote | undefined;
    const lines = async (path: string): Promise<string[]> => {
      const r = await hosts!.containers.nodes[0]!.exec(['cat', path]);
      return r.stdout.split('\n').filter((l) => l !== '');
    };

    before(async () => {
      hosts = await startSshTestHosts('clock', 1);
      await installClockRecorder(hosts.containers.nodes[0]!);
      // Through ssh as the sudo user, as a campaign would log in: the stand-in must be the `date` sudo finds.
      const knownHostsPath = `${hosts.dir}/known_hosts`;
      await writeFile(knownHostsPath, `${hosts.knownHostsLines.join('\n')}\n`);
      remote = await connectSsh({
        host: hosts.addresses[0]!,
        user: 'faultline',
        privateKeyPath: hosts.keyPath,
        knownHostsPath,
        onWarning: (m) => {
          process.stderr.write(`${m}\n`);
        },
        name: 'n1',
      });
      const found = await execOrThrow(remote, ['sh', '-c', 'command -v date; command -v systemctl']);
      assert.deepEqual(found.trim().split('\n'), ['/usr/local/bin/date', '/usr/local/bin/systemctl']);
    });
    after(async () => {
      await remote?.close();
      await hosts?.destroy();
    });

    test('values travel only as arguments after constant scripts', () => {
      const a = bumpSystemClockArgv(30_000);
      const b = bumpSystemClockArgv(-5);
      assert.equal(a[2], b[2]);
      assert.deepEqual(a.slice(4, 7), ['30000', systemClockOffsetFile, stoppedTimeSyncFile]);
      assert.deepEqual(b[4], '-5');
      assert.throws(() => bumpSystemClockArgv(Number.NaN), /finite/);
      assert.deepEqual(restoreSystemClockArgv().slice(4), [systemClockOffsetFile, stoppedTimeSyncFile]);
    });

    test('bump, bump, restore: the right `date -s` as root, time sync stopped and restarted', async () => {
      const r = remote!;
      await bumpSystemClock(r, 30_000);
      await bumpSystemClock(r, -5_000);
      assert.equal((await execOrThrow(r, ['cat', systemClockOffsetFile])).trim(), '25000');
      assert.equal(await restoreSystemClock(r), true);
      assert.deepEqual(await lines(dateLog), [
        '0 +%s%N',
        '0 -s @1700000030.123',
        '0 +%s%N',
        '0 -s @1699999995.123',
        '0 +%s%N',
        '0 -s @1699999975.123',
      ]);
      const systemctl = await lines(systemctlLog);
      assert.deepEqual(
        systemctl.filter((c) => !c.startsWith('is-active')),
        ['stop chrony', 'start chrony'],
        'chrony was stopped once, before the first move, and started after the restore',
      );
      assert.equal(systemctl.filter((c) => c.startsWith('is-active')).length, 7, 'probed once, at the first bump');
      assert.equal(await restoreSystemClock(r), false, 'nothing left to restore');
    });

    test('a crashed run: healAll on the ssh backend restores the clock from what the node recorded', async () => {
      const r = remote!;
      await execOrThrow(r, ['rm', '-f', dateLog, systemctlLog]);
      await bumpSystemClock(r, -90_000);
      const reports = await healAll([r], { backend: 'ssh' });
      assert.deepEqual(reports, [{ node: 'n1', healed: ['clock'], errors: [], left: [] }]);
      assert.deepEqual((await lines(dateLog)).slice(-1), ['0 -s @1700000090.123']);
      assert.deepEqual((await lines(systemctlLog)).slice(-1), ['start chrony']);
    });

    test('a `date -s` that fails is an error naming the node, and leaves nothing for heal to undo', async () => {
      const r = remote!;
      await hosts!.containers.nodes[0]!.writeFile(failSetFlag, '');
      await assert.rejects(bumpSystemClock(r, 10_000), (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.match(e.message, /n1/);
        assert.match(e.message, /Operation not permitted/);
        return true;
      });
      assert.notEqual((await r.exec(['test', '-f', systemClockOffsetFile])).exitCode, 0, 'no offset recorded');
      await execOrThrow(r, ['rm', '-f', failSetFlag]);
      // The time sync service stopped before the failed move is still started again by the heal.
      assert.equal(await restoreSystemClock(r), true);
      assert.deepEqual((await lines(systemctlLog)).slice(-1), ['start chrony']);
      assert.equal((await lines(dateLog)).filter((l) => l.includes('-s @1700000000.123')).length, 0);
    });
  },
);
