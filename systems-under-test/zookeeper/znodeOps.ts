// read / write / cas over znodes as a pure step function: given the op and the replies so far, the next call
// to make or the completion. The client (zookeeperClient.ts) only carries calls out, so every outcome rule is
// here and unit-tested. Values are JSON text in the znode's data; a missing znode is the register's null.
//   read:  getData. Served by the server the session is bound to, which may be a stale follower: ZooKeeper
//          promises sequential consistency, not linearizability, for reads without sync. With syncBeforeRead,
//          sync first: the server catches up with the leader before the getData that follows it.
//   write: setData at any version; a missing znode is created (and a create that loses a race is set again).
//   cas:   getData, compare the value to `from`, then setData at the version read: ZooKeeper applies it only
//          if no write came between, so the cas takes effect at the setData, atomically. From null: create.
// Outcome rules: a call that cannot have changed anything and failed (any getData error, BAD_VERSION,
// NODE_EXISTS, NO_NODE on a versioned setData) is a fail; a write call whose fate is unknown (connection loss,
// timeout, session expired mid-call) is info. An expired session makes every op info, so the pool retires
// the process and opens a fresh session: a new session starts with no history of reads to stay behind.
import type { ClientOp, Completion, Value } from '../../harness/plugin.ts';

/** ZooKeeper's error codes that the rules distinguish (KeeperException.Code). */
export const ZkCode = {
  connectionLoss: -4,
  operationTimeout: -7,
  noNode: -101,
  badVersion: -103,
  nodeExists: -110,
  sessionExpired: -112,
} as const;

export type ZkCall =
  | { call: 'sync'; path: string }
  | { call: 'getData'; path: string }
  | { call: 'setData'; path: string; data: string; version: number }
  | { call: 'create'; path: string; data: string };

/** What a call returned: data and version for getData, or ZooKeeper's error code and message. */
export type ZkReply = { ok: true; data?: string; version?: number } | { ok: false; code: number; error: string };

export type ZkStep = { kind: 'call'; call: ZkCall } | { kind: 'done'; completion: Completion };

/** The znode of an op: the register workload (no key) uses one fixed znode. */
export function znodePath(op: Pick<ClientOp, 'key'>): string {
  return `/faultline-${op.key ?? 'register'}`;
}

const call = (c: ZkCall): ZkStep => ({ kind: 'call', call: c });
const done = (completion: Completion): ZkStep => ({ kind: 'done', completion });

function decode(data: string | undefined): Value {
  return data === undefined || data === '' ? null : (JSON.parse(data) as Value);
}

/** An error after a call that may have written: info, since ZooKeeper may have committed it. */
function unknownOutcome(reply: { code: number; error: string }): Completion {
  return { type: 'info', error: `zookeeper ${reply.error} (${reply.code})` };
}

function failed(reply: { code: number; error: string }): Completion {
  return reply.code === ZkCode.sessionExpired
    ? { type: 'info', error: 'zookeeper session expired: a fresh session for a fresh process' }
    : { type: 'fail', error: `zookeeper ${reply.error} (${reply.code})` };
}

export interface ZnodeStepOptions {
  /** A read first calls sync (ZooKeeper's documented way to an up-to-date read), then getData. */
  syncBeforeRead?: boolean;
}

/** The next step of `op` after `replies` (one per call made so far, in order). */
export function znodeStep(op: ClientOp, replies: readonly ZkReply[], options: ZnodeStepOptions = {}): ZkStep {
  const path = znodePath(op);
  switch (op.f) {
    case 'read': {
      const syncing = options.syncBeforeRead === true;
      if (syncing) {
        const synced = replies[0];
        if (synced === undefined) return call({ call: 'sync', path });
        // A sync that failed or timed out changed nothing, and a read without it may be stale: the read fails.
        if (!synced.ok) return done(failed(synced));
      }
      const reply = replies[syncing ? 1 : 0];
      if (reply === undefined) return call({ call: 'getData', path });
      if (reply.ok) return done({ type: 'ok', value: decode(reply.data) });
      return reply.code === ZkCode.noNode ? done({ type: 'ok', value: null }) : done(failed(reply));
    }
    case 'write': {
      const data = JSON.stringify(op.value);
      const last = replies.at(-1);
      if (last === undefined) return call({ call: 'setData', path, data, version: -1 });
      if (last.ok) return done({ type: 'ok', value: op.value });
      // setData, then create when there was no znode, then setData when another create won: each a retry of
      // a call that definitely did nothing; past three the op gives up as a fail (nothing was written).
      if (last.code === ZkCode.noNode && replies.length < 3) return call({ call: 'create', path, data });
      if (last.code === ZkCode.nodeExists && replies.length < 3)
        return call({ call: 'setData', path, data, version: -1 });
      if (last.code === ZkCode.noNode || last.code === ZkCode.nodeExists) return done(failed(last));
      return done(last.code === ZkCode.sessionExpired ? failed(last) : unknownOutcome(last));
    }
    case 'cas': {
      const [from, to] = op.value as [Value, Value];
      const data = JSON.stringify(to);
      const read = replies[0];
      if (read === undefined) return call({ call: 'getData', path });
      const second = replies[1];
      if (second === undefined) {
        if (!read.ok && read.code !== ZkCode.noNode) return done(failed(read));
        if (!read.ok) return from === null ? call({ call: 'create', path, data }) : done(mismatch(from, null));
        const current = decode(read.data);
        if (JSON.stringify(current) !== JSON.stringify(from)) return done(mismatch(from, current));
        // Without the version read, a setData could not be conditional: never send an unconditional one.
        if (read.version === undefined) return done({ type: 'fail', error: 'zookeeper getData gave no version' });
        return call({ call: 'setData', path, data, version: read.version });
      }
      if (second.ok) return done({ type: 'ok', value: op.value });
      // BAD_VERSION: a write came between; NODE_EXISTS: another create won; NO_NODE: none exists. None wrote.
      if (second.code === ZkCode.badVersion || second.code === ZkCode.nodeExists || second.code === ZkCode.noNode) {
        return done(failed(second));
      }
      return done(second.code === ZkCode.sessionExpired ? failed(second) : unknownOutcome(second));
    }
    default:
      return done({ type: 'fail', error: `zookeeper adapter: unsupported f ${op.f} (read, write, cas)` });
  }
}

function mismatch(from: Value, current: Value): Completion {
  return { type: 'fail', error: `cas mismatch: expected ${JSON.stringify(from)}, found ${JSON.stringify(current)}` };
}
