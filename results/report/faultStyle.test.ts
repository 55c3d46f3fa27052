import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FaultWindow } from '../../checkers/history.ts';
import { fallbackFaultColor, faultStyle, placeLabels } from './faultStyle.ts';

const window = (extra: Partial<FaultWindow>): FaultWindow => ({
  fault: 'partition',
  start: 0,
  end: 1,
  startIndex: 0,
  endIndex: 1,
  value: { grudge: { n1: ['n2'] } },
  ...extra,
});

test('a window is drawn with its package label and colour; an old one with its raw value and a stable colour', () => {
  assert.deepEqual(faultStyle(window({ label: 'n1 cut off from n2-n5', color: '#d9534f' })), {
    label: 'n1 cut off from n2-n5',
    color: '#d9534f',
  });
  const old = faultStyle(window({}));
  assert.equal(old.label, 'partition: {"grudge":{"n1":["n2"]}}');
  assert.equal(old.color, fallbackFaultColor('partition'));
  assert.equal(fallbackFaultColor('start-weird'), fallbackFaultColor('start-weird'));
  assert.match(faultStyle(window({ label: 'n2 killed', error: 'no hooks' })).label, /n2 killed \(failed: no hooks\)/);
});

test('labels never overlap in a row, and never run past their band or their text', () => {
  const span = fc
    .record({
      x0: fc.integer({ min: 0, max: 2000 }),
      len: fc.integer({ min: 0, max: 800 }),
      width: fc.integer({ min: 1, max: 300 }),
    })
    .map(({ x0, len, width }) => ({ x0, x1: x0 + len, width }));
  fc.assert(
    fc.property(fc.array(span, { maxLength: 30 }), fc.integer({ min: 1, max: 3 }), (spans, rows) => {
      const places = placeLabels(spans, rows);
      assert.equal(places.length, spans.length);
      const drawn = places.flatMap((p, i) => (p.room > 0 ? [{ ...p, x0: spans[i]!.x0 }] : []));
      for (const [i, p] of places.entries()) {
        assert.ok(p.row >= 0 && p.row < rows);
        assert.ok(p.room <= spans[i]!.width && p.room <= spans[i]!.x1 - spans[i]!.x0);
      }
      for (const a of drawn)
        for (const b of drawn) {
          if (a === b || a.row !== b.row) continue;
          assert.ok(a.x0 + a.room <= b.x0 || b.x0 + b.room <= a.x0, 'two labels overlap');
        }
    }),
  );
});

test('two overlapping windows get two rows, each with its whole label', () => {
  const places = placeLabels(
    [
      { x0: 0, x1: 500, width: 120 },
      { x0: 50, x1: 400, width: 100 },
    ],
    2,
  );
  assert.deepEqual(places, [
    { row: 0, room: 120 },
    { row: 1, room: 100 },
  ]);
});
