import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CampaignError, parseCampaign } from './loadCampaign.ts';
import { durationMs, sizeBytes } from './campaignSchema.ts';
import { campaignJsonSchemaPath, campaignJsonSchemaText } from './campaignJsonSchema.ts';

function problems(source: string): string[] {
  try {
    parseCampaign(source, 'c.yaml');
  } catch (e) {
    assert.ok(e instanceof CampaignError, String(e));
    return e.message.split('\n');
  }
  assert.fail('expected a CampaignError');
}

test('a minimal campaign gets every default', () => {
  const { campaign } = parseCampaign('name: demo\nsystem: raft-kv\nworkload:\n  name: register\n', 'c.yaml');
  assert.deepEqual(campaign.nodes, { backend: 'docker', count: 3 });
  assert.equal(campaign.clients.concurrency, 5);
  assert.equal(campaign.phases.faults, '20s');
  assert.deepEqual(campaign.nemesis.faults, []);
  assert.equal(campaign.workload.uniqueValues, true);
  assert.equal(campaign.repetitions, 1);
});

test('every problem is reported with file:line:col, the field, and what is allowed', () => {
  const out = problems(
    [
      'name: demo', // 1
      'system: raft-kv', // 2
      'nodes:', // 3
      '  backend: docker', // 4
      '  count: 30', // 5
      'workload:', // 6
      '  name: register', // 7
      '  uniqeValues: false', // 8
      'clients:', // 9
      '  timeout: 2 seconds', // 10
      'nemesis:', // 11
      '  faults:', // 12
      '    - kind: partition', // 13
      '      topologies: [halfs]', // 14
      '    - kind: explode', // 15
    ].join('\n'),
  );
  assert.deepEqual(out.length, 5, out.join('\n'));
  assert.match(out[0]!, /^c\.yaml:5:10 nodes\.count: .*<=15/);
  assert.match(out[1]!, /^c\.yaml:8:3 workload\.uniqeValues: unknown field "uniqeValues"/);
  assert.match(out[2]!, /^c\.yaml:10:12 clients\.timeout: a duration like 500ms/);
  assert.match(out[3]!, /^c\.yaml:14:20 nemesis\.faults\.0\.topologies\.0: .*"majorities-ring"/);
  assert.match(out[4]!, /^c\.yaml:15:13 nemesis\.faults\.1\.kind: .*'partition' \| 'packet'/);
});

test('a missing required field points at its parent', () => {
  const out = problems('name: demo\nworkload:\n  name: register\n');
  assert.equal(out.length, 1);
  assert.match(out[0]!, /^c\.yaml:1:1 system: /);
});

test('a mix op the workload lacks names the allowed ones', () => {
  const out = problems('name: demo\nsystem: x\nworkload:\n  name: set\n  mix: {add: 1, write: 2}\n');
  assert.match(
    out[0]!,
    /^c\.yaml:5:17 workload\.mix\.write: the set workload has no op "write" \(allowed: add, read\)/,
  );
});

test('YAML syntax errors and duplicate keys are located', () => {
  assert.match(problems('name: a\nname: b\nsystem: x\n')[0]!, /^c\.yaml:2:1 DUPLICATE_KEY/);
  assert.match(problems('name: [a\n')[0]!, /^c\.yaml:\d+:\d+ /);
  assert.match(problems('')[0]!, /c\.yaml:1:1 the campaign file is empty/);
});

test('durations parse to milliseconds', () => {
  assert.equal(durationMs('500ms'), 500);
  assert.equal(durationMs('10s'), 10_000);
  assert.equal(durationMs('1.5m'), 90_000);
  assert.equal(durationMs('1h'), 3_600_000);
  assert.throws(() => durationMs('10'));
});

test('campaign.schema.json is current (regenerate: node --import tsx harness/campaign/campaignJsonSchema.ts)', () => {
  const stored: unknown = JSON.parse(readFileSync(campaignJsonSchemaPath, 'utf8'));
  assert.deepEqual(stored, JSON.parse(campaignJsonSchemaText()));
});

test('realClock clock faults: ssh hosts only, bump only, and all clock faults or none', () => {
  const campaign = (nodes: string, faults: string) =>
    `name: x\nsystem: raft-kv\nnodes: ${nodes}\nworkload: {name: register}\nnemesis: {faults: [${faults}]}\n`;
  const ssh = '{backend: ssh, hosts: [{host: 192.0.2.1}]}';
  assert.doesNotThrow(() => parseCampaign(campaign(ssh, '{kind: clock, realClock: true}'), 'c.yaml'));
  assert.match(problems(campaign('{backend: docker}', '{kind: clock, realClock: true}')).join('\n'), /only.*ssh hosts/);
  assert.match(problems(campaign(ssh, '{kind: clock, realClock: true, modes: [drift]}')).join('\n'), /only bumped/);
  assert.match(problems(campaign(ssh, '{kind: clock, realClock: true}, {kind: clock}')).join('\n'), /or none does/);
});

test("ssh settings given on nodes are every host's defaults; relative paths are the campaign file's", async () => {
  const { sshHostConfigs } = await import('../run/sshHosts.ts');
  const { campaign } = parseCampaign(
    [
      'name: x',
      'system: raft-kv',
      'nodes:',
      '  backend: ssh',
      '  user: admin',
      '  privateKeyPath: keys/id',
      '  acceptNewHostKeys: true',
      '  hosts:',
      '    - { host: 192.0.2.1 }',
      '    - { host: 192.0.2.2, name: b, user: root, port: 2222, knownHostsPath: /etc/kh, acceptNewHostKeys: false }',
      'workload: {name: register}',
    ].join('\n'),
    '/campaigns/c.yaml',
  );
  assert.ok(campaign.nodes.backend === 'ssh');
  assert.deepEqual(sshHostConfigs(campaign.nodes, '/campaigns/c.yaml'), [
    {
      host: '192.0.2.1',
      port: 22,
      user: 'admin',
      name: 'n1',
      privateKeyPath: '/campaigns/keys/id',
      acceptNewHostKeys: true,
    },
    {
      host: '192.0.2.2',
      port: 2222,
      user: 'root',
      name: 'b',
      privateKeyPath: '/campaigns/keys/id',
      knownHostsPath: '/etc/kh',
      acceptNewHostKeys: false,
    },
  ]);
});

test('checking budgets: a duration and a size are accepted; anything else is named with file:line:col', () => {
  const { campaign } = parseCampaign(
    'name: demo\nsystem: raft-kv\nworkload:\n  name: register\nchecking:\n  timeBudget: 2m\n  memoryBudget: 2GiB\n',
    'c.yaml',
  );
  assert.deepEqual(campaign.checking, { timeBudget: '2m', memoryBudget: '2GiB' });
  assert.equal(sizeBytes('512MiB'), 512 * 1024 * 1024);
  assert.equal(sizeBytes('1.5KiB'), 1536);
  const out = problems(
    [
      'name: demo', // 1
      'system: raft-kv', // 2
      'workload:', // 3
      '  name: register', // 4
      'checking:', // 5
      '  timeBudget: 0s', // 6
      '  memoryBudget: 2GB', // 7
      '  timeBuget: 2m', // 8
    ].join('\n'),
  );
  assert.equal(out.length, 3, out.join('\n'));
  assert.match(out[0]!, /^c\.yaml:6:15 checking\.timeBudget: must be more than 0/);
  assert.match(out[1]!, /^c\.yaml:7:17 checking\.memoryBudget: a size like 512MiB or 2GiB/);
  assert.match(out[2]!, /^c\.yaml:8:3 checking\.timeBuget: unknown field "timeBuget"/);
  for (const bad of ['0MiB', '2 GiB', '512mib', '-1MiB', '1e3MiB'])
    assert.ok(
      problems(`name: d\nsystem: s\nworkload:\n  name: register\nchecking:\n  memoryBudget: ${bad}\n`).length === 1,
      bad,
    );
});
