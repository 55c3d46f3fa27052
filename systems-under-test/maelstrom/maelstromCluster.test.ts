// The cluster's services on the router, with a stand-in endpoint for a node (no process): each service answers
// over the network with in_reply_to, a partition between nodes leaves them reachable, and a packet fault on a
// node's links loses its service messages as any other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { MaelstromCluster } from './maelstromCluster.ts';
import type { MaelstromMessage, MessageBody } from './maelstromNetwork.ts';
import { parseMaelstromOptions } from './maelstromOptions.ts';

function clusterWithNode(t: { after(fn: () => void): void }): { cluster: MaelstromCluster; inbox: MaelstromMessage[] } {
  const cluster = new MaelstromCluster(parseMaelstromOptions({ bin: '/bin/true', network: { latency: 1 } }));
  const inbox: MaelstromMessage[] = [];
  cluster.router.attach('n1', (m) => inbox.push(m));
  cluster.router.attach('n2', () => {});
  t.after(() => {
    cluster.router.close();
  });
  return { cluster, inbox };
}

async function until(what: () => boolean, ms = 2000): Promise<void> {
  const end = performance.now() + ms;
  while (!what() && performance.now() < end) await sleep(2);
}

test('each service answers a node over the router, with in_reply_to its request', async (t) => {
  const { cluster, inbox } = clusterWithNode(t);
  const requests: [string, MessageBody][] = [
    ['lin-kv', { type: 'cas', key: 'x', from: 0, to: 1, create_if_not_exists: true, msg_id: 1 }],
    ['lin-kv', { type: 'read', key: 'x', msg_id: 2 }],
    ['seq-kv', { type: 'read', key: 'x', msg_id: 3 }],
    ['lww-kv', { type: 'write', key: 'x', value: 5, msg_id: 4 }],
    ['lin-tso', { type: 'ts', msg_id: 5 }],
    ['lin-tso', { type: 'ts', msg_id: 6 }],
  ];
  for (const [dest, body] of requests) cluster.router.send({ src: 'n1', dest, body });
  await until(() => inbox.length === requests.length);
  const bySource = inbox.map((m) => [m.src, m.body.in_reply_to, m.body.type, m.body['value'] ?? m.body['ts'] ?? null]);
  assert.deepEqual(
    bySource.sort((a, b) => Number(a[1]) - Number(b[1])),
    [
      ['lin-kv', 1, 'cas_ok', null],
      ['lin-kv', 2, 'read_ok', 1],
      // seq-kv is another store: x is not there.
      ['seq-kv', 3, 'error', null],
      ['lww-kv', 4, 'write_ok', null],
      ['lin-tso', 5, 'ts_ok', 0],
      ['lin-tso', 6, 'ts_ok', 1],
    ],
  );
});

test('a partition between nodes leaves the services reachable; a packet fault on the node loses its requests', async (t) => {
  const { cluster, inbox } = clusterWithNode(t);
  cluster.partition({ n1: ['n2'], n2: ['n1'] });
  cluster.router.send({ src: 'n1', dest: 'lin-tso', body: { type: 'ts', msg_id: 1 } });
  await until(() => inbox.length === 1);
  assert.equal(inbox[0]?.body.type, 'ts_ok');
  cluster.shapeLinks(['n1'], { loss: { percent: 100 } });
  cluster.router.send({ src: 'n1', dest: 'lin-tso', body: { type: 'ts', msg_id: 2 } });
  await sleep(30);
  assert.equal(inbox.length, 1);
  cluster.healNetwork();
  // A request without msg_id is applied (the oracle moved on) but not answered; the lost one never reached it.
  cluster.router.send({ src: 'n1', dest: 'lin-tso', body: { type: 'ts' } });
  cluster.router.send({ src: 'n1', dest: 'lin-tso', body: { type: 'ts', msg_id: 3 } });
  await until(() => inbox.length === 2);
  assert.deepEqual(
    inbox.slice(1).map((m) => m.body),
    [{ type: 'ts_ok', ts: 2, in_reply_to: 3 }],
  );
});
