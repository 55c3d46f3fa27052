// The commit-kv server, one per node: the shell around CommitNode (commitNode.ts). It feeds the node client
// txns (POST /op), peer messages (POST /msg) and its timers, and carries out what the node returns in order:
// log records are appended to ./commit.jsonl and fsynced before anything after them is sent or answered, so a
// node killed at any point restarts (recover) knowing every vote, pre-commit and decision it ever made known.
// Run as: node server.mjs '<config JSON>' (see CommitKvConfig).
import { randomBytes } from 'node:crypto';
import { fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Value } from '../../harness/plugin.ts';
import { requestJson, serveJson } from '../common/jsonHttp.ts';
import type { PeerServerConfig } from '../common/serverLifecycle.ts';
import type { CommitTimeouts, Completion, Effect, Event, LogRecord, Message, Protocol } from './commitNode.ts';
import { CommitNode } from './commitNode.ts';

export interface CommitKvConfig extends PeerServerConfig {
  protocol: Protocol;
  timeouts: CommitTimeouts;
}

const config = JSON.parse(process.argv[2] ?? '{}') as CommitKvConfig;
const self = config.name;
const names = config.nodes.map((n) => n.name);
const urls = new Map(config.nodes.map((n) => [n.name, n.url]));
const logFile = 'commit.jsonl';
const boot = randomBytes(4).toString('hex');
let nextTxn = 0;
const waiting = new Map<string, (completion: Completion) => void>();

function readLog(): LogRecord[] {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return [];
  }
  const records: LogRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as LogRecord);
    } catch {
      // A torn last line: the process died while appending it, before anything that depended on it happened.
    }
  }
  return records;
}

const node = CommitNode.recover(self, names, config.protocol, readLog(), config.timeouts);
const logFd = openSync(logFile, 'a');

function handle(event: Event): void {
  // What timeouts decide, and what a participant in doubt learns by asking, is what the protocols are about:
  // say it in the log.
  let txn: string;
  let cause: string;
  if (event.type === 'timeout') {
    txn = event.txn;
    cause = `${event.timer} timeout`;
  } else if (event.type === 'message' && event.message.type === 'state-reply') {
    txn = event.message.txn;
    cause = `${event.message.state} from ${event.message.from}`;
  } else {
    run(node.handle(event));
    return;
  }
  const before = [node.participantState(txn), node.coordinatorState(txn)];
  const ops = node.coordinating.get(txn)?.ops ?? node.inDoubt.get(txn)?.ops;
  run(node.handle(event));
  const after = [node.participantState(txn), node.coordinatorState(txn)];
  if (after[0] !== before[0] || after[1] !== before[1]) {
    console.log(
      `${txn}: ${cause}: participant ${before[0]} -> ${after[0]}, coordinator ${before[1]} -> ${after[1]} ${JSON.stringify(ops)}`,
    );
  }
}

function send(to: string, message: Message): void {
  if (to === self) {
    setImmediate(() => {
      handle({ type: 'message', message });
    });
    return;
  }
  const url = urls.get(to);
  if (url === undefined) return;
  // Fire and forget: a lost message is the protocol's business (timeouts, queries), not the transport's.
  void requestJson(`${url}/msg`, message, { timeoutMs: 1000 });
}

function run(effects: readonly Effect[]): void {
  for (const effect of effects) {
    switch (effect.type) {
      case 'log':
        // Forced to disk, as a database forces its prepare and decision records before voting or sending.
        writeSync(logFd, JSON.stringify(effect.record) + '\n');
        fsyncSync(logFd);
        break;
      case 'send':
        send(effect.to, effect.message);
        break;
      case 'timer':
        setTimeout(() => {
          handle({ type: 'timeout', txn: effect.txn, timer: effect.timer });
        }, effect.afterMs);
        break;
      case 'reply':
        waiting.get(effect.txn)?.(effect.completion);
        waiting.delete(effect.txn);
        break;
    }
  }
}

function handleOp(body: unknown): Promise<Completion> | Completion {
  const op = body as { f?: string; value?: Value };
  if (op.f !== 'txn') {
    return { type: 'fail', error: `commit-kv runs transactions only (f: txn, as list-append and rw-register send)` };
  }
  const txn = `${self}-${boot}-${nextTxn++}`;
  return new Promise((resolve) => {
    waiting.set(txn, resolve);
    handle({ type: 'begin', txn, ops: op.value ?? null });
  });
}

await serveJson(config.host, config.port, {
  '/health': () => ({ ok: true }),
  '/status': () => ({
    name: self,
    protocol: config.protocol,
    keys: node.store.size,
    writeLocks: Object.fromEntries(node.writeLocks),
    readLocks: Object.fromEntries([...node.readLocks].map(([key, txns]) => [key, [...txns]])),
    inDoubt: Object.fromEntries([...node.inDoubt].map(([txn, d]) => [txn, d.phase])),
  }),
  '/op': handleOp,
  '/msg': (body) => {
    handle({ type: 'message', message: body as Message });
    return { ok: true };
  },
});
run(node.resume());
console.log(
  `${self} serving on ${config.host}:${config.port} (${config.protocol}, ${node.inDoubt.size} txns in doubt after recovery, timeouts ${JSON.stringify(config.timeouts)})`,
);
