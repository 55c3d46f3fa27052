import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { HistoryOp, Operation, Value } from '../checkers/history.ts';
import { pairOperations } from '../checkers/history.ts';
import { analyseSet } from '../checkers/set/setFull.ts';
import { stableLatency } from './broadcastLatency.ts';

const ms = 1e6;

/** A history from [process, node, f, value, call ms, ret ms, read result] ops; one key, as broadcast has. */
function history(
  ops: readonly {
    p: number;
    node: string;
    f: 'add' | 'read';
    value?: number;
    call: number;
    ret: number;
    read?: number[];
  }[],
): Operation[] {
  const lines: Omit<HistoryOp, 'index'>[] = [];
  for (const o of ops) {
    const base = { process: o.p, f: o.f, node: o.node, key: 'k0' };
    lines.push({ ...base, time: o.call * ms, type: 'invoke', value: o.f === 'add' ? o.value! : null });
    lines.push({ ...base, time: o.ret * ms, type: 'ok', value: o.f === 'add' ? o.value! : o.read! });
  }
  lines.sort((a, b) => a.time - b.time);
  return pairOperations(lines.map((l, index) => ({ ...l, index })));
}

describe('stable latency', () => {
  test('stable once every node holds it: the completion of the read after the last miss, per node', () => {
    const ops = history([
      { p: 0, node: 'n1', f: 'add', value: 7, call: 0, ret: 10 },
      // n1: a read begun before the ack does not judge; one after misses it; the next has it for good.
      { p: 1, node: 'n1', f: 'read', call: 5, ret: 11, read: [] },
      { p: 1, node: 'n1', f: 'read', call: 12, ret: 13, read: [] },
      { p: 1, node: 'n1', f: 'read', call: 20, ret: 22, read: [7] },
      { p: 1, node: 'n1', f: 'read', call: 30, ret: 31, read: [7] },
      // n2 has it at once.
      { p: 2, node: 'n2', f: 'read', call: 15, ret: 16, read: [7] },
    ]);
    const s = stableLatency(ops);
    assert.deepEqual(
      { ...s, neverStableExamples: s.neverStableExamples.length },
      {
        elements: 1,
        stable: 1,
        p50Ms: 12,
        p95Ms: 12,
        maxMs: 12,
        neverStable: 0,
        neverStableExamples: 0,
        undetermined: 0,
        nodes: ['n1', 'n2'],
      },
    );
  });

  test("never stable when one node's last read misses it, even though another's has it", () => {
    const ops = history([
      { p: 0, node: 'n1', f: 'add', value: 1, call: 0, ret: 1 },
      { p: 0, node: 'n1', f: 'add', value: 2, call: 2, ret: 3 },
      { p: 1, node: 'n1', f: 'read', call: 4, ret: 5, read: [1, 2] },
      { p: 2, node: 'n2', f: 'read', call: 4, ret: 6, read: [2] },
      { p: 2, node: 'n2', f: 'read', call: 7, ret: 9, read: [1] },
    ]);
    const s = stableLatency(ops);
    assert.equal(s.neverStable, 1, 'element 2: n2 read it, then missed it for good');
    assert.deepEqual(s.neverStableExamples, [{ element: 2, node: 'n2' }]);
    // Element 1: n2 missed it, then held it from its read that completed at 9 ms; acked at 1 ms.
    assert.deepEqual([s.stable, s.maxMs, s.undetermined], [1, 8, 0]);
  });

  test('undetermined when a node did not read after the ack; failed and info adds are not elements', () => {
    const lines: HistoryOp[] = [
      { index: 0, time: 0, type: 'invoke', process: 0, f: 'add', value: 1, node: 'n1', key: 'k0' },
      { index: 1, time: 1 * ms, type: 'invoke', process: 1, f: 'add', value: 2, node: 'n1', key: 'k0' },
      { index: 2, time: 2 * ms, type: 'ok', process: 0, f: 'add', value: 1, node: 'n1', key: 'k0' },
      { index: 3, time: 3 * ms, type: 'info', process: 1, f: 'add', value: 2, node: 'n1', key: 'k0' },
      { index: 4, time: 3 * ms, type: 'invoke', process: 2, f: 'read', value: null, node: 'n2', key: 'k0' },
      { index: 5, time: 4 * ms, type: 'ok', process: 2, f: 'read', value: [1, 2], node: 'n2', key: 'k0' },
      { index: 6, time: 5 * ms, type: 'invoke', process: 3, f: 'read', value: null, node: 'n3', key: 'k0' },
      // n3's only read began after the ack, but n1 never read at all: n1 does not count; n3 read it.
      { index: 7, time: 6 * ms, type: 'ok', process: 3, f: 'read', value: [1], node: 'n3', key: 'k0' },
      { index: 8, time: 6.5 * ms, type: 'invoke', process: 0, f: 'add', value: 3, node: 'n1', key: 'k0' },
      { index: 9, time: 7 * ms, type: 'ok', process: 0, f: 'add', value: 3, node: 'n1', key: 'k0' },
    ];
    const s = stableLatency(pairOperations(lines));
    assert.equal(s.elements, 2, 'elements 1 and 3');
    assert.equal(s.stable, 1);
    assert.equal(s.maxMs, 4, 'element 1: acked at 2, on n3 at 6');
    assert.equal(s.undetermined, 1, 'element 3: nobody read after its ack');
  });

  test('no reads: every element undetermined, no latency', () => {
    const s = stableLatency(history([{ p: 0, node: 'n1', f: 'add', value: 1, call: 0, ret: 1 }]));
    assert.deepEqual([s.stable, s.undetermined, s.p50Ms, s.nodes], [0, 1, null, []]);
  });

  // The definition applied directly, element by element and node by node (quadratic), against the function.
  function bruteForce(ops: readonly Operation[]) {
    const acked = new Map<Value, number>();
    for (const o of ops) if (o.f === 'add' && o.status === 'ok' && !acked.has(o.input)) acked.set(o.input, o.ret);
    const nodes = [...new Set(ops.filter((o) => o.f === 'read').map((o) => o.node!))];
    const latencies: number[] = [];
    let never = 0;
    let undetermined = 0;
    for (const [element, at] of acked) {
      let latest = -Infinity;
      let isNever = false;
      let unread = false;
      for (const n of nodes) {
        const reads = ops.filter((o) => o.f === 'read' && o.node === n && o.call >= at).sort((a, b) => a.call - b.call);
        if (reads.length === 0) {
          unread = true;
          continue;
        }
        let from = reads.length;
        while (from > 0 && (reads[from - 1]!.output as Value[]).includes(element)) from--;
        if (from === reads.length) isNever = true;
        else latest = Math.max(latest, reads[from]!.ret);
      }
      if (isNever) never++;
      else if (unread || nodes.length === 0) undetermined++;
      else latencies.push((latest - at) / ms);
    }
    return {
      stable: latencies.length,
      never,
      undetermined,
      max: latencies.length === 0 ? null : Math.max(...latencies),
    };
  }

  test('agrees with the definition applied directly (fast-check)', () => {
    const op = fc.record({
      node: fc.constantFrom('n1', 'n2', 'n3'),
      f: fc.constantFrom<'add' | 'read'>('add', 'read'),
      value: fc.integer({ min: 0, max: 6 }),
      call: fc.integer({ min: 0, max: 50 }),
      len: fc.integer({ min: 0, max: 10 }),
      read: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 7 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), (drawn) => {
        // Each element added once (the workload's are unique).
        const added = new Set<number>();
        const ops = history(
          drawn
            .filter((d) => d.f === 'read' || (!added.has(d.value) && added.add(d.value)))
            // One process per op, so no process has two ops open.
            .map((d, i) => ({ ...d, p: i, ret: d.call + d.len })),
        );
        const s = stableLatency(ops);
        const b = bruteForce(ops);
        assert.deepEqual(
          { stable: s.stable, never: s.neverStable, undetermined: s.undetermined, max: s.maxMs },
          { ...b, max: b.max === null ? null : Math.round(b.max * 1000) / 1000 },
        );
        assert.equal(s.stable + s.neverStable + s.undetermined, s.elements);
        // An acknowledged element the set checker finds lost is missing from the key's last reads, so it is
        // never stable here, or undetermined when only reads begun before its ack miss it.
        const lost = analyseSet(ops)
          .keys.flatMap((k) => k.elements)
          .filter((e) => e.outcome === 'lost' && e.acknowledgedAt !== null).length;
        assert.ok(lost <= s.neverStable + s.undetermined, `${lost} lost, ${s.neverStable} never stable`);
      }),
      { numRuns: 300 },
    );
  });
});
