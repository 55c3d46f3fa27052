// Maelstrom's services (doc/services.md, src/maelstrom/service.clj) as pure, seeded models: lin-kv, seq-kv,
// lww-kv and lin-tso answer each request body with a reply body, with no I/O and no clock, so the same seed and
// the same requests give the same answers. maelstromCluster.ts puts them on the router as endpoints, so their
// messages travel the network as any node's do.
import { isDeepStrictEqual } from 'node:util';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import type { MessageBody } from './maelstromNetwork.ts';

export const serviceNames = ['lin-kv', 'seq-kv', 'lww-kv', 'lin-tso'] as const;
export type ServiceName = (typeof serviceNames)[number];

/** A service answers a request from `client` (the sender's name) with a reply body, without in_reply_to. */
export interface MaelstromService {
  handle(client: string, request: MessageBody): MessageBody;
}

/** A key's JSON: Maelstrom compares keys by value, so 1 and "1" are different keys, as there. */
type KvState = ReadonlyMap<string, unknown>;

interface KvStep {
  /** The state after the request: the same object when it changed nothing. */
  state: KvState;
  reply: MessageBody;
}

function error(code: number, text: string): MessageBody {
  return { type: 'error', code, text };
}

const keyDoesNotExist = (): MessageBody => error(20, 'key does not exist');

/**
 * Maelstrom's PersistentKV: read, write, and cas (from, to, create_if_not_exists). A request missing a field
 * is malformed (12) and an unknown type not supported (10), where Maelstrom's service throws and answers nothing.
 */
export function kvStep(state: KvState, request: MessageBody): KvStep {
  const missing = [
    'key',
    ...(request.type === 'write' ? ['value'] : request.type === 'cas' ? ['from', 'to'] : []),
  ].filter((field) => !(field in request));
  if (['read', 'write', 'cas'].includes(request.type) && missing.length > 0)
    return { state, reply: error(12, `${request.type} needs ${missing.join(', ')}`) };
  const key = JSON.stringify(request['key']);
  const set = (value: unknown): KvState =>
    state.has(key) && isDeepStrictEqual(state.get(key), value) ? state : new Map(state).set(key, value);
  switch (request.type) {
    case 'read':
      return { state, reply: state.has(key) ? { type: 'read_ok', value: state.get(key) } : keyDoesNotExist() };
    case 'write':
      return { state: set(request['value']), reply: { type: 'write_ok' } };
    case 'cas': {
      if (!state.has(key))
        return request['create_if_not_exists'] === true
          ? { state: set(request['to']), reply: { type: 'cas_ok' } }
          : { state, reply: keyDoesNotExist() };
      const current = state.get(key);
      if (!isDeepStrictEqual(current, request['from']))
        return {
          state,
          reply: error(22, `current value ${JSON.stringify(current)} is not ${JSON.stringify(request['from'])}`),
        };
      return { state: set(request['to']), reply: { type: 'cas_ok' } };
    }
    default:
      return { state, reply: error(10, `the kv services serve read, write and cas, not ${request.type}`) };
  }
}

/** lin-kv: one state, each request applied in the order it arrives, so its answers are linearizable. */
export class LinearizableKv implements MaelstromService {
  private state: KvState = new Map();

  handle(_client: string, request: MessageBody): MessageBody {
    const step = kvStep(this.state, request);
    this.state = step.state;
    return step.reply;
  }
}

/**
 * seq-kv, as Maelstrom's Sequential: the last `bufferSize` states are kept in order, and each client (a node)
 * has the index of the last state it saw. A request is tried on a state drawn between that index and the
 * latest: if it changes nothing (a read, a failed cas, a write of the value already there) it is answered
 * there, and the client now stands at that state; otherwise it is applied to the latest state, making a new
 * one, where the client now stands. So all changes are in one total order, and no client ever sees an older
 * state than one it saw: sequential consistency, with stale reads of others' writes.
 */
export class SequentialKv implements MaelstromService {
  private readonly rng: RandomGenerator;
  private readonly bufferSize: number;
  /** states[i] is the state of index firstIndex + i. */
  private readonly states: KvState[] = [new Map()];
  private firstIndex = 0;
  private readonly clientIndex = new Map<string, number>();

  constructor(seed: number, bufferSize = 32) {
    this.rng = xoroshiro128plus(seed);
    this.bufferSize = bufferSize;
  }

  private get lastIndex(): number {
    return this.firstIndex + this.states.length - 1;
  }

  handle(client: string, request: MessageBody): MessageBody {
    return this.handleAt(client, request).reply;
  }

  /** handle, also saying the index of the state the request was answered on (what the tests check). */
  handleAt(client: string, request: MessageBody): { reply: MessageBody; index: number } {
    // A client whose last state has left the buffer stands at the oldest one kept, which is still later.
    const from = Math.max(this.clientIndex.get(client) ?? 0, this.firstIndex);
    const index = uniformInt(this.rng, from, this.lastIndex);
    const tried = kvStep(this.states[index - this.firstIndex]!, request);
    if (tried.state === this.states[index - this.firstIndex]) {
      this.clientIndex.set(client, index);
      return { reply: tried.reply, index };
    }
    const applied = kvStep(this.states[this.states.length - 1]!, request);
    if (applied.state !== this.states[this.states.length - 1]) {
      this.states.push(applied.state);
      if (this.states.length > this.bufferSize) {
        this.states.shift();
        this.firstIndex += 1;
      }
    }
    this.clientIndex.set(client, this.lastIndex);
    return { reply: applied.reply, index: this.lastIndex };
  }
}

/** One replica's copy of a key in lww-kv: its value and the write's (Lamport time, replica), which order writes. */
interface LwwEntry {
  value: unknown;
  ts: number;
  replica: number;
}

export interface LwwReplica {
  clock: number;
  entries: ReadonlyMap<string, LwwEntry>;
}

function newer(a: LwwEntry, b: LwwEntry): boolean {
  return a.ts !== b.ts ? a.ts > b.ts : a.replica > b.replica;
}

/**
 * Merges `from` into `into`: the larger clock, and for each key the later write by (time, replica). Ties on
 * time are broken by the replica's number (Maelstrom keeps either side's), so merging is a join: the replicas
 * agree once every write has reached every replica, whatever the order of the merges.
 */
export function mergeLww(into: LwwReplica, from: LwwReplica): LwwReplica {
  const entries = new Map(into.entries);
  for (const [key, entry] of from.entries) {
    const mine = entries.get(key);
    if (mine === undefined || newer(entry, mine)) entries.set(key, entry);
  }
  return { clock: Math.max(into.clock, from.clock), entries };
}

/** A request on one lww-kv replica, as kvStep on its values; a change is stamped with the replica's clock. */
function lwwStep(
  replica: LwwReplica,
  index: number,
  request: MessageBody,
): { replica: LwwReplica; reply: MessageBody } {
  const values: KvState = new Map([...replica.entries].map(([k, e]) => [k, e.value]));
  const step = kvStep(values, request);
  if (step.state === values) return { replica, reply: step.reply };
  const entries = new Map(replica.entries);
  for (const [key, value] of step.state) {
    const old = replica.entries.get(key);
    if (old === undefined || !isDeepStrictEqual(old.value, value))
      entries.set(key, { value, ts: replica.clock, replica: index });
  }
  return { replica: { clock: replica.clock + 1, entries }, reply: step.reply };
}

/**
 * lww-kv, as Maelstrom's Eventual over its LWWKV: `replicaCount` replicas, each answering on its own. Each
 * request first merges one replica drawn at random into another drawn at random (the gossip), then is served by
 * a third draw. So reads are stale, writes are lost to later-stamped ones, cas works on one replica's view; the
 * replicas converge as requests keep coming.
 */
export class LastWriteWinsKv implements MaelstromService {
  private readonly rng: RandomGenerator;
  private replicaStates: LwwReplica[];

  constructor(seed: number, replicaCount = 5) {
    this.rng = xoroshiro128plus(seed);
    this.replicaStates = Array.from({ length: replicaCount }, () => ({ clock: 0, entries: new Map() }));
  }

  get replicas(): readonly LwwReplica[] {
    return this.replicaStates;
  }

  handle(_client: string, request: MessageBody): MessageBody {
    const n = this.replicaStates.length;
    const source = uniformInt(this.rng, 0, n - 1);
    const dest = uniformInt(this.rng, 0, n - 1);
    const serving = uniformInt(this.rng, 0, n - 1);
    // Maelstrom's Eventual computes this merge and then drops it (its `replicas'` is rebound from the old
    // vector), so its replicas never converge; here the merge is kept, as its docs say.
    this.replicaStates = this.replicaStates.map((r, i) => (i === dest ? mergeLww(r, this.replicaStates[source]!) : r));
    const step = lwwStep(this.replicaStates[serving]!, serving, request);
    this.replicaStates = this.replicaStates.map((r, i) => (i === serving ? step.replica : r));
    return step.reply;
  }
}

/** lin-tso: ts answers ts_ok with the next integer, from 0, in the order requests arrive. */
export class TimestampOracle implements MaelstromService {
  private next = 0;

  handle(_client: string, request: MessageBody): MessageBody {
    if (request.type !== 'ts') return error(10, `lin-tso serves ts, not ${request.type}`);
    return { type: 'ts_ok', ts: this.next++ };
  }
}

/** The four services of one run; seq-kv's and lww-kv's draws are seeded from the run's seed, apart from the network's. */
export function makeServices(seed: number): ReadonlyMap<ServiceName, MaelstromService> {
  return new Map<ServiceName, MaelstromService>([
    ['lin-kv', new LinearizableKv()],
    ['seq-kv', new SequentialKv(seed + 1)],
    ['lww-kv', new LastWriteWinsKv(seed + 2)],
    ['lin-tso', new TimestampOracle()],
  ]);
}
