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
