// The causal-kv server, one per node. Clients stay with one replica: reads are local, writes are applied
// locally, acknowledged, and then sent to the other replicas, which deliver them only in causal order (see
// causalReplica.ts). Anti-entropy forwards whatever a peer lacks, so updates also travel around partitions.
// Run as: node server.mjs '<config JSON>' (see CausalKvConfig); applied updates are kept in ./updates.jsonl.
import { appendFileSync, readFileSync } from 'node:fs';
import type { Value } from '../../harness/plugin.ts';
import { requestJson, serveJson } from '../common/jsonHttp.ts';
import type { PeerServerConfig } from '../common/serverLifecycle.ts';
import type { Update, VectorClock } from './causalReplica.ts';
import { CausalReplica } from './causalReplica.ts';

export interface CausalKvConfig extends PeerServerConfig {
  /** How often each replica offers peers what they lack (besides pushing every write at once). */
  antiEntropyMs: number;
}

type Completion = { type: 'ok'; value: Value } | { type: 'fail'; error: string };

const config = JSON.parse(process.argv[2] ?? '{}') as CausalKvConfig;
const self = config.name;
const peers = config.nodes.filter((node) => node.name !== self);
const logFile = 'updates.jsonl';
const replica = new CausalReplica(self);
/** The last clock each peer reported: what it already has. */
const peerClocks = new Map<string, VectorClock>();
const syncing = new Set<string>();

function replay(): void {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return;
  }
  const updates: Update[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      updates.push(JSON.parse(line) as Update);
    } catch {
      // A torn last line: that update was never acknowledged nor sent (both happen after the append).
    }
  }
  replica.receive(updates);
}

// Appended before the update is acknowledged or forwarded, so kill -9 and restart lose nothing anyone saw.
function persist(updates: readonly Update[]): void {
  if (updates.length > 0) appendFileSync(logFile, updates.map((u) => JSON.stringify(u) + '\n').join(''));
}

async function syncWith(peer: { name: string; url: string }): Promise<void> {
  if (syncing.has(peer.name)) return;
  syncing.add(peer.name);
  try {
    for (;;) {
      const known = peerClocks.get(peer.name);
      // Until a peer has told us its clock, send nothing and just ask.
      const updates = known === undefined ? [] : replica.missingFrom(known, 500);
      if (known !== undefined && updates.length === 0) return;
      const reply = await requestJson(`${peer.url}/sync`, { from: self, updates }, { timeoutMs: 2000 });
      if (reply.kind !== 'reply' || reply.status !== 200) return;
      peerClocks.set(peer.name, (reply.body as { clock: VectorClock }).clock);
    }
  } finally {
    syncing.delete(peer.name);
  }
}

function syncAll(): void {
  for (const peer of peers) void syncWith(peer);
}

function handleOp(body: unknown): Completion {
  const op = body as { f: string; key?: string; value: Value };
  const key = op.key ?? '';
  if (op.f === 'read') return { type: 'ok', value: replica.read(key) };
  if (op.f === 'write') {
    persist([replica.write(key, op.value ?? null)]);
    syncAll();
    return { type: 'ok', value: op.value ?? null };
  }
  return { type: 'fail', error: `causal-kv does not support ${op.f}` };
}

replay();
await serveJson(config.host, config.port, {
  '/health': () => ({ ok: true }),
  '/status': () => ({ name: self, clock: replica.clock, buffered: replica.buffered }),
  '/op': handleOp,
  '/sync': (body) => {
    const { updates } = body as { from: string; updates: Update[] };
    persist(replica.receive(updates));
    return { clock: replica.clock };
  },
});
console.log(`${self} serving on ${config.host}:${config.port} with ${replica.applied.length} updates replayed`);
setInterval(syncAll, config.antiEntropyMs);
