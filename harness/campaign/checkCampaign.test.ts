// The checker part of campaign validation: a campaign whose run would verify nothing is refused up front,
// with file:line:col, the field and what would work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CampaignError, parseCampaign } from './loadCampaign.ts';
import { defaultCheckers } from './checkerNames.ts';

function problems(source: string): string[] {
  try {
    parseCampaign(source, 'c.yaml');
  } catch (e) {
    assert.ok(e instanceof CampaignError, String(e));
    return e.message.split('\n');
  }
  return [];
}

test('a workload no registered checker judges is rejected where it is named', () => {
  for (const workload of ['set', 'counter', 'list-append']) {
    if (defaultCheckers(workload).length > 0) continue; // judged now
    const out = problems(`name: demo\nsystem: x\nworkload:\n  name: ${workload}\n`);
    assert.equal(out.length, 1, out.join('\n'));
    assert.match(
      out[0]!,
      new RegExp(
        `^c\\.yaml:4:9 workload\\.name: no checker in this version of faultline judges the ${workload} workload`,
      ),
    );
  }
});

test('a checker that cannot judge the workload, or an empty list, is rejected at its line', () => {
  const wrong = problems('name: demo\nsystem: x\nworkload:\n  name: register\ncheckers: [linearizable, causal-tx]\n');
  assert.equal(wrong.length, 1, wrong.join('\n'));
  assert.match(
    wrong[0]!,
    /^c\.yaml:5:26 checkers\.1: the causal-tx checker cannot judge histories of the register workload/,
  );
  assert.match(wrong[0]!, /checkers for the register workload: linearizable, sequential/);
  const none = problems('name: demo\nsystem: x\nworkload:\n  name: key-value\ncheckers: []\n');
  assert.match(none[0]!, /^c\.yaml:5:11 checkers: no checker is named, so the run would verify nothing/);
});

test('register and key-value campaigns keep their defaults and their named checkers', () => {
  assert.deepEqual(problems('name: demo\nsystem: x\nworkload:\n  name: key-value\n'), []);
  assert.deepEqual(
    problems('name: demo\nsystem: x\nworkload:\n  name: register\ncheckers: [sequential, monotonic-reads]\n'),
    [],
  );
  assert.deepEqual(defaultCheckers('register', ['read', 'write']), ['linearizable', 'sequential']);
  assert.deepEqual(defaultCheckers('register', ['read', 'write', 'cas']), ['linearizable']);
});

test('rw-register campaigns default to transactional causal and accept any isolation level, not register checkers', () => {
  assert.deepEqual(defaultCheckers('rw-register', ['txn']), ['transactional-causal']);
  assert.deepEqual(problems('name: demo\nsystem: x\nworkload:\n  name: rw-register\n'), []);
  assert.deepEqual(
    problems('name: demo\nsystem: x\nworkload:\n  name: rw-register\ncheckers: [serializable, isolation]\n'),
    [],
  );
  const wrong = problems('name: demo\nsystem: x\nworkload:\n  name: rw-register\ncheckers: [linearizable]\n');
  assert.equal(wrong.length, 1, wrong.join('\n'));
  assert.match(wrong[0]!, /the linearizable checker cannot judge histories of the rw-register workload/);
});
