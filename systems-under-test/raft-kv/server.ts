// raft-kv's server program: one Raft replica with a key-value state machine, serving clients on POST /op and
// peers on /raft/vote and /raft/append. Run on each node as
//   node server.mjs --id n1 --port 7100 --peers n1=10.0.0.2:7100,n2=... --data /var/lib/faultline/raft-kv
// A follower forwards a client's op to the leader it knows (one hop); with no leader known after waiting one
// election timeout it answers fail.
import { parseArgs } from 'node:util';
import { JsonStatus, requestJson, serveJson } from '../common/jsonHttp.ts';
import { invalidOp } from './kvStateMachine.ts';
import type { KvOp } from './kvStateMachine.ts';
import type { AppendReply, AppendRequest, Completion, VoteReply, VoteRequest } from './raftNode.ts';
import { RaftNode } from './raftNode.ts';
import { RaftStorage } from './raftStorage.ts';

const { values: args } = parseArgs({
  options: {
    id: { type: 'string' },
    host: { type: 'string', default: '0.0.0.0' },
    port: { type: 'string' },
    peers: { type: 'string' },
    data: { type: 'string' },
  },
});
if (args.id === undefined || args.port === undefined || args.peers === undefined || args.data === undefined) {
  throw new Error('usage: server --id NAME --port PORT --peers NAME=HOST:PORT,... --data DIR [--host ADDR]');
}
const id = args.id;
const peerAddresses = new Map(
  args.peers.split(',').map((spec) => {
    const [name, address] = spec.split('=');
    if (name === undefined || address === undefined) throw new Error(`bad --peers entry ${spec}`);
    return [name, address] as const;
  }),
);
if (!peerAddresses.has(id)) throw new Error(`--peers must include this node (${id})`);

const log = (message: string): void => {
  process.stdout.write(`${new Date().toISOString()} ${id} ${message}\n`);
};

const peerUrl = (peer: string, path: string): string => `http://${peerAddresses.get(peer) ?? ''}${path}`;

const node = new RaftNode({
  id,
  peers: [...peerAddresses.keys()],
  storage: new RaftStorage(args.data),
  log,
  transport: {
    async requestVote(peer, request) {
      const reply = await requestJson(peerUrl(peer, '/raft/vote'), request, { timeoutMs: 250 });
      return reply.kind === 'reply' && reply.status === 200 ? (reply.body as VoteReply) : undefined;
    },
    async appendEntries(peer, request) {
      const reply = await requestJson(peerUrl(peer, '/raft/append'), request, { timeoutMs: 500 });
      return reply.kind === 'reply' && reply.status === 200 ? (reply.body as AppendReply) : undefined;
    },
  },
});

// A function, not a property read, so the check after an await is not narrowed away by the compiler.
const isLeader = (): boolean => node.role === 'leader';

async function handleOp(body: unknown): Promise<Completion> {
  const problem = invalidOp(body);
  if (problem !== undefined) return { type: 'fail', error: problem };
  const { forwarded, ...op } = body as KvOp & { forwarded?: boolean };
  if (isLeader()) return node.propose(op);
  // Mid-election, wait up to one election timeout for a leader rather than failing at once.
  const deadline = Date.now() + 600;
  while (node.leaderId === null && forwarded !== true && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (isLeader()) return node.propose(op);
  const leader = node.leaderId;
  if (forwarded === true || leader === null || leader === id) {
    return { type: 'fail', error: leader === null ? 'no leader known' : `not leader (leader: ${leader})` };
  }
  const reply = await requestJson(peerUrl(leader, '/op'), { ...op, forwarded: true }, { timeoutMs: 5000 });
  switch (reply.kind) {
    case 'not-sent':
      return { type: 'fail', error: `leader ${leader} unreachable: ${reply.error}` };
    case 'unknown':
      return { type: 'info', error: `forwarded to ${leader}: ${reply.error}` };
    case 'reply':
      return reply.body as Completion;
  }
}

const server = await serveJson(args.host ?? '0.0.0.0', Number(args.port), {
  '/health': () => ({
    id,
    role: node.role,
    term: node.term,
    leader: node.leaderId,
    commitIndex: node.commitIndex,
    lastIndex: node.lastIndex,
  }),
  '/raft/vote': (body) => node.handleRequestVote(body as VoteRequest),
  '/raft/append': (body) => node.handleAppendEntries(body as AppendRequest),
  '/op': handleOp,
  '/': () => new JsonStatus(404, { error: 'try /health or POST /op' }),
});
node.start();
log(`listening on ${args.host ?? '0.0.0.0'}:${args.port}, peers ${args.peers}, data ${args.data}`);

// Storage writes are synchronous and fsynced, so there is nothing to flush: stop serving and exit.
process.on('SIGTERM', () => {
  log('SIGTERM: exiting');
  node.stop();
  server.close();
  process.exit(0);
});
