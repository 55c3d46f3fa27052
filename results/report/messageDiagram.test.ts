import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { HistoryOp } from '../../checkers/history.ts';
import type { CheckResult } from '../../checkers/result.ts';
import type { MessageLogEvent } from '../messageLog.ts';
import { messageDiagram, placedOrigin } from './messageDiagram.ts';
import { messageDiagramSvg } from './messageDiagramSvg.ts';
import { buildReportData } from './reportData.ts';

const ms = 1e6;
/** The history's time 0 on the wall clock; the first op is at 100 ms of the history, time 0 of the report. */
const originEpochMs = 1_700_000_000_000;
const firstOpMs = 100;
const wall = (reportMs: number) => originEpochMs + firstOpMs + reportMs;

function op(index: number, t: number, type: HistoryOp['type'], process: number, f: string, value: HistoryOp['value']) {
  return { index, time: (firstOpMs + t) * ms, type, process, f, value, node: 'n1', key: 'k0' } satisfies HistoryOp;
}

// Two processes on n1 invoking within a millisecond of each other (p1 first), and a third op of p0 later.
const history: HistoryOp[] = [
  op(0, 0, 'invoke', 0, 'add', 1),
  op(1, 0.2, 'invoke', 1, 'read', null),
  op(2, 5, 'ok', 0, 'add', 1),
  op(3, 6, 'ok', 1, 'read', []),
  op(4, 10, 'invoke', 0, 'add', 2),
  op(5, 14, 'ok', 0, 'add', 2),
];
const checks: CheckResult[] = [
  {
    checker: 'set',
    model: 'set',
    valid: false,
    anomalies: [{ type: 'lost', ops: [0, 2], explanation: 'lost 1 and 2' }],
    stats: { ops: 3, timeMs: 0 },
  },
];

let nextId = 0;
function message(
  src: string,
  dest: string,
  type: string,
  sentAt: number,
  end: { at: number; drop?: string } | null,
  ids: { msg_id?: number; in_reply_to?: number } = {},
): MessageLogEvent[] {
  const id = nextId++;
  const base = { id, src, dest, type, ...ids };
  const send: MessageLogEvent = { event: 'send', time: wall(sentAt), ...base };
  if (end === null) return [send];
  const e: MessageLogEvent =
    end.drop === undefined
      ? { event: 'deliver', time: wall(end.at), ...base }
      : { event: 'drop', time: wall(end.at), ...base, reason: end.drop };
  return [send, e];
}

const init: MessageLogEvent = {
  event: 'send',
  id: -1,
  time: wall(-50),
  src: 'c0',
  dest: 'n1',
  type: 'init',
  msg_id: 1,
};
const events: MessageLogEvent[] = [
  init,
  ...message('c1', 'n1', 'broadcast', 0.05, { at: 1 }, { msg_id: 1 }),
  ...message('c2', 'n1', 'read', 0.25, { at: 1.5 }, { msg_id: 1 }),
  ...message('n1', 'n2', 'gossip', 1.2, { at: 2, drop: 'partitioned' }),
  ...message('n1', 'c2', 'read_ok', 5.5, { at: 5.9 }, { in_reply_to: 1 }),
  ...message('n1', 'c1', 'broadcast_ok', 4, { at: 4.9 }, { in_reply_to: 1 }),
  ...message('c1', 'n1', 'broadcast', 10.1, { at: 11 }, { msg_id: 2 }),
  ...message('n1', 'n2', 'gossip', 11.5, null),
  ...message('n1', 'c1', 'broadcast_ok', 13, { at: 13.9 }, { in_reply_to: 2 }),
  // After the window: not drawn.
  ...message('n1', 'n2', 'gossip', 20, { at: 21 }),
].sort((a, b) => a.time - b.time);

describe('message diagram', () => {
  const data = buildReportData(history, checks);

  test("the cited ops' requests and replies, each with its op, and every message between nodes in their window", () => {
    const d = messageDiagram(events, data, data.anomalies[0]!, ['n1', 'n2'], originEpochMs)!;
    assert.deepEqual(d.window, { start: 0, end: 14 });
    assert.deepEqual(
      d.arrows.map((a) => [a.src, a.dest, a.type, a.op, a.dropped]),
      [
        ['c1', 'n1', 'broadcast', 0, null],
        ['n1', 'n2', 'gossip', null, 'partitioned'],
        ['n1', 'c1', 'broadcast_ok', 0, null],
        ['c1', 'n1', 'broadcast', 2, null],
        ['n1', 'n2', 'gossip', null, null],
        ['n1', 'c1', 'broadcast_ok', 2, null],
      ],
    );
    // p1's read, invoked 0.2 ms after p0's add on the same node, is its own: not drawn, counted.
    assert.equal(d.otherClients, 2);
    assert.equal(d.leftOut, 0);
    assert.equal(d.arrows[4]!.endAt, null, 'still in flight when the log ended');
    assert.deepEqual(
      d.lanes.map((l) => l.label),
      ['c1 · p0', 'n1', 'n2'],
    );
  });

  test("an origin recorded late (a stall between the recorder's clock readings) is moved back by the requests", () => {
    const placed = placedOrigin(events, data, ['n1', 'n2'], originEpochMs + 2);
    // The earliest request follows its invoke by 0.05 ms: the origin can be no later than that allows.
    assert.ok(Math.abs(placed - (originEpochMs + 0.05)) < 1e-6, `${placed - originEpochMs}`);
    const late = messageDiagram(events, data, data.anomalies[0]!, ['n1', 'n2'], originEpochMs + 2)!;
    const right = messageDiagram(events, data, data.anomalies[0]!, ['n1', 'n2'], originEpochMs)!;
    assert.deepEqual(
      late.arrows.map((a) => a.op),
      right.arrows.map((a) => a.op),
    );
    // Never moved forward: an origin that was early stays as given.
    assert.equal(placedOrigin(events, data, ['n1', 'n2'], originEpochMs - 3), originEpochMs - 3);
  });

  test('capped: the first arrows drawn, the rest counted as left out', () => {
    const d = messageDiagram(events, data, data.anomalies[0]!, ['n1', 'n2'], originEpochMs, 2)!;
    assert.equal(d.arrows.length, 2);
    assert.equal(d.leftOut, 4);
  });

  test('an anomaly citing no op draws nothing', () => {
    assert.equal(messageDiagram(events, data, { ...data.anomalies[0]!, ops: [] }, ['n1'], originEpochMs), null);
  });

  test('the drawing: a row per event with one label at most, a dropped arrow dashed to its reason', () => {
    const d = messageDiagram(events, data, data.anomalies[0]!, ['n1', 'n2'], originEpochMs)!;
    const svg = messageDiagramSvg(d, data).html;
    assert.equal((svg.match(/class="md-time"/g) ?? []).length, 11, '6 sends, 5 ends');
    assert.match(svg, /class="md-msg md-dropped"[^>]*>[\s\S]*?✗ partitioned/);
    assert.match(svg, /broadcast · op 0 add/);
    // Label rows: no two labels share a y (the texts of arrows and drops).
    const ys = [
      ...svg.matchAll(/<text(?:\s+class="md-drop")?\s+x="[-\d.]+"\s+y="([-\d.]+)"\s+text-anchor="(?:start|end)"/g),
    ].map((m) => m[1]);
    assert.equal(ys.length, 7, 'six arrows and one drop');
    assert.equal(new Set(ys).size, ys.length);
  });

  test('for any log, arrows lie in the window, within the cap, and each message is drawn or counted (fast-check)', () => {
    const endpoint = fc.constantFrom('n1', 'n2', 'c1', 'c2');
    const drawn = fc.record({
      src: endpoint,
      dest: endpoint,
      at: fc.double({ min: -5, max: 25, noNaN: true }),
      len: fc.double({ min: 0, max: 3, noNaN: true }),
      drop: fc.option(fc.constantFrom('lost', 'partitioned'), { nil: undefined }),
      msgId: fc.integer({ min: 1, max: 3 }),
      reply: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(drawn, { maxLength: 30 }), fc.integer({ min: 1, max: 10 }), (msgs, cap) => {
        nextId = 0;
        const log = msgs
          .flatMap((m) =>
            message(
              m.src,
              m.dest,
              'x',
              m.at,
              { at: m.at + m.len, ...(m.drop !== undefined && { drop: m.drop }) },
              m.reply ? { in_reply_to: m.msgId } : { msg_id: m.msgId },
            ),
          )
          .sort((a, b) => a.time - b.time);
        const d = messageDiagram(log, data, data.anomalies[0]!, ['n1', 'n2'], originEpochMs, cap)!;
        assert.ok(d.arrows.length <= cap);
        for (const a of d.arrows) assert.ok(a.sentAt >= d.window.start - 0.5 && a.sentAt <= d.window.end);
        const inWindow = msgs.filter((m) => m.at >= d.window.start - 0.5 && m.at <= d.window.end).length;
        assert.equal(d.arrows.length + d.leftOut + d.otherClients, inWindow);
        // And it draws without throwing, one time label per event.
        const svg = messageDiagramSvg(d, data).html;
        assert.equal((svg.match(/class="md-time"/g) ?? []).length, d.arrows.length * 2);
      }),
      { numRuns: 150 },
    );
  });
});
