// A Maelstrom node on ssh hosts (sshd in node containers, logged in as a sudo user): the binary's folder copied
// over ssh, the node run on each host under one exec channel whose stdio stays attached to faultline's router.
// The Python lin-kv node stays linearizable through a partition on the router and a kill of n2 (its process
// group on the host, sudo included) and a restart. The hosts run the maelstrom system's image, so python3 is
// there already and nothing is installed from Debian's archive during the test.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureSystemImage } from '../../../harness/nodes/systemImage.ts';
import maelstrom from '../../../systems-under-test/maelstrom/index.ts';
import { dockerSkip } from '../dockerEngine.ts';
import { assertFaultsStartedAndStopped } from '../faultEvents.ts';
import { runSshCampaign, sshCampaignText, startSshTestHosts, type SshTestHosts } from './sshTestHosts.ts';

const skip = dockerSkip('the maelstrom-on-ssh e2e test');
const linKvNode = fileURLToPath(new URL('../../../examples/maelstrom/lin_kv_primary.py', import.meta.url));

describe('a Maelstrom node on ssh hosts', { skip, timeout: 600_000 }, () => {
  let hosts: SshTestHosts | undefined;
  before(async () => {
    const image = await ensureSystemImage({ system: maelstrom.name, image: maelstrom.image! });
    hosts = await startSshTestHosts('maelstrom', 3, image);
  });
  after(async () => {
    await hosts?.destroy();
  });

  test('the Python lin-kv node stays linearizable through a partition and a kill, over ssh with sudo', async () => {
    const h = hosts!;
    const campaignFile = join(h.dir, 'ssh-maelstrom.yaml');
    await writeFile(
      campaignFile,
      sshCampaignText({
        name: 'ssh-maelstrom',
        addresses: h.addresses,
        privateKeyPath: './id_ed25519',
        knownHostsPath: './known_hosts',
        acceptNewHostKeys: true,
        system: `{ name: maelstrom, options: { bin: ${linKvNode}, seed: 3, network: { latency: 1 } } }`,
        workload: '{ name: key-value, keys: 4 }',
        phases: '{ warmup: 1s, faults: 3s, heal: 500ms, recovery: 1s, finalReads: 5s }',
        nemesis:
          '{ faults: [{ kind: partition, topologies: [{ grudge: { n1: [n2, n3], n2: [n1], n3: [n1] } }] }, ' +
          '{ kind: kill, targets: [[n2]] }], schedule: [{ start: 200ms, stop: 1200ms, fault: 0 }, ' +
          '{ start: 1500ms, stop: 2500ms, fault: 1 }] }',
        seed: 5,
      }),
    );
    const store = join(h.dir, 'store');
    const run = await runSshCampaign(campaignFile, store, 'of a Maelstrom node on ssh hosts');
    const output = run.output;
    assert.equal(run.exitCode, 0, output);
    const runDir = join(store, 'ssh-maelstrom', 'latest');
    const results = JSON.parse(await readFile(join(runDir, 'results.json'), 'utf8')) as {
      checks: { checker: string; valid: unknown }[];
    };
    assert.deepEqual(
      results.checks.map((c) => [c.checker, c.valid]),
      [['linearizable', true]],
      output,
    );
    assertFaultsStartedAndStopped(runDir, ['partition', 'kill']);
    const n2Log = await readFile(join(runDir, 'logs', 'n2', 'maelstrom.log'), 'utf8');
    assert.equal(
      n2Log.match(/starting .* on n2 as \/opt\/faultline\/maelstrom-node\/lin_kv_primary\.py/g)?.length,
      2,
      n2Log,
    );
    assert.match(n2Log, /exited with code 137 \(as after SIGKILL\)|was killed by SIGKILL/);
    // The router dropped messages across the partition (n2 and n3's forwards to n1, or n1's to them).
    const logs = await Promise.all(
      ['n1', 'n2', 'n3'].map((n) => readFile(join(runDir, 'logs', n, 'maelstrom-messages.jsonl'), 'utf8')),
    );
    assert.ok(
      logs.some((l) => l.includes('"reason":"partitioned"')),
      'drops across the partition are in the message logs',
    );
  });
});
