import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CampaignError, parseCampaign } from './loadCampaign.ts';

const campaign = (faults: string, nodes = 'nodes: { backend: docker, count: 3 }') => `name: g
system: eventual-kv
workload: { name: key-value }
${nodes}
nemesis:
  faults:
${faults}
`;

function problemsOf(source: string): string[] {
  try {
    parseCampaign(source, 'c.yaml');
    return [];
  } catch (error) {
    if (!(error instanceof CampaignError)) throw error;
    return error.problems.map((p) => `${p.location.file}:${p.location.line} ${p.field}: ${p.message}`);
  }
}

test('an explicit one-way grudge is accepted', () => {
  assert.deepEqual(problemsOf(campaign('    - { kind: partition, topologies: [{ grudge: { n1: [n2] } }] }')), []);
});

test('a grudge or a target naming a node not in the cluster is found before any node exists, with its line', () => {
  const problems = problemsOf(
    campaign(
      '    - { kind: partition, topologies: [{ grudge: { n9: [n1] } }] }\n    - { kind: kill, targets: [[n7]] }',
    ),
  );
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems[0] ?? '', /^c\.yaml:7 nemesis\.faults\.0: .*n9/);
  // A target naming an unknown node is reported at its own field (the package's wording is for grudges).
  assert.match(problems[1] ?? '', /^c\.yaml:8 nemesis\.faults\.1\.targets\.0\.0: .*n7/);
});

test('a topology the cluster is too small for is found too', () => {
  const problems = problemsOf(
    campaign('    - { kind: partition, topologies: [minority-third] }', 'nodes: { backend: docker, count: 3 }'),
  );
  assert.match(problems.join('\n'), /minority-third' needs at least 4 nodes/);
});

const timed = (nemesis: string) => `name: t
system: primary-backup-async
workload: { name: register }
phases: { faults: 10s }
nemesis:
  faults:
    - { kind: partition, topologies: [primary] }
    - { kind: kill, targets: [primary] }
${nemesis}
`;

test('minHold and fixed fault times are accepted when they fit the window', () => {
  assert.deepEqual(problemsOf(timed('  minHold: 3s')), []);
  assert.deepEqual(
    problemsOf(timed('  schedule:\n    - { start: 1s, stop: 5s, fault: 0 }\n    - { start: 2s, stop: 3s, fault: 1 }')),
    [],
  );
  const loaded = parseCampaign(timed('  minHold: 3s\n  schedule:\n    - { start: 1s, stop: 5s }'), 'c.yaml');
  assert.equal(loaded.campaign.nemesis.minHold, '3s');
  assert.deepEqual(loaded.campaign.nemesis.schedule, [{ start: '1s', stop: '5s' }]);
});

test('fixed fault times that cannot run, and a minHold longer than the window, are named with their line', () => {
  const problems = problemsOf(
    timed(
      '  minHold: 20s\n  schedule:\n    - { start: 4s, stop: 2s, fault: 0 }\n    - { start: 1s, stop: 12s, fault: 5 }\n    - { start: 1s, stop: 3s, fault: 1 }\n    - { start: 2s, stop: 4s }',
    ),
  );
  assert.match(problems.join('\n'), /^c\.yaml:9 nemesis\.minHold: minHold 20s is longer than the fault window/m);
  assert.match(problems.join('\n'), /^c\.yaml:11 nemesis\.schedule\.0: stop \(2000 ms\) must be after start/m);
  assert.match(problems.join('\n'), /^c\.yaml:12 nemesis\.schedule\.1: stops at 12000 ms, after the fault window/m);
  assert.match(problems.join('\n'), /^c\.yaml:12 nemesis\.schedule\.1: fault 5 is not in nemesis\.faults/m);
  assert.match(
    problems.join('\n'),
    /^c\.yaml:14 nemesis\.schedule\.3: overlaps schedule\.2, and both may be process faults/m,
  );
});
