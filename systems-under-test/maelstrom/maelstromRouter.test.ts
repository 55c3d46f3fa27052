// The router on real timers: it delivers what the model says when it says it, and reports every send,
// delivery and drop as a message-log event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { MaelstromNetwork, perfectConditions } from './maelstromNetwork.ts';
import type { MaelstromMessage } from './maelstromNetwork.ts';
import { MaelstromRouter } from './maelstromRouter.ts';
import type { MessageEvent } from './maelstromRouter.ts';

function routerWith(latencyMs: number): { router: MaelstromRouter; events: MessageEvent[]; inbox: MaelstromMessage[] } {
  const events: MessageEvent[] = [];
  const inbox: MaelstromMessage[] = [];
  const network = new MaelstromNetwork(1, {
    ...perfectConditions,
    latency: { distribution: 'constant', ms: latencyMs },
  });
  const router = new MaelstromRouter(network, { onEvent: (e) => events.push(e) });
  router.attach('n1', () => {});
  router.attach('n2', (m) => inbox.push(m));
  return { router, events, inbox };
}

test('a message is delivered after its latency, and logged as sent then delivered with its ids', async () => {
  const { router, events, inbox } = routerWith(30);
  const started = performance.now();
  router.send({ src: 'n1', dest: 'n2', body: { type: 'ping', msg_id: 7, in_reply_to: 3 } });
  assert.equal(inbox.length, 0);
  while (inbox.length === 0) await sleep(2);
  assert.ok(performance.now() - started >= 29);
  assert.deepEqual(
    events.map(({ event, id, src, dest, type, msg_id, in_reply_to }) => ({
      event,
      id,
      src,
      dest,
      type,
      msg_id,
      in_reply_to,
    })),
    [
      { event: 'send', id: 0, src: 'n1', dest: 'n2', type: 'ping', msg_id: 7, in_reply_to: 3 },
      { event: 'deliver', id: 0, src: 'n1', dest: 'n2', type: 'ping', msg_id: 7, in_reply_to: 3 },
    ],
  );
  assert.ok(
    events.every((e) => Math.abs(e.time - Date.now()) < 5000),
    'times are ms since the epoch',
  );
  router.close();
});

test('a partition, an unknown destination and a detached one are logged as drops with the reason', async () => {
  const { router, events, inbox } = routerWith(0);
  router.model.setGrudge(new Map([['n2', new Set(['n1'])]]));
  router.send({ src: 'n1', dest: 'n2', body: { type: 'cut' } });
  router.send({ src: 'n1', dest: 'n9', body: { type: 'nobody' } });
  router.model.setGrudge(new Map());
  router.send({ src: 'n1', dest: 'n2', body: { type: 'in-flight' } });
  router.detach('n2');
  await sleep(10);
  assert.deepEqual(inbox, []);
  assert.deepEqual(
    events.filter((e) => e.event === 'drop').map((e) => [e.type, e.reason]),
    [
      ['cut', 'partitioned'],
      ['nobody', 'unreachable'],
      ['in-flight', 'unreachable'],
    ],
  );
  router.close();
});

test('a burst sent at once is delivered in send order, and nothing after close', async () => {
  const { router, inbox } = routerWith(0);
  for (let i = 0; i < 100; i++) router.send({ src: 'n1', dest: 'n2', body: { type: 'm', msg_id: i } });
  await sleep(10);
  assert.deepEqual(
    inbox.map((m) => m.body.msg_id),
    Array.from({ length: 100 }, (_, i) => i),
  );
  router.close();
  router.send({ src: 'n1', dest: 'n2', body: { type: 'late' } });
  await sleep(10);
  assert.equal(inbox.length, 100);
});
