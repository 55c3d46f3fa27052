// Elle's own list-append unit cases (jepsen-io/elle, test/elle/list_append_test.clj), written again as our
// data with the anomaly types and ruled-out levels Elle's tests expect. Elle's mini-language: "ax1" appends 1
// to x, "rx12" reads x = [1 2], "ry" reads y empty. Each case's txns run concurrently (no realtime order)
// from distinct processes unless the case is about process or realtime order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairOperations, type HistoryOp, type Operation, type Value } from '../history.ts';
import { analyzeIsolation, type IsolationOptions } from './isolation.ts';
import type { IsolationLevel } from './isolationLevels.ts';

export interface TxnSpec {
  t: string;
  type?: 'ok' | 'fail' | 'info';
  p?: number;
}

/** Micro-ops from Elle's mini-language, with reads filled (completion) or null (invoke). */
export function mini(text: string, completed: boolean): Value[] {
  const out: Value[] = [];
  for (const m of text.match(/[ar][a-z]\d*/g) ?? []) {
    const key = m[1]!;
    const digits = Array.from(m.slice(2).matchAll(/\d/g), (d) => Number(d[0]));
    if (m[0] === 'a') out.push(['append', key, digits[digits.length - 1]!]);
    else out.push(['r', key, completed && digits.length > 0 ? digits : null]);
  }
  return out;
}

/** Concurrent: every invoke, then every completion. Sequential: each txn completes before the next starts. */
export function txnHistory(specs: readonly TxnSpec[], order: 'concurrent' | 'sequential' = 'concurrent'): Operation[] {
  const ops: Omit<HistoryOp, 'index' | 'time'>[] = [];
  const invoke = (s: TxnSpec, i: number) => ({
    type: 'invoke' as const,
    process: s.p ?? i,
    f: 'txn',
    value: mini(s.t, false),
  });
  const complete = (s: TxnSpec, i: number) => ({
    type: s.type ?? 'ok',
    process: s.p ?? i,
    f: 'txn',
    value: mini(s.t, (s.type ?? 'ok') === 'ok'),
  });
  if (order === 'concurrent') {
    specs.forEach((s, i) => ops.push(invoke(s, i)));
    specs.forEach((s, i) => ops.push(complete(s, i)));
  } else specs.forEach((s, i) => ops.push(invoke(s, i), complete(s, i)));
  return pairOperations(ops.map((o, index) => ({ ...o, index, time: index })));
}

function check(
  specs: readonly TxnSpec[],
  order: 'concurrent' | 'sequential' = 'concurrent',
  options: IsolationOptions = {},
) {
  const a = analyzeIsolation(txnHistory(specs, order), options);
  const types = [...new Set(a.anomalies.map((x) => x.type))].sort();
  const verdict = (l: IsolationLevel) => a.levels[l].valid;
  return { a, types, verdict };
}

const txns = (...ts: string[]): TxnSpec[] => ts.map((t) => ({ t }));

test('G0: a pure write cycle rules out read uncommitted', () => {
  const { types, verdict, a } = check(txns('ax1ay1', 'ax2ay2', 'rx12ry21'));
  assert.deepEqual(types, ['G0']);
  assert.equal(verdict('read-uncommitted'), false);
  const g0 = a.anomalies.find((x) => x.type === 'G0')!;
  assert.match(g0.explanation, /T1 appended 2 to x after T0's 1/);
  assert.match(g0.explanation, /T0 appended 1 to y after T1's 2/);
});

test('G1a: reading a failed append rules out read committed, not read uncommitted', () => {
  const { types, verdict, a } = check([{ t: 'ax1', type: 'fail' }, { t: 'rx1' }]);
  assert.deepEqual(types, ['G1a']);
  assert.equal(verdict('read-uncommitted'), true);
  assert.equal(verdict('read-committed'), false);
  assert.equal(verdict('repeatable-read'), false);
  const g1a = a.anomalies[0]!;
  assert.deepEqual(g1a.detail !== undefined && (g1a.detail as { element: number }).element, 1);
  assert.equal(g1a.key, 'x');
});

test('G1a cases: each reader of an aborted element is reported', () => {
  const { a } = check([{ t: 'rx1ax2' }, { t: 'rx12ry3' }, { t: 'ax1', type: 'fail' }]);
  const readers = a.anomalies.filter((x) => x.type === 'G1a').map((x) => x.ops[0]);
  assert.deepEqual(readers, [0, 1]);
});

test('G1b: an intermediate read is G1b and G-single', () => {
  const { types, verdict } = check(txns('ax1ax2', 'rx1'));
  assert.deepEqual(types, ['G-single', 'G1b']);
  assert.equal(verdict('read-committed'), false);
  // Only the reader of the intermediate element, not the one who read the final state.
  const g1b = check(txns('rx1', 'rx12ry3', 'ax1ax2', 'rx123')).a.anomalies.filter((x) => x.type === 'G1b');
  assert.deepEqual(
    g1b.map((x) => x.ops[0]),
    [0],
  );
  assert.deepEqual(check(txns('ax1rx1ax2')).types, []);
});

test('G1c: circular information flow', () => {
  const { types, verdict } = check(txns('ax1ry1', 'ax2ay1', 'rx12ry1'));
  assert.deepEqual(types, ['G1c']);
  assert.equal(verdict('read-uncommitted'), true);
  assert.equal(verdict('read-committed'), false);
});

test('G-single: read skew rules out snapshot isolation and repeatable read, not read committed', () => {
  const { types, verdict } = check(txns('ax1ay1', 'ax2ry', 'rx12'));
  assert.deepEqual(types, ['G-single']);
  assert.equal(verdict('read-committed'), true);
  assert.equal(verdict('read-atomic'), true);
  assert.equal(verdict('snapshot-isolation'), false);
  assert.equal(verdict('repeatable-read'), false);
});

test('G2-item: write skew is allowed by snapshot isolation, not by repeatable read or serializable', () => {
  for (const h of [txns('ax1ry', 'ay1rx'), txns('rxay1', 'ryax1')]) {
    const { types, verdict } = check(h);
    assert.deepEqual(types, ['G2-item']);
    assert.equal(verdict('read-committed'), true);
    assert.equal(verdict('snapshot-isolation'), true);
    assert.equal(verdict('repeatable-read'), false);
    assert.equal(verdict('serializable'), false);
  }
});

test('Strong SI violation: an rw edge against real time is G-single-realtime, serializable still holds', () => {
  const { types, verdict, a } = check(txns('ax1', 'ax2', 'rx1', 'rx12'), 'sequential');
  assert.deepEqual(types, ['G-single-realtime']);
  assert.equal(verdict('serializable'), true);
  assert.equal(verdict('strong-session-serializable'), true);
  assert.equal(verdict('strict-serializable'), false);
  assert.match(a.anomalies[0]!.explanation, /completed \(index \d+\) before T\d was invoked/);
});

test('Strong session SI violation: the same with process order is G-single-process', () => {
  const h: TxnSpec[] = [
    { t: 'ax1', p: 0 },
    { t: 'ax2', p: 1 },
    { t: 'rx1', p: 1 },
    { t: 'rx12', p: 2 },
  ];
  const { types, verdict } = check(h, 'sequential');
  // Read atomic counts the session order too (Biswas & Enea), so the stale read is also a fractured read.
  assert.deepEqual(types, ['G-single-process', 'fractured-read']);
  assert.equal(verdict('serializable'), true);
  assert.equal(verdict('strong-session-snapshot-isolation'), false);
  assert.equal(verdict('causal'), false, 'the session reads before its own earlier append: not causal either');
});

test('G-nonadjacent-process (elle issue 17)', () => {
  const h: TxnSpec[] = [
    { t: 'rxrz1', p: 0 },
    { t: 'ax1', p: 1 },
    { t: 'rz', p: 1 },
    { t: 'az1', p: 2 },
  ];
  const { types, verdict } = check(h, 'sequential');
  assert.ok(types.includes('G-nonadjacent-process'), types.join());
  assert.equal(verdict('serializable'), true);
  assert.equal(verdict('strong-session-snapshot-isolation'), false);
});

test('G-nonadjacent: two rw edges never adjacent rule out SI; adjacent ones do not', () => {
  const { types, verdict } = check(txns('ax1', 'rx1ry', 'ay1', 'ry1rx'));
  assert.deepEqual(types, ['G-nonadjacent']);
  assert.equal(verdict('snapshot-isolation'), false);
  assert.equal(verdict('read-atomic'), true);
  // rw rw wr rw wr: two rw edges are adjacent, so snapshot isolation allows it.
  assert.equal(check(txns('rx5ay1', 'ryaz2', 'rzat3', 'rt3au4', 'ruax5')).verdict('snapshot-isolation'), true);
});

test('contradictory read orders: G1c and incompatible-order', () => {
  const { types } = check(txns('ax1ry1', 'ax2', 'ax3ay1', 'rx13', 'rx123'));
  assert.deepEqual(types, ['G1c', 'incompatible-order']);
});

test('dirty update, direct and through an info append', () => {
  const direct = check([{ t: 'ax1', type: 'fail' }, { t: 'ax2' }, { t: 'rx12' }]);
  assert.ok(direct.types.includes('dirty-update'), direct.types.join());
  assert.equal(direct.verdict('read-committed'), false);
  const indirect = check([{ t: 'ax1', type: 'fail' }, { t: 'ax2', type: 'info' }, { t: 'ax3' }, { t: 'rx123' }]);
  assert.ok(indirect.types.includes('dirty-update'), indirect.types.join());
});

test('duplicate elements (and a cycle)', () => {
  const { types, verdict } = check(txns('ax1ry1', 'ax2ay1', 'rx121'));
  // Elle reports G1c; taking [1 2 1] as the version order also puts 1 after 2, a G0: either is a cycle.
  assert.ok(types.includes('duplicate-elements') && (types.includes('G1c') || types.includes('G0')), types.join());
  assert.equal(verdict('read-uncommitted'), false);
});

test('internal consistency: reads that disagree with the txn’s own reads and appends', () => {
  for (const t of ['rx12ax3rx12', 'rx12ax3rx023', 'rx12ax3rx1234', 'rx12ax3rx1', 'ax3rx1234', 'ax3rx', 'ax1ax2ax4']) {
    const expectInternal = t !== 'ax1ax2ax4';
    const { types } = check(txns(t));
    assert.equal(types.includes('internal'), expectInternal, `${t}: ${types.join()}`);
  }
  assert.deepEqual(check(txns('ax1ax2ax4', 'ax3rx1234')).types.includes('internal'), true);
  // A good one: reads extend with the txn's own appends.
  assert.deepEqual(check([{ t: 'ry56ax3rx123ax4rx1234' }, { t: 'ax1ax2' }, { t: 'ay5ay6' }]).types, []);
});

test('future reads: of an element the txn appends later', () => {
  assert.ok(check(txns('rx012ax1')).types.includes('future-read'));
  assert.ok(check(txns('ax1rx01ax0ax3')).types.includes('future-read'));
});

test('unobserved writes follow the longest read: G-single and G0', () => {
  const { types, verdict } = check(txns('ax1ay1', 'ax2ay2', 'ax3ay3', 'rx12', 'ry2'));
  assert.ok(types.includes('G0'), types.join());
  assert.equal(verdict('read-uncommitted'), false);
});

test('lost update: two txns read the same version and both append', () => {
  const { types, verdict } = check(txns('ax0', 'rx0ax1', 'rx0ax2'));
  assert.ok(types.includes('lost-update') && types.includes('G2-item'), types.join());
  assert.equal(verdict('read-committed'), true);
  assert.equal(verdict('snapshot-isolation'), false);
  // One txn overwriting its own read twice is fine.
  assert.deepEqual(check(txns('rxax1ax2', 'rx12')).types, []);
});

test('wr-process (elle issue 21): G1c-process rules out strong session SI but not serializable', () => {
  const h: TxnSpec[] = [
    { t: 'rx1ay1', p: 1 },
    { t: 'ry1', p: 2 },
    { t: 'ax1', p: 2 },
  ];
  const { types, verdict } = check(h, 'sequential');
  assert.ok(types.includes('G1c-process'), types.join());
  assert.equal(verdict('serializable'), true);
  assert.equal(verdict('strong-session-snapshot-isolation'), false);
  assert.equal(verdict('read-committed'), false, 'read committed here includes the session order (Biswas & Enea)');
});

test("info txns: an info's unobserved append may not have happened, an observed one did", () => {
  // T0 (info) appended 2 after T1's 1, as T2 saw; T0's read of y is unknown, so T0 gets no rw edge from it.
  const { a, types } = check([{ t: 'ax2ry', type: 'info' }, { t: 'ax1ay1' }, { t: 'rx12ry1' }]);
  assert.deepEqual(types, []);
  assert.equal(a.levels['strict-serializable'].valid, true);
  // An info append nobody read creates no edge: this is serializable.
  assert.equal(check([{ t: 'ax1', type: 'info' }, { t: 'rx' }]).verdict('serializable'), true);
  // But an ok one that nobody read still follows the reads that missed it.
  assert.deepEqual(check(txns('ax1ry', 'ay1rx')).types, ['G2-item']);
});

test('duplicate appends make the history unjudgeable, with the element and txns named', () => {
  const { a } = check(txns('ax1', 'ax1'));
  assert.equal(a.levels.serializable.valid, 'unknown');
  assert.match(a.levels.serializable.reason!, /1 is appended to x twice \(T0 and T1\)/);
});

test('a serial history is valid at every level', () => {
  const { a, types } = check(txns('ax1', 'rx1ay1', 'rx1ry1ax2', 'rx12ry1'), 'sequential');
  assert.deepEqual(types, []);
  for (const v of Object.values(a.levels)) assert.equal(v.valid, true);
});

test('a time budget that runs out leaves the undecided levels unknown, never valid', () => {
  // Two components: a G2-item pair and a G-single triple; with no time at all, nothing is searched.
  const a = analyzeIsolation(txnHistory(txns('ax1ry', 'ay1rx', 'az1at1', 'az2rt', 'rz12')), { timeBudgetMs: -1 });
  for (const [level, v] of Object.entries(a.levels)) {
    assert.notEqual(v.valid, true, level);
    if (v.valid === 'unknown') assert.match(v.reason!, /time budget/);
  }
});
