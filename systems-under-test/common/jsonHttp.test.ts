import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { test } from 'node:test';
import { httpOpClient } from './httpOpClient.ts';
import { JsonStatus, requestJson, serveJson } from './jsonHttp.ts';
import { freePorts } from './localCluster.ts';

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => {
      resolve();
    });
  });

test('a reply comes back with its status and parsed body', async (t) => {
  const [port] = await freePorts(1);
  const server = await serveJson('127.0.0.1', port!, {
    '/echo': (body) => ({ got: body }),
    '/teapot': () => new JsonStatus(418, { error: 'teapot' }),
  });
  t.after(() => close(server));
  assert.deepEqual(await requestJson(`http://127.0.0.1:${port}/echo`, { a: [1, 'x'] }), {
    kind: 'reply',
    status: 200,
    body: { got: { a: [1, 'x'] } },
  });
  assert.deepEqual(await requestJson(`http://127.0.0.1:${port}/teapot`, undefined), {
    kind: 'reply',
    status: 418,
    body: { error: 'teapot' },
  });
  const missing = await requestJson(`http://127.0.0.1:${port}/nope`, {});
  assert.equal(missing.kind === 'reply' && missing.status, 404);
});

test('a refused connection is not-sent, so the op is a definite fail', async () => {
  const [port] = await freePorts(1);
  const reply = await requestJson(`http://127.0.0.1:${port}/op`, {});
  assert.deepEqual(reply, { kind: 'not-sent', error: 'ECONNREFUSED' });
  const completion = await httpOpClient(`http://127.0.0.1:${port}`).invoke(
    { f: 'write', value: 1 },
    AbortSignal.timeout(1000),
  );
  assert.equal(completion.type, 'fail');
});

test('a request sent but never answered is unknown, so the op is info', async (t) => {
  const [port] = await freePorts(1);
  const server = await serveJson('127.0.0.1', port!, { '/op': () => new Promise(() => undefined) });
  t.after(() => close(server));
  const timedOut = await requestJson(`http://127.0.0.1:${port}/op`, {}, { timeoutMs: 200 });
  assert.equal(timedOut.kind, 'unknown');
  const completion = await httpOpClient(`http://127.0.0.1:${port}`).invoke(
    { f: 'write', value: 1 },
    AbortSignal.timeout(200),
  );
  assert.deepEqual(completion, { type: 'info', error: 'aborted' });
});

test("the server's own completion passes through, and a malformed one is info", async (t) => {
  const [port] = await freePorts(1);
  let next: unknown = { type: 'fail', error: 'not leader' };
  const server = await serveJson('127.0.0.1', port!, { '/op': () => next });
  t.after(() => close(server));
  const client = httpOpClient(`http://127.0.0.1:${port}`);
  const signal = AbortSignal.timeout(2000);
  assert.deepEqual(await client.invoke({ f: 'cas', value: [1, 2] }, signal), { type: 'fail', error: 'not leader' });
  next = { type: 'ok', value: 'v' };
  assert.deepEqual(await client.invoke({ f: 'read', value: null }, signal), { type: 'ok', value: 'v' });
  next = { what: 1 };
  assert.equal((await client.invoke({ f: 'read', value: null }, signal)).type, 'info');
});
