import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { HistoryOp, Value } from './history.ts';
import { faultWindows } from './history.ts';
import { faultsThatRan, nemesisEventOp, readNemesisEvent, type NemesisEvent } from './nemesisEvents.ts';

function op(i: number, f: string, value: Value, extra: Partial<HistoryOp> = {}): HistoryOp {
  return { index: i, time: i * 1000, type: 'info', process: 'nemesis', f, value, ...extra };
}

function asOp(i: number, e: NemesisEvent): HistoryOp {
  return { index: i, time: i, ...nemesisEventOp(e) };
}

test('an event written and read back is the same event', () => {
  const json = fc.letrec<{ value: Value }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.string(),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 }),
    ),
  })).value;
  fc.assert(
    fc.property(
      fc.constantFrom('start' as const, 'stop' as const),
      fc.stringMatching(/^[a-z][a-z-]{0,12}$/),
      fc.dictionary(
        fc.string().filter((k) => k !== 'label' && k !== 'color' && k !== '__proto__'),
        json,
        { maxKeys: 4 },
      ),
      fc.option(fc.string(), { nil: undefined }),
      fc.option(fc.constantFrom('#d9534f', '#1F9BD1'), { nil: undefined }),
      fc.option(fc.string(), { nil: undefined }),
      (action, fault, detail, label, color, error) => {
        const event: NemesisEvent = {
          action,
          fault,
          detail,
          ...(label !== undefined && { label }),
          ...(color !== undefined && { color }),
          ...(error !== undefined && { error }),
        };
        // Through JSON, as the history file carries it.
        const line = JSON.parse(JSON.stringify(asOp(0, event))) as HistoryOp;
        assert.deepEqual(readNemesisEvent(line), JSON.parse(JSON.stringify(event)));
      },
    ),
  );
});

test('old and external histories are still read: any value, no label or colour', () => {
  assert.deepEqual(readNemesisEvent(op(0, 'start-partition', null)), {
    action: 'start',
    fault: 'partition',
    detail: {},
  });
  assert.deepEqual(readNemesisEvent(op(0, 'stop-kill', 'n1')), {
    action: 'stop',
    fault: 'kill',
    detail: { value: 'n1' },
  });
  // A colour that is not #rrggbb is not passed on to the report's canvas.
  assert.equal(readNemesisEvent(op(0, 'start-clock', { color: 'red; x' }))?.color, undefined);
  assert.equal(readNemesisEvent(op(0, 'start', {})), null, 'no kind, no event');
  assert.equal(readNemesisEvent(op(0, 'start-partition', {}, { process: 3 })), null, 'a client op is no event');
  assert.equal(readNemesisEvent(op(0, 'start-partition', {}, { type: 'invoke' })), null);
});

test('fault windows carry the label and colour the runner wrote', () => {
  const history = [
    asOp(0, { action: 'start', fault: 'partition', detail: {}, label: 'n1 cut off from n2-n5', color: '#d9534f' }),
    asOp(1, { action: 'stop', fault: 'partition', detail: {} }),
  ];
  const [w] = faultWindows(history);
  assert.equal(w?.label, 'n1 cut off from n2-n5');
  assert.equal(w?.color, '#d9534f');
  assert.equal(w?.endIndex, 1);
});

test('faults that ran: started cleanly, not a failed start, still active at the end counts', () => {
  const start = (fault: string, error?: string): NemesisEvent => ({
    action: 'start',
    fault,
    detail: {},
    ...(error !== undefined && { error }),
  });
  const stop = (fault: string, detail: Record<string, Value> = {}): NemesisEvent => ({ action: 'stop', fault, detail });
  assert.deepEqual(faultsThatRan([]), []);
  assert.deepEqual(faultsThatRan([start('kill', 'no hooks'), stop('kill')]), [], 'a start with an error did not run');
  assert.deepEqual(
    faultsThatRan([start('packet'), stop('packet', { startFailed: true })]),
    [],
    'an apply that failed did not run',
  );
  assert.deepEqual(faultsThatRan([start('clock'), start('pause'), stop('pause'), stop('clock')]), ['clock', 'pause']);
  assert.deepEqual(faultsThatRan([start('pause', 'x'), stop('pause'), start('partition')]), ['partition']);
});
