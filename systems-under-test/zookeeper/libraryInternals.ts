// What this adapter does inside node-zookeeper-client (1.1.x), which it cannot do through the library's API.
//
// sync: the library has no sync call. The request (opcode 9) goes through the library's own queue, so it is
// ordered with the session's other calls and gets its xid there; its bytes are written here: length, xid,
// opcode 9, the path (jute ustring). The library decodes a reply by the opcode in the queued header, and knows
// no sync reply (it would drop the connection), so the queued header says delete instead, whose reply it reads
// as header only: the sync reply's path, left unread, is harmless, as every reply is framed by its length. An
// error reply comes back as the library's Exception.
//
// A partial reply left from a lost connection: the library keeps the bytes of a reply cut off by a lost
// connection (a server paused or killed mid-reply, the socket timed out) and reads the next connection's
// bytes after them, so every reply on the new connection is misread: it waits forever for a length that never
// comes, or throws "Unknown code" from its socket handler, which fails the whole run. The buffer is dropped
// when the connection is lost, before the library reconnects.
//
// Giving up on a session not yet open: the library's close only marks the session closing and queues a close
// request; the connection goes on, and the server's late answer to the session request is then read as the
// reply to the close request, whose error code is a piece of the session id: "Unknown code: …" thrown from the
// socket handler again. Such a session's connection is destroyed instead, and any connection the library
// opens for it later is destroyed as soon as it connects.
import type { Socket } from 'node:net';
import type zookeeper from 'node-zookeeper-client';

const syncOpcode = 9;
/** A reply the library decodes as its header alone (OP_CODES.DELETE). */
const headerOnlyOpcode = 2;

interface QueuedRequest {
  header: { type: number; xid: number };
  toBuffer(): Buffer;
}

/** The parts of the library's connection manager this uses. */
interface ConnectionManager {
  queue(request: QueuedRequest, callback: (error: Error | null) => void): void;
  /** Bytes read but not yet a whole reply. */
  pendingBuffer: Buffer | null;
  /** The current connection, once the library opened one. */
  socket?: Socket;
  /** Bound to each new connection's connect event as the library opens it. */
  onSocketConnected(): void;
}

function connectionManager(session: zookeeper.Client): ConnectionManager {
  const manager: unknown = (session as unknown as { connectionManager?: unknown }).connectionManager;
  if (
    typeof manager !== 'object' ||
    manager === null ||
    typeof (manager as ConnectionManager).queue !== 'function' ||
    !('pendingBuffer' in manager)
  ) {
    throw new Error('node-zookeeper-client has no connectionManager with queue and pendingBuffer: a changed library');
  }
  return manager as ConnectionManager;
}

/** A sync request as written on the wire, given the xid the library assigned. Pure, for tests. */
export function syncRequestBytes(xid: number, path: string): Buffer {
  const pathBytes = Buffer.from(path, 'utf8');
  const body = 4 + 4 + 4 + pathBytes.length;
  const out = Buffer.alloc(4 + body);
  out.writeInt32BE(body, 0);
  out.writeInt32BE(xid, 4);
  out.writeInt32BE(syncOpcode, 8);
  out.writeInt32BE(pathBytes.length, 12);
  pathBytes.copy(out, 16);
  return out;
}

/** Sends sync for `path` on the session; resolves once the server has caught up with the leader. */
export function sync(session: zookeeper.Client, path: string): Promise<void> {
  const header = { type: headerOnlyOpcode, xid: 0 };
  return new Promise((resolve, reject) => {
    connectionManager(session).queue({ header, toBuffer: () => syncRequestBytes(header.xid, path) }, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}

/** From now on, a lost connection drops any partial reply before the library reconnects (see above). */
export function dropPartialReplyOnDisconnect(session: zookeeper.Client): void {
  const manager = connectionManager(session);
  // 'disconnected' is emitted as the library sets its state, before it opens the next connection.
  session.on('disconnected', () => {
    manager.pendingBuffer = null;
  });
}

/** Closes a session that never opened, so that no late answer of the server is read (see above). */
export function abandonUnopenedSession(session: zookeeper.Client): void {
  const manager = connectionManager(session);
  manager.onSocketConnected = function destroyAtOnce(this: ConnectionManager): void {
    this.socket?.destroy();
  };
  session.close();
  manager.socket?.destroy();
}
