// ZooKeeper's sync (opcode 9) over node-zookeeper-client's session, which has no sync call of its own. The
// request goes through the library's own queue, so it is ordered with the session's other calls and gets its
// xid there; its bytes are written here: length, xid, opcode 9, the path (jute ustring). The library decodes a
// reply by the opcode in the queued header, and knows no sync reply (it would drop the connection), so the
// queued header says delete instead, whose reply it reads as header only: the sync reply's path, left unread,
// is harmless, as every reply is framed by its length. An error reply comes back as the library's Exception.
import type zookeeper from 'node-zookeeper-client';

const syncOpcode = 9;
/** A reply the library decodes as its header alone (OP_CODES.DELETE). */
const headerOnlyOpcode = 2;

/** The part of the library's connection manager this uses: its request queue. */
interface RequestQueue {
  queue(request: QueuedRequest, callback: (error: Error | null) => void): void;
}

interface QueuedRequest {
  header: { type: number; xid: number };
  toBuffer(): Buffer;
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

function requestQueue(session: zookeeper.Client): RequestQueue {
  const manager: unknown = (session as unknown as { connectionManager?: unknown }).connectionManager;
  if (typeof manager !== 'object' || manager === null || typeof (manager as RequestQueue).queue !== 'function') {
    throw new Error('node-zookeeper-client has no connectionManager.queue: the sync request cannot be sent');
  }
  return manager as RequestQueue;
}

/** Sends sync for `path` on the session; resolves once the server has caught up with the leader. */
export function sync(session: zookeeper.Client, path: string): Promise<void> {
  const header = { type: headerOnlyOpcode, xid: 0 };
  return new Promise((resolve, reject) => {
    requestQueue(session).queue({ header, toBuffer: () => syncRequestBytes(header.xid, path) }, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}
