import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import zookeeper from 'node-zookeeper-client';
import { dropPartialReplyOnDisconnect, syncRequestBytes } from './libraryInternals.ts';
import { openZookeeperClient } from './zookeeperClient.ts';

test('a sync request on the wire: length, xid, opcode 9, then the path as a length-prefixed string', () => {
  assert.deepEqual(
    [...syncRequestBytes(7, '/faultline-k')],
    [...[0, 0, 0, 24], ...[0, 0, 0, 7], ...[0, 0, 0, 9], ...[0, 0, 0, 12], ...Buffer.from('/faultline-k')],
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      (xid, key) => {
        const path = `/faultline-${key}`;
        const bytes = syncRequestBytes(xid, path);
        assert.equal(bytes.readInt32BE(0), bytes.length - 4);
        assert.equal(bytes.readInt32BE(4), xid);
        assert.equal(bytes.readInt32BE(8), 9);
        const pathLength = bytes.readInt32BE(12);
        assert.equal(bytes.subarray(16, 16 + pathLength).toString('utf8'), path);
        assert.equal(16 + pathLength, bytes.length);
      },
    ),
  );
});

/** A server's answer to a session request, as the library reads it: protocol 0, timeout, session id, password. */
function connectResponse(sessionId = 1n): Buffer {
  const out = Buffer.alloc(4 + 4 + 4 + 8 + 4 + 16);
  out.writeInt32BE(out.length - 4, 0);
  out.writeInt32BE(0, 4);
  out.writeInt32BE(6000, 8);
  out.writeBigInt64BE(sessionId, 12);
  out.writeInt32BE(16, 20);
  return out;
}

test('a reply cut off by a lost connection is dropped: the next connection is read from its own first byte', async (t) => {
  // A loopback stand-in for the server: its first connection answers the session request, then sends the
  // start of a reply (a length of 100, 10 bytes of it) and drops; the second answers the session request.
  let connections = 0;
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    connections += 1;
    const first = connections === 1;
    socket.once('data', () => {
      socket.write(
        first ? Buffer.concat([connectResponse(), Buffer.from([0, 0, 0, 100]), Buffer.alloc(10)]) : connectResponse(),
      );
      if (first) setTimeout(() => socket.destroy(), 50);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    // The client's close waits for an answer this stand-in never sends: end its connections here.
    for (const s of sockets) s.destroy();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const session = zookeeper.createClient(`127.0.0.1:${port}`, { sessionTimeout: 6000, spinDelay: 50, retries: 0 });
  t.after(() => {
    session.close();
  });
  dropPartialReplyOnDisconnect(session);
  let connected = 0;
  const reconnected = new Promise<void>((resolve) => {
    session.on('connected', () => {
      connected += 1;
      if (connected === 2) resolve();
    });
  });
  session.connect();
  const timeout = new Promise<'timed out'>((resolve) =>
    setTimeout(() => {
      resolve('timed out');
    }, 10_000).unref(),
  );
  assert.equal(await Promise.race([reconnected.then(() => 'reconnected'), timeout]), 'reconnected');
  assert.equal(connections, 2);
});

test('a session given up before it opened reads no late answer: its connection is closed, nothing is thrown', async (t) => {
  // A stand-in server that answers the session request only after the client's connect timeout.
  let closedByClient = false;
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('close', () => {
      closedByClient = true;
    });
    socket.on('error', () => undefined);
    socket.once('data', () => {
      setTimeout(() => {
        if (!socket.destroyed) socket.write(connectResponse(0x12345678n));
      }, 400);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const thrown: unknown[] = [];
  const onUncaught = (e: unknown): void => {
    thrown.push(e);
  };
  process.on('uncaughtException', onUncaught);
  t.after(() => process.off('uncaughtException', onUncaught));
  await assert.rejects(
    openZookeeperClient({
      server: `127.0.0.1:${port}`,
      sessionTimeoutMs: 6000,
      connectTimeoutMs: 150,
      syncBeforeRead: false,
    }),
    /no session after 150 ms/,
  );
  await new Promise((resolve) => setTimeout(resolve, 800));
  assert.deepEqual(thrown, []);
  assert.equal(closedByClient, true, 'the client closed the connection it gave up on');
});
