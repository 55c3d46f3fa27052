import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import type { HistoryOp, Operation, Value } from '../history.ts';
import { pairOperations } from '../history.ts';
import { checkLinearizableSync } from '../linearizable/index.ts';
import { canonicalKey } from '../models/model.ts';
import { analyseSet, checkSet, isSetHistory } from './index.ts';
import { simulateSetStore } from '../testing/setStores.ts';

const s = 1_000_000_000;

/** Events as [process, type, f, value, key?] at one second each, so times read as whole seconds. */
function history(events: [number, HistoryOp['type'], string, Value, string?][]): Operation[] {
  return pairOperations(
    events.map(([process, type, f, value, key], index) => ({
      index,
      time: (index + 1) * s,
      process,
      type,
      f,
      value,
      ...(key !== undefined && { key }),
    })),
  );
}

test('an acknowledged element missing from every later read is lost, named with when it was acknowledged', () => {
  const ops = history([
    [0, 'invoke', 'add', 1],
    [0, 'ok', 'add', 1],
    [0, 'invoke', 'add', 2],
    [0, 'ok', 'add', 2],
    [1, 'invoke', 'read', null],
    [1, 'ok', 'read', [1, 2]],
    [1, 'invoke', 'read', null],
    [1, 'ok', 'read', [1]],
  ]);
  const r = checkSet(ops);
  assert.equal(r.valid, false);
  assert.equal(r.stats['lost'], 1);
  const a = r.anomalies[0]!;
  assert.equal(a.type, 'lost');
  assert.match(
    a.explanation,
    /^1 acknowledged element lost: elements 2, acknowledged 4\.0 s, never read after 5\.0 s \(last returned 5\.0 s\); e\.g\. element 2 \(added by op 1\) is missing from the read op 3 at 7\.000 s/,
  );
  assert.deepEqual(a.ops, [1, 3]);
  assert.deepEqual(a.indices, [2, 3, 6, 7]);
});

test('lost elements come first, whatever their key', () => {
  const ops = history([
    [0, 'invoke', 'add', 1, 'a'],
    [0, 'ok', 'add', 1, 'a'],
    [1, 'invoke', 'read', null, 'a'],
    [1, 'ok', 'read', [1, 66], 'a'],
    [0, 'invoke', 'add', 2, 'b'],
    [0, 'ok', 'add', 2, 'b'],
    [1, 'invoke', 'read', null, 'b'],
    [1, 'ok', 'read', [], 'b'],
  ]);
  const r = checkSet(ops);
  assert.deepEqual(
    r.anomalies.map((x) => [x.type, x.key]),
    [
      ['lost', 'b'],
      ['phantom-element', 'a'],
    ],
  );
  assert.match(r.anomalies[0]!.explanation, /^1 acknowledged element of set b lost: elements 2/);
});

test('a read concurrent with the add may miss it; a later read missing it then seeing it is stale, not lost', () => {
  const ops = history([
    [0, 'invoke', 'add', 1],
    [1, 'invoke', 'read', null],
    [0, 'ok', 'add', 1],
    [1, 'ok', 'read', []],
    [1, 'invoke', 'read', null],
    [1, 'ok', 'read', []],
    [1, 'invoke', 'read', null],
    [1, 'ok', 'read', [1]],
  ]);
  const r = checkSet(ops);
  assert.equal(r.valid, true);
  assert.equal(r.stats['stale'], 1);
  assert.equal(r.stats['lost'], 0);
  const strict = checkSet(ops, { staleReadsAreViolations: true });
  assert.equal(strict.valid, false);
  assert.equal(strict.anomalies[0]!.type, 'stale-read');
});

test('phantom, aborted, duplicate and read-before-add elements are violations, each named', () => {
  const ops = history([
    [0, 'invoke', 'add', 1],
    [0, 'fail', 'add', 1],
    [2, 'invoke', 'read', null],
    [2, 'ok', 'read', [1, 7, 9, 9]],
    [0, 'invoke', 'add', 9],
    [0, 'ok', 'add', 9],
  ]);
  const r = checkSet(ops);
  assert.equal(r.valid, false);
  const types = r.anomalies.map((a) => a.type).sort();
  assert.deepEqual(types, ['aborted-element', 'duplicate-element', 'phantom-element', 'read-before-add-element']);
  const phantom = r.anomalies.find((a) => a.type === 'phantom-element')!;
  assert.match(phantom.explanation, /^1 element never added by anyone: elements 7; first in the read op 1 at 3\.000 s/);
});

test('an unobserved indeterminate add never happened; an observed one is recovered', () => {
  const ops = history([
    [0, 'invoke', 'add', 1],
    [0, 'info', 'add', 1],
    [1, 'invoke', 'add', 2],
    [1, 'info', 'add', 2],
    [2, 'invoke', 'read', null],
    [2, 'ok', 'read', [2]],
    [2, 'invoke', 'read', null],
    [2, 'ok', 'read', [2]],
  ]);
  const r = checkSet(ops);
  assert.equal(r.valid, true);
  assert.equal(r.stats['recovered'], 1);
  assert.equal(r.stats['unobservedIndeterminateAdds'], 1);
});

test('nothing judged is unknown with the reason, never valid; other ops are not a set history', () => {
  const ops = history([
    [0, 'invoke', 'add', 1],
    [0, 'ok', 'add', 1],
  ]);
  const r = checkSet(ops);
  assert.equal(r.valid, 'unknown');
  assert.match(r.reason!, /no read began after/);
  assert.equal(checkSet([]).valid, 'unknown');
  const w = history([
    [0, 'invoke', 'write', 1],
    [0, 'ok', 'write', 1],
  ]);
  assert.equal(checkSet(w).valid, 'unknown');
  assert.equal(isSetHistory(w), false);
  assert.equal(isSetHistory(ops), true);
  assert.equal(
    isSetHistory(
      history([
        [0, 'invoke', 'add', 1],
        [0, 'ok', 'add', 1],
        [0, 'invoke', 'read', null],
        [0, 'ok', 'read', 1],
      ]),
    ),
    false,
  );
});

test('keys are separate sets: a correct 3-key history is valid (the false violation of issue 14)', () => {
  const ops = pairOperations(simulateSetStore({ seed: 7, processes: 5, keys: 3, ops: 3000 }));
  const r = checkSet(ops, { staleReadsAreViolations: true });
  assert.equal(r.valid, true, JSON.stringify(r.anomalies[0]));
  assert.equal(r.stats['keys'], 3);
  // And linearizability with the set model agrees, per key.
  const small = pairOperations(simulateSetStore({ seed: 8, processes: 4, keys: 3, ops: 150 }));
  assert.equal(checkLinearizableSync(small, { model: { name: 'set' } }).valid, true);
  const whole = { name: 'set', options: { partitioned: false } };
  assert.equal(checkLinearizableSync(small, { model: whole }).valid, true);
  // Still refuted when one key's element is lost, partitioned or not.
  const lossy = pairOperations(simulateSetStore({ seed: 3, processes: 3, keys: 3, ops: 60, lossRate: 0.5 }));
  assert.equal(checkSet(lossy).valid, false);
  assert.equal(checkLinearizableSync(lossy, { model: { name: 'set' } }).valid, false);
  assert.equal(checkLinearizableSync(lossy, { model: whole }).valid, false);
});

test('control characters in returned elements are escaped in the explanation', () => {
  const ops = history([
    [0, 'invoke', 'add', 'a'],
    [0, 'ok', 'add', 'a'],
    [1, 'invoke', 'read', null],
    [1, 'ok', 'read', ['a', '\u001b[2J']],
  ]);
  const a = checkSet(ops).anomalies.find((x) => x.type === 'phantom-element')!;
  assert.match(a.explanation, /\\u001b\[2J/);
  assert.ok(!a.explanation.includes(String.fromCharCode(27)));
});

// The definitions, written the slow direct way: every element against every read.
function bruteForce(operations: readonly Operation[]) {
  const out = new Map<string, { outcome: string; stale: boolean }>();
  const problems = new Set<string>();
  const keys = new Set(operations.map((o) => o.key ?? ''));
  for (const key of keys) {
    const ops = operations.filter((o) => (o.key ?? '') === key);
    const reads = ops
      .filter((o) => o.f === 'read' && o.status === 'ok' && Array.isArray(o.output))
      .sort((a, b) => a.call - b.call || a.id - b.id);
    const has = (r: Operation, v: string) => (r.output as Value[]).some((x) => canonicalKey(x) === v);
    const adds = ops.filter((o) => o.f === 'add');
    for (const r of reads) {
      for (const x of r.output as Value[]) {
        const v = canonicalKey(x);
        const attempts = adds.filter((a) => canonicalKey(a.input) === v);
        if (attempts.length === 0) problems.add(`${key} phantom ${v}`);
        else if (attempts.every((a) => a.status === 'fail')) problems.add(`${key} aborted ${v}`);
      }
    }
    const values = new Set(adds.filter((a) => a.status !== 'fail').map((a) => canonicalKey(a.input)));
    for (const v of values) {
      const times = [
        ...adds.filter((a) => a.status === 'ok' && canonicalKey(a.input) === v).map((a) => a.ret),
        ...reads.filter((r) => has(r, v)).map((r) => r.ret),
      ];
      if (times.length === 0) continue;
      const known = Math.min(...times);
      const after = reads.filter((r) => r.call > known);
      let outcome = 'never-read';
      if (after.length > 0) outcome = has(reads[reads.length - 1]!, v) ? 'stable' : 'lost';
      out.set(`${key} ${v}`, { outcome, stale: outcome === 'stable' && after.some((r) => !has(r, v)) });
    }
  }
  return { out, problems };
}

test('element outcomes agree with the definitions applied by brute force (property)', () => {
  fc.assert(
    fc.property(
      fc.record({
        seed: fc.integer(),
        processes: fc.integer({ min: 1, max: 5 }),
        keys: fc.integer({ min: 1, max: 3 }),
        ops: fc.integer({ min: 0, max: 60 }),
        lossRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
        staleRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
        infoRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
        finalReads: fc.boolean(),
      }),
      (sim) => {
        const ops = pairOperations(simulateSetStore(sim));
        const expected = bruteForce(ops);
        const got = new Map<string, { outcome: string; stale: boolean }>();
        const problems = new Set<string>();
        for (const k of analyseSet(ops).keys) {
          for (const e of k.elements)
            got.set(`${k.key} ${canonicalKey(e.element)}`, { outcome: e.outcome, stale: e.stale });
          for (const p of k.problems)
            if (p.type === 'phantom' || p.type === 'aborted')
              problems.add(`${k.key} ${p.type} ${canonicalKey(p.element)}`);
        }
        assert.deepEqual(new Map([...got].sort()), new Map([...expected.out].sort()));
        assert.deepEqual([...problems].sort(), [...expected.problems].sort());
      },
    ),
    { numRuns: 300 },
  );
});

test('no false violations on linearizable histories, and every violation is a real non-linearizability (property)', () => {
  fc.assert(
    fc.property(
      fc.record({
        seed: fc.integer(),
        processes: fc.integer({ min: 1, max: 4 }),
        ops: fc.integer({ min: 1, max: 14 }),
        faulty: fc.boolean(),
        infoRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
      }),
      ({ seed, processes, ops: n, faulty, infoRate }) => {
        const ops = pairOperations(
          simulateSetStore({
            seed,
            processes,
            keys: 1,
            ops: n,
            infoRate,
            ...(faulty && { lossRate: 0.3, staleRate: 0.3 }),
          }),
        );
        const r = checkSet(ops, { staleReadsAreViolations: true });
        const lin = checkLinearizableSync(ops, { model: { name: 'set' } });
        if (!faulty) assert.notEqual(r.valid, false, JSON.stringify(r.anomalies));
        if (r.valid === false) assert.equal(lin.valid, false, JSON.stringify(r.anomalies));
      },
    ),
    { numRuns: 300 },
  );
});

test('the set model describes a big state by ranges, never whole (what linearizability explanations print)', async () => {
  const { setModel } = await import('../models/collections.ts');
  const m = setModel();
  let state = m.init();
  for (let i = 1; i <= 900; i++) {
    if (i !== 501) state = m.step(state, { f: 'add', input: i, output: i, status: 'ok', key: 'k' })[0]!;
  }
  assert.equal(m.describeState!(state), '{1-500, 502-900} (899 members)');
});
