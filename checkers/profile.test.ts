import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pairOperations } from './history.ts';
import type { ConsistencyProfile } from './profile.ts';
import { claimVerdict, impliedModels, modelImplications, profileCheckers } from './modelHierarchy.ts';
import { checkConsistencyProfile } from './profile.ts';
import { historyFromSessions } from './testing/sessionNotation.ts';
import { renderSmallHistory, showSmallHistory, smallHistoryArbitrary } from './testing/smallHistories.ts';
import type { StoreDesign } from './testing/stores.ts';
import { simulateStore } from './testing/stores.ts';

function verdicts(p: ConsistencyProfile): Record<string, unknown> {
  return Object.fromEntries(p.rows.map((r) => [r.checker, r.valid]));
}

/** No stronger model holds while a weaker one is violated, in the raw verdicts and after propagation. */
function assertHierarchy(p: ConsistencyProfile, what: string): void {
  assert.deepEqual(p.contradictions, [], what);
  const v = verdicts(p);
  for (const [strong, weak] of modelImplications) {
    assert.ok(!(v[strong] === true && v[weak] === false), `${what}: ${strong} holds, ${weak} violated`);
  }
}

test('the profile has a row per model, strongest first, and rows for checkers that decided', async () => {
  const p = await checkConsistencyProfile(pairOperations(historyFromSessions('w x1, r x2 | w x2, r x1')), {
    initialValue: 0,
  });
  assert.deepEqual(
    p.rows.map((r) => r.checker),
    [...profileCheckers],
  );
  const v = verdicts(p);
  assert.equal(v['causal-cc'], true);
  assert.equal(v['causal-cm'], true);
  assert.equal(v['causal-ccv'], false);
  assert.equal(v['read-your-writes'], false);
  // SC is refuted by CCv's violation without running the search.
  assert.equal(v['sequential'], false);
  assert.equal(v['linearizable'], false);
  assert.equal(p.valid, false);
});

test('a linearizable history: SC is implied without the search, everything holds', async () => {
  const history = simulateStore({ design: 'linearizable', seed: 3, ops: 200 });
  const p = await checkConsistencyProfile(pairOperations(history));
  for (const row of p.rows) assert.equal(row.valid, true, `${row.checker}: ${row.reason ?? ''}`);
  const sc = p.rows.find((r) => r.checker === 'sequential')!;
  assert.equal(sc.impliedBy, 'linearizable');
  assert.equal(sc.result, undefined);
});

// [design, models that must hold on every run, models some run must violate (the design does not promise them)].
const designs: [StoreDesign, string[], string[]][] = [
  ['linearizable', [...profileCheckers], []],
  ['sequential', profileCheckers.filter((c) => c !== 'linearizable'), ['linearizable']],
  [
    'causal-lww',
    [
      'causal-ccv',
      'causal-cc',
      'session',
      'monotonic-reads',
      'monotonic-writes',
      'read-your-writes',
      'writes-follow-reads',
    ],
    ['sequential'],
  ],
  ['causal-memory', ['causal-cm', 'causal-cc'], ['sequential', 'causal-ccv']],
];

test('simulated stores get the verdicts their designs imply; the eventual store breaks session guarantees', async () => {
  for (const [design, holds, broken] of designs) {
    const violatedSomewhere = new Set<string>();
    for (let seed = 1; seed <= 4; seed++) {
      const p = await checkConsistencyProfile(pairOperations(simulateStore({ design, seed, ops: 250 })), {
        skipImplied: false,
      });
      assertHierarchy(p, `${design} seed ${seed}`);
      const v = verdicts(p);
      for (const model of holds)
        assert.equal(
          v[model],
          true,
          `${design} seed ${seed}: ${model} ${JSON.stringify(p.rows.find((r) => r.checker === model)?.anomalies[0])}`,
        );
      for (const model of broken) if (v[model] === false) violatedSomewhere.add(model);
    }
    assert.deepEqual([...violatedSomewhere].sort(), [...broken].sort(), design);
  }
  let violated = 0;
  for (let seed = 1; seed <= 6; seed++) {
    const p = await checkConsistencyProfile(pairOperations(simulateStore({ design: 'eventual', seed, ops: 250 })), {
      skipImplied: false,
    });
    assertHierarchy(p, `eventual seed ${seed}`);
    if (verdicts(p)['monotonic-reads'] === false && verdicts(p)['causal-cc'] === false) violated++;
  }
  assert.ok(violated > 0, 'no eventual-store history violated monotonic reads');
});

const seed = Number(process.env['FC_SEED'] ?? Date.now() % 1_000_000);
test(`the hierarchy is never contradicted on random histories (seed ${seed})`, async () => {
  await fc.assert(
    fc.asyncProperty(
      smallHistoryArbitrary({ maxOps: 8, keys: 2, faults: true }),
      fc.array(fc.nat(7), { minLength: 1, maxLength: 20 }),
      async (h, schedule) => {
        const p = await checkConsistencyProfile(pairOperations(renderSmallHistory(h, schedule)), {
          initialValue: 0,
          skipImplied: false,
        });
        assertHierarchy(p, `${showSmallHistory(h)} schedule ${schedule.join()}`);
      },
    ),
    { numRuns: 150, seed },
  );
});

test('laws for every checker here: zero budget never passes, input untouched, deterministic verdicts', async () => {
  const { getChecker } = await import('./registry.ts');
  const operations = pairOperations(simulateStore({ design: 'linearizable', seed: 9, ops: 120 }));
  const frozen = JSON.stringify(operations);
  for (const name of profileCheckers.filter((c) => c !== 'linearizable')) {
    const checker = getChecker(name)!;
    const first = await checker.check(operations);
    const second = await checker.check(operations);
    assert.equal(first.valid, true, name);
    assert.equal(second.valid, first.valid, name);
    assert.deepEqual(second.anomalies, first.anomalies, name);
    const zero = await checker.check(operations, { timeBudgetMs: 0 });
    assert.equal(zero.valid, 'unknown', name);
    assert.match(zero.reason ?? '', /budget/, name);
    assert.ok(checker.description.length > 20 && checker.model.length > 0, name);
  }
  assert.equal(JSON.stringify(operations), frozen);
});

test('claims are closed under implication, and a violated claimed model is a broken claim', () => {
  assert.deepEqual([...impliedModels(['linearizable'])].sort(), [...profileCheckers].sort());
  assert.deepEqual([...impliedModels(['causal-cm'])].sort(), ['causal-cc', 'causal-cm']);
  assert.equal(claimVerdict('sequential', false, ['linearizable']), 'claim broken');
  assert.equal(claimVerdict('linearizable', false, ['sequential']), 'unclaimed');
  assert.equal(claimVerdict('monotonic-reads', true, ['causal-ccv']), 'claim held');
  assert.equal(claimVerdict('causal-cc', 'unknown', ['causal-cm']), 'claim undecided');
  assert.equal(claimVerdict('linearizable', false, undefined), undefined);
});
