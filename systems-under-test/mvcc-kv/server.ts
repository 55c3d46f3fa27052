// mvcc-kv's server program, one per node. The primary (the first node of --nodes) holds the multi-version
// store and runs every txn; the other nodes forward a client's txn to it once. Run as
//   node server.mjs --id n1 --port 7300 --nodes n1=10.0.0.2:7300,n2=... --mode si --data DIR
// A txn runs micro-op by micro-op, `--step-delay-ms` apart (the round trips of an interactive txn), so txns
// interleave as they would in a database serving many connections; its commit is validated, appended to the
// commit log and fsynced, and only then installed and answered.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { JsonStatus, requestJson, serveJson } from '../common/jsonHttp.ts';
import { invalidOp } from '../raft-kv/kvStateMachine.ts';
import { CommitLog } from './commitLog.ts';
import type { MicroOp, MvccMode } from './mvccStore.ts';
import { MvccStore, mvccModes, runMicroOp } from './mvccStore.ts';

type Completion = { type: 'ok'; value: MicroOp[] } | { type: 'fail' | 'info'; error: string };

const { values: args } = parseArgs({
  options: {
    id: { type: 'string' },
    host: { type: 'string', default: '0.0.0.0' },
    port: { type: 'string' },
    nodes: { type: 'string' },
    mode: { type: 'string' },
    data: { type: 'string' },
    'step-delay-ms': { type: 'string', default: '5' },
  },
});
const usage = 'usage: server --id NAME --port PORT --nodes NAME=HOST:PORT,... --mode si|rc|serializable --data DIR';
if (args.id === undefined || args.port === undefined || args.nodes === undefined || args.data === undefined)
  throw new Error(usage);
const mode = args.mode as MvccMode;
if (!mvccModes.includes(mode)) throw new Error(`--mode must be one of ${mvccModes.join(', ')}; ${usage}`);
const stepDelayMs = Number(args['step-delay-ms']);
if (!Number.isFinite(stepDelayMs) || stepDelayMs < 0) throw new Error('--step-delay-ms must be a number >= 0');
const id = args.id;
const nodes = args.nodes.split(',').map((spec) => {
  const [name, address] = spec.split('=');
  if (name === undefined || address === undefined) throw new Error(`bad --nodes entry ${spec}`);
  return { name, address };
});
const primary = nodes[0]!;
if (!nodes.some((n) => n.name === id)) throw new Error(`--nodes must include this node (${id})`);
const isPrimary = primary.name === id;

const log = (message: string): void => {
  process.stdout.write(`${new Date().toISOString()} ${id} ${message}\n`);
};

const store = new MvccStore(mode);
let commitLog: CommitLog | undefined;
if (isPrimary) {
  commitLog = new CommitLog(path.join(args.data, 'commits.jsonl'));
  for (const record of commitLog.records) store.install(record);
  log(`replayed ${commitLog.records.length} commits (last ts ${store.lastTs})`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runTxn(micro: readonly MicroOp[]): Promise<Completion> {
  const txn = store.begin();
  const done: MicroOp[] = [];
  for (const m of micro) {
    await sleep(stepDelayMs);
    const outcome = runMicroOp(store, txn, m);
    if (!outcome.ok) return { type: 'fail', error: outcome.error };
    done.push(outcome.value);
  }
  await sleep(stepDelayMs);
  // Synchronous from here to the answer: no other txn can commit between validation and install.
  const prepared = store.prepare(txn);
  if (!prepared.ok) return { type: 'fail', error: prepared.error };
  if (prepared.value !== undefined) {
    commitLog!.append(prepared.value);
    store.install(prepared.value);
  }
  return { type: 'ok', value: done };
}

async function handleOp(body: unknown): Promise<Completion> {
  const problem = invalidOp(body);
  if (problem !== undefined) return { type: 'fail', error: problem };
  const { f, value, forwarded } = body as { f: string; value: MicroOp[]; forwarded?: boolean };
  if (f !== 'txn') return { type: 'fail', error: `mvcc-kv runs txns only (list-append, rw-register), not ${f}` };
  if (isPrimary) return runTxn(value);
  if (forwarded === true) return { type: 'fail', error: `${id} is not the primary (${primary.name} is)` };
  const reply = await requestJson(`http://${primary.address}/op`, { f, value, forwarded: true }, { timeoutMs: 5000 });
  switch (reply.kind) {
    case 'not-sent':
      return { type: 'fail', error: `primary ${primary.name} unreachable: ${reply.error}` };
    case 'unknown':
      // A txn of reads only has no effect whether or not the primary ran it, so it definitely failed. (A
      // pooled socket to a primary just killed turns the request unknown before the forwarder sees the close.)
      if (value.every(([kind]) => kind === 'r'))
        return { type: 'fail', error: `forwarded to ${primary.name}, read-only, no reply: ${reply.error}` };
      return { type: 'info', error: `forwarded to ${primary.name}: ${reply.error}` };
    case 'reply':
      return reply.body as Completion;
  }
}

const server = await serveJson(args.host ?? '0.0.0.0', Number(args.port), {
  '/health': () => ({
    id,
    role: isPrimary ? 'primary' : 'forwarder',
    primary: primary.name,
    mode,
    lastTs: store.lastTs,
  }),
  '/op': handleOp,
  '/': () => new JsonStatus(404, { error: 'try /health or POST /op' }),
});
log(
  `listening on ${args.host ?? '0.0.0.0'}:${args.port}, mode ${mode}, primary ${primary.name}, step delay ${stepDelayMs} ms`,
);

// Commits are fsynced as they happen: nothing to flush. In-flight txns never committed, so they took no effect.
process.on('SIGTERM', () => {
  log('SIGTERM: exiting');
  server.close();
  process.exit(0);
});
