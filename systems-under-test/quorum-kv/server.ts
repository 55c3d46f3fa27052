// The quorum-kv server, one per node: a replica of every key, and a coordinator for the clients that talk to
// it. A write sends the value with a tag to all N replicas and succeeds once W stored it; a read asks all N
// and returns the highest-tagged of the first R answers. Tags come from the wall clock (last-writer-wins) or,
// in ABD mode, from a query phase (highest tag of R replicas, plus one); ABD reads also write back what they
// return to W replicas before answering. The coordinator counts itself first, so R=1 reads are local.
// Run as: node server.mjs '<config JSON>' (see QuorumKvConfig); replica state is kept in ./state.json.
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Value } from '../../harness/plugin.ts';
import { requestJson, serveJson } from '../common/jsonHttp.ts';
import { wallStampSource } from '../common/wallStamp.ts';
import type { Tag, Versioned } from './versionedStore.ts';
import { gatherQuorum, newest, storeIfNewer, writerIds } from './versionedStore.ts';

export interface QuorumKvConfig {
  name: string;
  host: string;
  port: number;
  nodes: { name: string; url: string }[];
  r: number;
  w: number;
  /** wall: last-writer-wins by Date.now() (skewable); logical: ABD-style versions from a query phase. */
  clock: 'wall' | 'logical';
  /** Reads write what they return back to W replicas before answering. */
  writeBack: boolean;
  /** How long the coordinator waits for one replica. */
  replicaTimeoutMs: number;
}

type Completion = { type: 'ok'; value: Value } | { type: 'fail'; error: string } | { type: 'info'; error: string };

const config = JSON.parse(process.argv[2] ?? '{}') as QuorumKvConfig;
const self = config.name;
const nextWriterId = writerIds(self, randomBytes(4).toString('hex'));
const stateFile = 'state.json';
const store = loadStore();
const wallStamp = wallStampSource();

function loadStore(): Record<string, Versioned> {
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, Versioned>;
  } catch {
    return {};
  }
}

// A replica's promise to a coordinator must survive kill -9: quorum intersection relies on it.
function persist(): void {
  writeFileSync(`${stateFile}.tmp`, JSON.stringify(store));
  renameSync(`${stateFile}.tmp`, stateFile);
}

function localGet(key: string): Versioned | null {
  return store[key] ?? null;
}

function localPut(key: string, versioned: Versioned): true {
  if (storeIfNewer(store, key, versioned)) persist();
  return true;
}

/** Asks every replica (itself first, without a network hop); undefined stands for no usable answer. */
function askAll<T>(local: () => T, path: string, body: unknown): Promise<T | undefined>[] {
  return config.nodes.map(async (node) => {
    if (node.name === self) return local();
    const reply = await requestJson(`${node.url}${path}`, body, { timeoutMs: config.replicaTimeoutMs });
    return reply.kind === 'reply' && reply.status === 200 ? (reply.body as { result: T }).result : undefined;
  });
}

async function getQuorum(key: string): Promise<Versioned | null | undefined> {
  const replies = await gatherQuorum(
    askAll(() => localGet(key), '/replica/get', { key }),
    config.r,
  );
  return replies === null ? undefined : newest(replies);
}

async function putQuorum(key: string, versioned: Versioned): Promise<boolean> {
  const acks = await gatherQuorum(
    askAll(() => localPut(key, versioned), '/replica/put', { key, ...versioned }),
    config.w,
  );
  return acks !== null;
}

async function write(key: string, value: Value): Promise<Completion> {
  let tag: Tag;
  if (config.clock === 'wall') {
    tag = [wallStamp(), nextWriterId()];
  } else {
    const current = await getQuorum(key);
    if (current === undefined) return { type: 'fail', error: `no read quorum (R=${config.r}) for the version query` };
    tag = [(current?.tag[0] ?? 0) + 1, nextWriterId()];
  }
  if (await putQuorum(key, { value, tag })) return { type: 'ok', value };
  // The value is stored here and maybe elsewhere: a later read may well return it.
  return { type: 'info', error: `stored on fewer than W=${config.w} replicas` };
}

async function read(key: string): Promise<Completion> {
  const current = await getQuorum(key);
  if (current === undefined) return { type: 'fail', error: `no read quorum (R=${config.r})` };
  if (current !== null && config.writeBack && !(await putQuorum(key, current))) {
    return { type: 'fail', error: `write-back reached fewer than W=${config.w} replicas` };
  }
  return { type: 'ok', value: current?.value ?? null };
}

function handleOp(body: unknown): Promise<Completion> | Completion {
  const op = body as { f: string; key?: string; value: Value };
  const key = op.key ?? '';
  if (op.f === 'read') return read(key);
  if (op.f === 'write') return write(key, op.value ?? null);
  return {
    type: 'fail',
    error: `quorum-kv does not support ${op.f} (a quorum system has no atomic read-modify-write)`,
  };
}

await serveJson(config.host, config.port, {
  '/health': () => ({ ok: true }),
  '/status': () => ({ name: self, keys: Object.keys(store).length }),
  '/op': handleOp,
  '/replica/get': (body) => ({ result: localGet((body as { key: string }).key) }),
  '/replica/put': (body) => {
    const { key, value, tag } = body as { key: string; value: Value; tag: Tag };
    return { result: localPut(key, { value, tag }) };
  },
});
console.log(
  `${self} serving on ${config.host}:${config.port} (N=${config.nodes.length} R=${config.r} W=${config.w}, ${config.clock} clock, write-back ${config.writeBack})`,
);
