// Differential tests of read committed, read atomic and causal consistency against their axiomatic
// definitions (Biswas & Enea, OOPSLA 2019), by brute force over every commit order of small random
// rw-register histories: some total order co ⊇ so ∪ wr must put every other writer t2 of x before the txn a
// read of x read from, whenever t2 wr→ an earlier read of the reader (read committed), t2 so∪wr→ the reader
// (read atomic), or t2 (so ∪ wr)+→ the reader (causal).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pairOperations, type HistoryOp, type Operation, type Value } from '../history.ts';
import { checkTransactionalCausal } from '../causal/transactionalCausal.ts';
import { analyzeIsolation } from './isolation.ts';
import { permutations } from '../testing/permutations.ts';

type Micro = ['w', string, number] | ['r', string, number | null];
interface Txn {
  process: number;
  micro: Micro[];
}

const historyArb = fc
  .record({
    shapes: fc.array(
      fc.record({
        process: fc.nat(2),
        micro: fc.array(fc.tuple(fc.boolean(), fc.constantFrom('x', 'y')), { minLength: 1, maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    picks: fc.array(fc.nat(20), { minLength: 12, maxLength: 12 }),
  })
  .map(({ shapes, picks }): Txn[] => {
    let value = 0;
    const txns: Txn[] = shapes.map((s) => ({
      process: s.process,
      micro: s.micro.map(([write, k]): Micro => (write ? ['w', k, ++value] : ['r', k, null])),
    }));
    // Each read returns the initial value or any value written to its key.
    let p = 0;
    for (const t of txns)
      for (const m of t.micro)
        if (m[0] === 'r') {
          const written = txns.flatMap((u) => u.micro.filter((w) => w[0] === 'w' && w[1] === m[1]).map((w) => w[2]!));
          const choice = picks[p++ % picks.length]! % (written.length + 1);
          m[2] = choice === written.length ? null : written[choice]!;
        }
    return txns;
  });

/** Each process's txns run one after another; processes interleave, all concurrently. */
function operations(txns: readonly Txn[]): Operation[] {
  const events: Omit<HistoryOp, 'index' | 'time'>[] = [];
  const byProcess = new Map<number, Txn[]>();
  for (const t of txns) byProcess.set(t.process, [...(byProcess.get(t.process) ?? []), t]);
  const rounds = Math.max(...[...byProcess.values()].map((l) => l.length));
  for (let r = 0; r < rounds; r++) {
    const round = [...byProcess.values()].map((l) => l[r]).filter((t): t is Txn => t !== undefined);
    for (const t of round)
      events.push({
        type: 'invoke',
        process: t.process,
        f: 'txn',
        value: t.micro.map((m): Value => (m[0] === 'r' ? ['r', m[1], null] : [...m])),
      });
    for (const t of round) events.push({ type: 'ok', process: t.process, f: 'txn', value: t.micro });
  }
  return pairOperations(events.map((e, index) => ({ ...e, index, time: index })));
}

type Level = 'read-committed' | 'read-atomic' | 'causal';

function axiomatic(txns: readonly Txn[], level: Level): boolean {
  const n = txns.length;
  const lastWrite = (t: number, k: string) => txns[t]!.micro.filter((m) => m[0] === 'w' && m[1] === k).pop()?.[2];
  const writes = (t: number, k: string) => lastWrite(t, k) !== undefined;
  // External reads: [reader, position, key, writer or -1].
  const reads: [number, number, string, number][] = [];
  for (let t = 0; t < n; t++) {
    const own = new Map<string, number>();
    for (const [i, m] of txns[t]!.micro.entries()) {
      if (m[0] === 'w') {
        own.set(m[1], m[2]);
        continue;
      }
      if (own.has(m[1])) {
        if (own.get(m[1]) !== m[2]) return false; // reads its own write, or nothing
        continue;
      }
      if (m[2] === null) {
        reads.push([t, i, m[1], -1]);
        continue;
      }
      const w = txns.findIndex((u) => u.micro.some((x) => x[0] === 'w' && x[1] === m[1] && x[2] === m[2]));
      if (w === t || lastWrite(w, m[1]) !== m[2]) return false; // future or intermediate read
      reads.push([t, i, m[1], w]);
    }
  }
  const so = (a: number, b: number) => a < b && txns[a]!.process === txns[b]!.process;
  const wr = (a: number, b: number) => reads.some(([r, , , w]) => r === b && w === a);
  const hb = Array.from({ length: n }, (_, a) =>
    Array.from({ length: n }, (_, b) => a !== b && (so(a, b) || wr(a, b))),
  );
  for (let k = 0; k < n; k++)
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (hb[a]![k] && hb[k]![b]) hb[a]![b] = true;
  const premise = (t2: number, t3: number, pos: number) =>
    level === 'read-committed'
      ? reads.some(([r, i, , w]) => r === t3 && i < pos && w === t2)
      : level === 'read-atomic'
        ? so(t2, t3) || wr(t2, t3)
        : hb[t2]![t3]!;
  for (const co of permutations(n)) {
    const at = new Map(co.map((t, i) => [t, i]));
    const before = (a: number, b: number) => at.get(a)! < at.get(b)!;
    let ok = true;
    for (let a = 0; a < n && ok; a++)
      for (let b = 0; b < n && ok; b++) if (a !== b && (so(a, b) || wr(a, b)) && !before(a, b)) ok = false;
    for (const [t3, pos, k, t1] of reads) {
      if (!ok) break;
      for (let t2 = 0; t2 < n && ok; t2++) {
        if (t2 === t1 || t2 === t3 || !writes(t2, k) || !premise(t2, t3, pos)) continue;
        if (t1 === -1 || !before(t2, t1)) ok = false;
      }
    }
    if (ok) return true;
  }
  return false;
}

for (const level of ['read-committed', 'read-atomic', 'causal'] as const)
  test(`${level} agrees with its axiomatic definition over every commit order`, () => {
    fc.assert(
      fc.property(
        historyArb,
        (txns) => analyzeIsolation(operations(txns)).levels[level].valid === axiomatic(txns, level),
      ),
      { numRuns: 500 },
    );
  });

test('causal agrees with the transactional causal checker (causal-tx) on the same histories', () => {
  fc.assert(
    fc.property(historyArb, (txns) => {
      const ops = operations(txns);
      return analyzeIsolation(ops).levels.causal.valid === checkTransactionalCausal(ops).valid;
    }),
    { numRuns: 300 },
  );
});

test('a premise left out (read atomic judged by the read committed rule) is caught', () => {
  const r = fc.check(
    fc.property(
      historyArb,
      (txns) => analyzeIsolation(operations(txns)).levels['read-committed'].valid === axiomatic(txns, 'read-atomic'),
    ),
    { numRuns: 500, seed: 15 },
  );
  assert.ok(r.failed);
});

test('a forced commit-order cycle is explained edge by edge: who must commit first, the key, the reader, the premise', () => {
  // T2 saw T1's y, then read T0's x: T1 must commit before T0 (so does T3's later read of T1's y, the reason
  // given, as the last found); T3 saw T0's x, then read T1's y: T0 must commit before T1.
  const bodies: Value[][] = [
    [
      ['w', 'x', 1],
      ['w', 'y', 1],
    ],
    [
      ['w', 'x', 2],
      ['w', 'y', 2],
    ],
    [
      ['r', 'y', 2],
      ['r', 'x', 1],
    ],
    [
      ['r', 'x', 1],
      ['r', 'y', 2],
    ],
  ];
  const ops: Operation[] = bodies.map((b, i) => ({
    id: i,
    process: i,
    f: 'txn',
    input: b,
    output: b,
    status: 'ok',
    call: 2 * i,
    ret: 2 * i + 1,
    invokeIndex: 2 * i,
    completeIndex: 2 * i + 1,
  }));
  const a = analyzeIsolation(ops);
  assert.equal(a.levels['read-committed'].valid, false);
  const found = a.anomalies.find((x) => x.type === 'non-monotonic-read');
  assert.ok(found !== undefined, a.anomalies.map((x) => x.type).join());
  assert.match(
    found.explanation,
    /T1 must commit before T0: both wrote x, T3 read T0's value and another read of T3 observed T1's write/,
  );
  assert.match(
    found.explanation,
    /T0 must commit before T1: both wrote y, T3 read T1's value and an earlier read of T3 observed T0's write/,
  );
});
