// `faultline run` on a campaign whose nodes are ssh hosts (issue #7): three sshd machines reached by address
// with key auth as a sudo user, host keys accepted on first use (accept-new) into a known_hosts file next to
// the campaign; raft-kv installed through its plug-in lifecycle over ssh, a register workload, partitions, and
// real-clock bumps (realClock: true) against recording stand-ins for `date` and `systemctl` (the clock is never
// set: see installClockRecorder). The run must store a history with the faults in it, results.json with a
// verdict, and every node's log; every clock move must be undone and every time sync service restarted.
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readHistoryJsonl } from '../../../harness/history/jsonl.ts';
import { readSshHosts } from '../../../harness/run/sshHosts.ts';
import { dockerSkip } from '../dockerEngine.ts';
import {
  dateLog,
  installClockRecorder,
  sshCampaignText,
  startSshTestHosts,
  systemctlLog,
  type SshTestHosts,
  runSshCampaign,
} from './sshTestHosts.ts';

const skip = dockerSkip('the ssh campaign e2e test');

describe('a campaign on ssh hosts', { skip, timeout: 600_000 }, () => {
  let hosts: SshTestHosts | undefined;
  before(async () => {
    hosts = await startSshTestHosts('campaign');
    await Promise.all(hosts.containers.nodes.map(installClockRecorder));
  });
  after(async () => {
    await hosts?.destroy();
  });

  test('runs end to end: installs over ssh, partitions, records, checks, collects logs', async () => {
    const h = hosts!;
    const campaignFile = join(h.dir, 'ssh-raft-kv.yaml');
    // Relative paths: resolved against the campaign file, not the directory faultline runs in.
    await writeFile(
      campaignFile,
      sshCampaignText({
        name: 'ssh-raft-kv',
        addresses: h.addresses,
        privateKeyPath: './id_ed25519',
        knownHostsPath: './known_hosts',
        acceptNewHostKeys: true,
        phases: '{ warmup: 3s, faults: 14s, heal: 2s, recovery: 4s, finalReads: 5s }',
        nemesis:
          '{ faults: [{ kind: partition, topologies: [one, halves] }, { kind: clock, realClock: true, targets: [one] }], ' +
          'interval: 2s, hold: 3s }',
        seed: 7,
      }),
    );
    const store = join(h.dir, 'store');
    const run = await runSshCampaign(campaignFile, store, 'on ssh hosts');
    const output = run.output;
    assert.equal(run.exitCode, 0, output);
    assert.match(output, /WARNING: accepted a NEW ssh host key/, 'accept-new warns about each new key');

    const runDir = join(store, 'ssh-raft-kv', 'latest');
    const results = JSON.parse(await readFile(join(runDir, 'results.json'), 'utf8')) as {
      nodes: string[];
      harness: { status: string; errors: string[] };
      faults: { applied: string[]; unavailable: unknown[] };
      opCounts: { ok: number; fail: number; info: number };
      checks: { checker: string; valid: boolean | 'unknown' }[];
    };
    assert.equal(results.harness.status, 'passed', results.harness.errors.join('\n'));
    assert.deepEqual(results.nodes, ['n1', 'n2', 'n3']);
    // The faults that ran, from the recorded events, in the order they first started.
    assert.deepEqual([...results.faults.applied].sort(), ['clock', 'partition']);
    assert.deepEqual(results.faults.unavailable, []);
    assert.ok(results.opCounts.ok > 20, `only ${results.opCounts.ok} ops succeeded`);
    assert.deepEqual(
      results.checks.map((c) => [c.checker, c.valid]),
      [['linearizable', true]],
    );

    const history = readHistoryJsonl(join(runDir, 'history.jsonl')).ops;
    const faults = history.filter((op) => op.process === 'nemesis');
    assert.deepEqual(
      faults.filter((op) => op.error !== undefined).map((op) => `${op.f}: ${String(op.error)}`),
      [],
      'every fault was applied and healed over ssh',
    );
    const partitions = faults.filter((op) => op.f === 'start-partition');
    assert.ok(partitions.length >= 2, `${partitions.length} partitions started`);
    const clocks = faults.filter((op) => op.f === 'start-clock');
    assert.ok(clocks.length >= 1, `${clocks.length} clock faults started`);
    assert.ok(clocks.every((op) => (op.value as { via?: string }).via === 'system-clock'));

    // Every move of the (stand-in) real clock was undone: a restore per bump, as root, nothing left recorded.
    let sets = 0;
    for (const node of h.containers.nodes) {
      const calls = (await node.exec(['cat', dateLog])).stdout.split('\n').filter((l) => l.includes(' -s '));
      assert.ok(
        calls.every((c) => c.startsWith('0 ')),
        `date -s as root on ${node.name}`,
      );
      assert.equal(calls.length % 2, 0, `each bump on ${node.name} restored: ${calls.join(', ')}`);
      sets += calls.length;
      const systemctl = (await node.exec(['cat', systemctlLog])).stdout;
      assert.equal(systemctl.match(/^stop chrony$/gm)?.length, systemctl.match(/^start chrony$/gm)?.length);
      assert.notEqual((await node.exec(['ls', '/var/lib/faultline/clock-offset-ms'])).exitCode, 0);
    }
    assert.ok(sets >= 2, 'the real clock was bumped and restored');

    for (const node of ['n1', 'n2', 'n3']) {
      const logs = await readdir(join(runDir, 'logs', node));
      assert.deepEqual(logs, ['raft-kv.log'], `node logs of ${node}`);
      assert.ok((await readFile(join(runDir, 'logs', node, 'raft-kv.log'), 'utf8')).length > 0);
    }

    // accept-new recorded each host's key, next to the campaign as the campaign asked.
    const knownHosts = await readFile(join(h.dir, 'known_hosts'), 'utf8');
    for (const line of h.knownHostsLines) assert.ok(knownHosts.includes(line), `known_hosts records ${line}`);
    // The hosts as connected to, for `faultline clean --heal`: paths resolved, no key material.
    const stored = readSshHosts(runDir);
    assert.deepEqual(
      stored?.map((s) => [s.name, s.host, s.user, s.privateKeyPath, s.knownHostsPath]),
      h.addresses.map((a, i) => [`n${i + 1}`, a, 'faultline', h.keyPath, join(h.dir, 'known_hosts')]),
    );

    // Installed through the lifecycle, not baked into the image; nothing of faultline's left on the hosts.
    for (const node of h.containers.nodes) {
      assert.ok((await node.exec(['test', '-f', '/opt/faultline/raft-kv/server.mjs'])).exitCode === 0);
      assert.doesNotMatch((await node.exec(['iptables', '-w', '-S'])).stdout, /FAULTLINE/);
      assert.notEqual((await node.exec(['pgrep', '-f', 'raft-kv/server.mjs'])).exitCode, 0, 'raft-kv stopped');
    }
  });
});
