// The primary-backup server, one per node. Every node holds the whole store. Writes (and cas) go to the
// primary, which orders them, applies them, and ships them to every backup (remote-write). In synchronous
// mode the primary answers only once every backup has applied the write; in asynchronous mode it answers at
// once and ships in the background, and a backup takes over when the primary falls silent.
// Run as: node server.mjs '<config JSON>' (see PrimaryBackupConfig); state is kept in ./state.json.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Value } from '../../harness/plugin.ts';
import { requestJson, serveJson } from '../common/jsonHttp.ts';
import type { LogEntry, PrimaryClaim, ReplicaState, ReplicateMessage, ReplicateReply } from './replicaState.ts';
import { applyReplication, compareClaims, executeAtPrimary, initialState, shouldTakeOver } from './replicaState.ts';

export interface PrimaryBackupConfig {
  name: string;
  host: string;
  port: number;
  /** Every node, in order, with its base URL; the first is the primary of synchronous mode. */
  nodes: { name: string; url: string }[];
  reads: 'local' | 'primary';
  replication: 'sync' | 'async';
  /** Asynchronous mode: how long the primary may be silent before a backup takes over. */
  failoverMs: number;
  /** Asynchronous mode: how long the primary batches writes before shipping them. */
  replicationDelayMs: number;
  heartbeatMs: number;
}

type Completion = ({ type: 'ok'; value: Value } | { type: 'fail'; error: string } | { type: 'info'; error: string }) & {
  servedBy?: string;
};

const config = JSON.parse(process.argv[2] ?? '{}') as PrimaryBackupConfig;
const self = config.name;
const peers = config.nodes.filter((node) => node.name !== self);
const urlOf = new Map(config.nodes.map((node) => [node.name, node.url]));
const stateFile = 'state.json';
const startedAt = performance.now();

const state: ReplicaState = loadState();
/** Entries this node ordered as primary since it last became primary (or started): logStart < seq <= state.seq. */
let log: LogEntry[] = [];
let logStart = state.seq;
/** When each log entry was written (monotonic ms): asynchronous mode ships an entry only once it is this old. */
let logTimes: number[] = [];
/** Per backup, the seq it is known to have applied; absent means unknown, so it is asked first. */
const matched = new Map<string, number>();
/** Backups whose state must be replaced by a snapshot (they follow another primary, or the log lacks what they miss). */
const needSnapshot = new Set<string>();
const replicating = new Set<string>();
let waiters: { seq: number; claim: PrimaryClaim; resolve: (done: boolean) => void }[] = [];
const lastHeard = new Map<string, number>();

function loadState(): ReplicaState {
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8')) as ReplicaState;
  } catch {
    return initialState(config.nodes[0]?.name ?? self);
  }
}

// Written before anything that depends on it is acknowledged, so kill -9 and restart lose nothing acked.
function persist(): void {
  writeFileSync(`${stateFile}.tmp`, JSON.stringify(state));
  renameSync(`${stateFile}.tmp`, stateFile);
}

const isPrimary = (): boolean => state.claim.primary === self;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function adoptClaim(claim: PrimaryClaim): void {
  if (compareClaims(claim, state.claim) <= 0) return;
  const wasPrimary = isPrimary();
  state.claim = { ...claim };
  state.synced = false;
  persist();
  if (wasPrimary) {
    console.log(`stepping down: ${claim.primary} is primary of epoch ${claim.epoch}`);
    settleWaiters();
  }
}

function becomePrimary(): void {
  state.claim = { epoch: state.claim.epoch + 1, primary: self };
  state.synced = true;
  persist();
  log = [];
  logTimes = [];
  logStart = state.seq;
  matched.clear();
  needSnapshot.clear();
  console.log(`taking over as primary of epoch ${state.claim.epoch} at seq ${state.seq}`);
  shipToAll();
}

/** Resolves waiting writes: done once every backup has applied them, not done if this node stopped being primary. */
function settleWaiters(): void {
  let applied = state.seq;
  for (const peer of peers) applied = Math.min(applied, matched.get(peer.name) ?? -1);
  const remaining: typeof waiters = [];
  for (const waiter of waiters) {
    if (compareClaims(waiter.claim, state.claim) !== 0) waiter.resolve(false);
    else if (waiter.seq <= applied) waiter.resolve(true);
    else remaining.push(waiter);
  }
  waiters = remaining;
}

function shipToAll(): void {
  for (const peer of peers) void shipTo(peer.name);
}

/** Ships entries (or a snapshot) to one backup until it has everything; one loop per backup at a time. */
async function shipTo(peer: string): Promise<void> {
  if (replicating.has(peer)) return;
  replicating.add(peer);
  try {
    for (;;) {
      if (!isPrimary()) return;
      const known = matched.get(peer);
      if (known !== undefined && known >= state.seq && !needSnapshot.has(peer)) return;
      const claim = { ...state.claim };
      let message: ReplicateMessage;
      if (needSnapshot.has(peer) || (known !== undefined && known < logStart)) {
        message = { claim, kind: 'snapshot', seq: state.seq, data: state.data };
      } else if (known === undefined) {
        // An empty batch asks how far the backup is.
        message = { claim, kind: 'entries', entries: [] };
      } else {
        const from = known - logStart;
        let to = Math.min(log.length, from + 500);
        if (config.replication === 'async') {
          // The batching window: an acknowledged write lives only on the primary for replicationDelayMs.
          const shippable = performance.now() - config.replicationDelayMs;
          while (to > from && (logTimes[to - 1] ?? Infinity) > shippable) to--;
          if (to === from) return;
        }
        message = { claim, kind: 'entries', entries: log.slice(from, to) };
      }
      const reply = await requestJson(`${urlOf.get(peer) ?? ''}/replicate`, message, { timeoutMs: 2000 });
      if (reply.kind !== 'reply' || reply.status !== 200) {
        await sleep(100);
        continue;
      }
      const answer = reply.body as ReplicateReply;
      if (compareClaims(claim, state.claim) !== 0) return;
      if (answer.kind === 'stale') {
        adoptClaim(answer.claim);
        return;
      }
      if (answer.kind === 'need-snapshot') {
        needSnapshot.add(peer);
      } else {
        if (message.kind === 'snapshot') needSnapshot.delete(peer);
        matched.set(peer, answer.seq);
      }
      settleWaiters();
    }
  } finally {
    replicating.delete(peer);
  }
}

function scheduleShipping(): void {
  if (config.replication === 'sync') shipToAll();
  else setTimeout(shipToAll, config.replicationDelayMs + 1);
}

async function atPrimary(op: { f: string; key?: string; value: Value }): Promise<Completion> {
  if (!isPrimary()) return { type: 'fail', error: `${self} is not the primary (${state.claim.primary} is)` };
  const outcome = executeAtPrimary(state, op.f, op.key ?? '', op.value ?? null);
  if (outcome.kind === 'read') return { type: 'ok', value: outcome.value };
  if (outcome.kind === 'refused') return { type: 'fail', error: outcome.error };
  persist();
  log.push(outcome.entry);
  logTimes.push(performance.now());
  scheduleShipping();
  if (config.replication === 'async') return { type: 'ok', value: op.value };
  const claim = { ...state.claim };
  const done = await new Promise<boolean>((resolve) => {
    waiters.push({ seq: outcome.entry.seq, claim, resolve });
    settleWaiters();
  });
  return done ? { type: 'ok', value: op.value } : { type: 'info', error: 'primary stepped down before replicating' };
}

async function forwardToPrimary(op: unknown): Promise<Completion> {
  const primary = state.claim.primary;
  const reply = await requestJson(`${urlOf.get(primary) ?? ''}/primary-op`, op, { timeoutMs: 10_000 });
  if (reply.kind === 'not-sent') return { type: 'fail', error: `primary ${primary} unreachable: ${reply.error}` };
  // A read changes nothing, so not knowing whether the primary ran it is the same as its not having run:
  // a definite fail (a kill races the forwarded read's connection: refused is fail, reset would be info).
  if (reply.kind === 'unknown')
    return (op as { f?: unknown }).f === 'read'
      ? { type: 'fail', error: `primary ${primary}: ${reply.error}` }
      : { type: 'info', error: `primary ${primary}: ${reply.error}` };
  if (reply.status !== 200) return { type: 'info', error: `primary ${primary} answered HTTP ${reply.status}` };
  return reply.body as Completion;
}

/** The primary's answer, naming itself: the history records which node performed the op (servedBy). */
async function servedHere(op: { f: string; key?: string; value: Value }): Promise<Completion> {
  return { ...(await atPrimary(op)), servedBy: self };
}

function handleOp(body: unknown): Promise<Completion> | Completion {
  const op = body as { f: string; key?: string; value: Value };
  if (op.f === 'read' && config.reads === 'local')
    return { type: 'ok', value: state.data[op.key ?? ''] ?? null, servedBy: self };
  return isPrimary() ? servedHere(op) : forwardToPrimary(op);
}

function heartbeat(): void {
  for (const peer of peers) {
    void requestJson(`${peer.url}/heartbeat`, { from: self, claim: state.claim }, { timeoutMs: 1000 }).then((reply) => {
      if (reply.kind !== 'reply' || reply.status !== 200) return;
      lastHeard.set(peer.name, performance.now());
      adoptClaim((reply.body as { claim: PrimaryClaim }).claim);
    });
  }
  // Monotonic time: a skewed wall clock (libfaketime) must not trigger or suppress a failover.
  const now = performance.now();
  if (now - startedAt < config.failoverMs) return;
  const live = peers.filter((peer) => now - (lastHeard.get(peer.name) ?? -Infinity) < config.failoverMs);
  if (
    shouldTakeOver(
      self,
      state.claim,
      live.map((peer) => peer.name),
    )
  )
    becomePrimary();
}

await serveJson(config.host, config.port, {
  '/health': () => ({ ok: true }),
  '/status': () => ({ name: self, claim: state.claim, seq: state.seq, synced: state.synced }),
  '/op': handleOp,
  '/primary-op': (body) => servedHere(body as { f: string; key?: string; value: Value }),
  '/replicate': (body) => {
    const wasPrimary = isPrimary();
    const reply = applyReplication(state, body as ReplicateMessage);
    if (reply.kind !== 'stale') persist();
    if (wasPrimary && !isPrimary()) settleWaiters();
    return reply;
  },
  '/heartbeat': (body) => {
    const { from, claim } = body as { from: string; claim: PrimaryClaim };
    lastHeard.set(from, performance.now());
    adoptClaim(claim);
    return { claim: state.claim };
  },
});
console.log(`${self} serving on ${config.host}:${config.port} (${config.replication}, reads ${config.reads})`);
if (config.replication === 'async') setInterval(heartbeat, config.heartbeatMs);
// Retries backups that were unreachable or need a snapshot, even when no new write arrives.
setInterval(() => {
  if (isPrimary()) shipToAll();
}, 250);
