import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { HistoryOp } from '../checkers/history.ts';
import type { MessageLogEvent } from './messageLog.ts';
import { mergeMessageLogs, parseMessageLogLine } from './messageLog.ts';
import { networkFigures } from './networkFigures.ts';
import { runResultsSchema } from './runResults.ts';

const nodes = ['n1', 'n2', 'n3'];
const ev = (e: Partial<MessageLogEvent> & Pick<MessageLogEvent, 'event' | 'id' | 'src' | 'dest'>): MessageLogEvent => ({
  time: 1,
  type: 'broadcast',
  ...e,
});
const invoke = (index: number, process: HistoryOp['process']): HistoryOp => ({
  index,
  time: index,
  type: 'invoke',
  process,
  f: process === 'nemesis' ? 'start-partition' : 'add',
  value: null,
});

describe('network figures', () => {
  test("Maelstrom's counts: sends, server sends, per client op; drops by reason, duplicates; init not counted", () => {
    const events = [
      // init bypasses the network.
      ev({ event: 'send', id: -1, src: 'c0', dest: 'n1', type: 'init' }),
      ev({ event: 'deliver', id: -1, src: 'c0', dest: 'n1', type: 'init' }),
      ev({ event: 'send', id: 0, src: 'c1', dest: 'n1' }),
      ev({ event: 'deliver', id: 0, src: 'c1', dest: 'n1' }),
      ev({ event: 'send', id: 1, src: 'n1', dest: 'n2' }),
      ev({ event: 'drop', id: 1, src: 'n1', dest: 'n2', reason: 'partitioned' }),
      ev({ event: 'send', id: 2, src: 'n1', dest: 'n3' }),
      ev({ event: 'deliver', id: 2, src: 'n1', dest: 'n3' }),
      ev({ event: 'deliver', id: 2, src: 'n1', dest: 'n3', copy: 1 }),
      ev({ event: 'send', id: 3, src: 'n3', dest: 'n2' }),
      ev({ event: 'drop', id: 3, src: 'n3', dest: 'n2', reason: 'lost' }),
      ev({ event: 'send', id: 4, src: 'n1', dest: 'c1', type: 'broadcast_ok' }),
      ev({ event: 'deliver', id: 4, src: 'n1', dest: 'c1', type: 'broadcast_ok' }),
    ];
    const history = [invoke(0, 0), invoke(1, 'nemesis')];
    const f = networkFigures({ events, nodes, history });
    assert.deepEqual(f, {
      messages: 5,
      serverMessages: 3,
      clientOps: 1,
      messagesPerOp: 5,
      serverMessagesPerOp: 3,
      drops: { partitioned: 1, lost: 1 },
      duplicates: 1,
      skippedLines: 0,
    });
    // What results.json holds is what its schema reads back.
    assert.equal(runResultsSchema.shape.network.safeParse(f).success, true);
  });

  test('no client op: per-op figures are null, not a division by zero', () => {
    const f = networkFigures({ events: [ev({ event: 'send', id: 0, src: 'n1', dest: 'n2' })], nodes, history: [] });
    assert.deepEqual([f.messagesPerOp, f.serverMessagesPerOp], [null, null]);
  });

  test('counts add up for any log (fast-check): server sends within sends, drops and duplicates per event', () => {
    const endpoint = fc.constantFrom('n1', 'n2', 'n3', 'c1', 'c2');
    const event = fc.record({
      event: fc.constantFrom<MessageLogEvent['event']>('send', 'deliver', 'drop'),
      id: fc.integer({ min: -1, max: 20 }),
      src: endpoint,
      dest: endpoint,
      reason: fc.constantFrom('lost', 'partitioned', 'unreachable'),
      copy: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), fc.integer({ min: 0, max: 5 }), (drawn, ops) => {
        const events = drawn.map(({ copy, reason, ...e }) =>
          ev({
            ...e,
            ...(e.event === 'drop' && { reason }),
            ...(e.event === 'deliver' && copy && { copy: 1 as const }),
          }),
        );
        const history = Array.from({ length: ops }, (_, i) => invoke(i, i));
        const f = networkFigures({ events, nodes, history });
        const counted = events.filter((e) => e.id >= 0);
        assert.equal(f.messages, counted.filter((e) => e.event === 'send').length);
        assert.ok(f.serverMessages <= f.messages);
        const drops = Object.values(f.drops).reduce((a, b) => a + b, 0);
        assert.equal(drops, counted.filter((e) => e.event === 'drop').length);
        assert.equal(f.duplicates, counted.filter((e) => e.copy === 1).length);
        if (ops > 0) assert.ok(Math.abs(f.serverMessagesPerOp! - f.serverMessages / ops) < 1e-3);
      }),
    );
  });
});

describe('message logs', () => {
  test('merged in time order across nodes; torn and foreign lines skipped and counted', () => {
    const a = [
      JSON.stringify({ event: 'send', id: 0, time: 5, src: 'n1', dest: 'n2', type: 'x', msg_id: 1 }),
      '{"event":"send","id":1,"ti', // torn by a kill
    ].join('\n');
    const b = [
      JSON.stringify({ event: 'deliver', id: 2, time: 3, src: 'c1', dest: 'n2', type: 'read', copy: 1 }),
      JSON.stringify({ event: 'resend', id: 3, time: 4, src: 'n2', dest: 'n1', type: 'x' }),
      JSON.stringify({
        event: 'drop',
        id: 0,
        time: 6,
        src: 'n1',
        dest: 'n2',
        type: 'x',
        reason: 'lost',
        in_reply_to: 4,
      }),
      '',
    ].join('\n');
    const log = mergeMessageLogs([
      { file: 'logs/n1/m', text: a },
      { file: 'logs/n2/m', text: b },
    ]);
    assert.deepEqual(
      log.events.map((e) => [e.time, e.event]),
      [
        [3, 'deliver'],
        [5, 'send'],
        [6, 'drop'],
      ],
    );
    assert.equal(log.skippedLines, 2);
    assert.deepEqual(log.events[0], { event: 'deliver', id: 2, time: 3, src: 'c1', dest: 'n2', type: 'read', copy: 1 });
    assert.equal(log.events[2]!.reason, 'lost');
    assert.equal(log.events[2]!.in_reply_to, 4);
    assert.equal(parseMessageLogLine('[1,2]'), null);
  });
});
