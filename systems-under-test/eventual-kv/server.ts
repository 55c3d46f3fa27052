// The eventual-kv server, one per node: reads and writes are served from the local replica at once; every
// gossip interval the replica exchanges its whole store with one random peer (push-pull anti-entropy) and
// both keep the last writer's value per key. Nothing orders a client's operations across replicas.
// Run as: node server.mjs '<config JSON>' (see EventualKvConfig); the store is kept in ./state.json.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Value } from '../../harness/plugin.ts';
import { requestJson, serveJson } from '../common/jsonHttp.ts';
import { wallStampSource } from '../common/wallStamp.ts';
import type { PeerServerConfig } from '../common/serverLifecycle.ts';
import type { LwwStore } from './lwwStore.ts';
import { isNewer, mergeInto } from './lwwStore.ts';

export interface EventualKvConfig extends PeerServerConfig {
  gossipMs: number;
}

type Completion = { type: 'ok'; value: Value } | { type: 'fail'; error: string };

const config = JSON.parse(process.argv[2] ?? '{}') as EventualKvConfig;
const self = config.name;
const peers = config.nodes.filter((node) => node.name !== self);
const stateFile = 'state.json';
const store = loadStore();
const wallStamp = wallStampSource();

function loadStore(): LwwStore {
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8')) as LwwStore;
  } catch {
    return {};
  }
}

function persist(): void {
  writeFileSync(`${stateFile}.tmp`, JSON.stringify(store));
  renameSync(`${stateFile}.tmp`, stateFile);
}

function handleOp(body: unknown): Completion {
  const op = body as { f: string; key?: string; value: Value };
  const key = op.key ?? '';
  if (op.f === 'read') return { type: 'ok', value: store[key]?.value ?? null };
  if (op.f === 'write') {
    const entry = { value: op.value ?? null, time: wallStamp(), origin: self };
    // A write stamped before what the replica holds (a skewed clock) is acknowledged and lost: LWW.
    if (isNewer(entry, store[key])) {
      store[key] = entry;
      persist();
    }
    return { type: 'ok', value: entry.value };
  }
  return { type: 'fail', error: `eventual-kv does not support ${op.f}` };
}

async function gossip(): Promise<void> {
  const peer = peers[Math.floor(Math.random() * peers.length)];
  if (peer === undefined) return;
  const reply = await requestJson(`${peer.url}/gossip`, { from: self, store }, { timeoutMs: 2000 });
  if (
    reply.kind === 'reply' &&
    reply.status === 200 &&
    mergeInto(store, (reply.body as { store: LwwStore }).store) > 0
  ) {
    persist();
  }
}

await serveJson(config.host, config.port, {
  '/health': () => ({ ok: true }),
  '/status': () => ({ name: self, keys: Object.keys(store).length }),
  '/op': handleOp,
  '/gossip': (body) => {
    if (mergeInto(store, (body as { store: LwwStore }).store) > 0) persist();
    return { store };
  },
});
console.log(`${self} serving on ${config.host}:${config.port}, gossiping every ${config.gossipMs} ms`);
setInterval(() => void gossip(), config.gossipMs);
