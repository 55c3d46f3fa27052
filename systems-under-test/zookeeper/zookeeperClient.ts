// A client bound to one ZooKeeper server through node-zookeeper-client (pure JS): one session per client, its
// connection string naming only that server, so reads are served by it (a follower answers reads from its own
// copy). The steps of each op, and every outcome rule, are in znodeOps.ts; this file only carries them out.
import zookeeper from 'node-zookeeper-client';
import type { Client, ClientOp, Completion } from '../../harness/plugin.ts';
import { abandonUnopenedSession, dropPartialReplyOnDisconnect, sync } from './libraryInternals.ts';
import type { ZkCall, ZkReply } from './znodeOps.ts';
import { ZkCode, znodeStep } from './znodeOps.ts';

export interface ZookeeperClientOptions {
  /** host:port of the one server this client talks to. */
  server: string;
  /** Requested session timeout; the server clamps it to [2, 20] × tickTime. */
  sessionTimeoutMs: number;
  /** How long opening may take before it fails (the server may be cut off or down). */
  connectTimeoutMs: number;
  /** Every read calls sync first (see znodeOps.ts). */
  syncBeforeRead: boolean;
}

function errorReply(e: unknown): ZkReply {
  if (e instanceof zookeeper.Exception) return { ok: false, code: e.getCode(), error: e.getName() };
  return { ok: false, code: ZkCode.connectionLoss, error: e instanceof Error ? e.message : String(e) };
}

function perform(session: zookeeper.Client, c: ZkCall): Promise<ZkReply> {
  return new Promise((resolve) => {
    switch (c.call) {
      case 'sync':
        sync(session, c.path).then(
          () => {
            resolve({ ok: true });
          },
          (e: unknown) => {
            resolve(errorReply(e));
          },
        );
        return;
      case 'getData':
        session.getData(c.path, (e, data, stat) => {
          resolve(e ? errorReply(e) : { ok: true, data: data?.toString('utf8') ?? '', version: stat.version });
        });
        return;
      case 'setData':
        session.setData(c.path, Buffer.from(c.data, 'utf8'), c.version, (e, stat) => {
          resolve(e ? errorReply(e) : { ok: true, version: stat.version });
        });
        return;
      case 'create':
        session.create(c.path, Buffer.from(c.data, 'utf8'), (e) => {
          resolve(e ? errorReply(e) : { ok: true });
        });
        return;
    }
  });
}

/** The call's reply, or an op-timeout reply once `signal` aborts (the call may still take effect later). */
function untilAborted(reply: Promise<ZkReply>, signal: AbortSignal): Promise<ZkReply> {
  return new Promise((resolve) => {
    const onAbort = (): void => {
      resolve({ ok: false, code: ZkCode.operationTimeout, error: 'aborted at the op timeout' });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    void reply.then((r) => {
      signal.removeEventListener('abort', onAbort);
      resolve(r);
    });
  });
}

/** Opens a session with the one server; rejects when it is not connected within connectTimeoutMs. */
export async function openZookeeperClient(options: ZookeeperClientOptions): Promise<Client> {
  // retries: 0 and one server: the library never moves the session to another server.
  const session = zookeeper.createClient(options.server, {
    sessionTimeout: options.sessionTimeoutMs,
    spinDelay: 100,
    retries: 0,
  });
  dropPartialReplyOnDisconnect(session);
  let expired = false;
  session.on('expired', () => {
    expired = true;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      abandonUnopenedSession(session);
      reject(new Error(`zookeeper at ${options.server}: no session after ${options.connectTimeoutMs} ms`));
    }, options.connectTimeoutMs);
    session.once('connected', () => {
      clearTimeout(timer);
      resolve();
    });
    session.connect();
  });
  return {
    async invoke(op: ClientOp, signal: AbortSignal): Promise<Completion> {
      const replies: ZkReply[] = [];
      for (;;) {
        const step = znodeStep(op, replies, { syncBeforeRead: options.syncBeforeRead });
        if (step.kind === 'done') return step.completion;
        // Once expired, every call fails with SESSION_EXPIRED, which the steps turn into info.
        if (expired) {
          replies.push({ ok: false, code: ZkCode.sessionExpired, error: 'SESSION_EXPIRED' });
          continue;
        }
        if (signal.aborted) {
          replies.push({ ok: false, code: ZkCode.operationTimeout, error: 'aborted at the op timeout' });
          continue;
        }
        replies.push(await untilAborted(perform(session, step.call), signal));
      }
    },
    close(): Promise<void> {
      session.close();
      return Promise.resolve();
    },
  };
}
