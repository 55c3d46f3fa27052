// Properties of the Maelstrom services' pure models, each against an oracle written here apart from them:
// lin-kv answers as one copy applied in arrival order (a linearizable history, the arrival its linearization
// point); seq-kv's answers have a total order that keeps each client's order (found by brute force), and no
// client sees a state older than one it saw; lww-kv's merge is a join and its replicas converge on the last
// write by stamp; lin-tso counts up; the error codes are Maelstrom's. The same seed gives the same answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MessageBody } from './maelstromNetwork.ts';
import {
  LastWriteWinsKv,
  LinearizableKv,
  SequentialKv,
  TimestampOracle,
  kvStep,
  mergeLww,
} from './maelstromServices.ts';
import type { LwwReplica } from './maelstromServices.ts';

const clients = ['n1', 'n2', 'n3'];

/** Requests on two keys with three small values, so cas both succeeds and fails often. */
const kvRequest: fc.Arbitrary<MessageBody> = fc.oneof(
  fc.record({ type: fc.constant('read'), key: fc.constantFrom(0, 1) }),
  fc.record({ type: fc.constant('write'), key: fc.constantFrom(0, 1), value: fc.nat(2) }),
  fc.record({
    type: fc.constant('cas'),
    key: fc.constantFrom(0, 1),
    from: fc.nat(2),
    to: fc.nat(2),
    create_if_not_exists: fc.boolean(),
  }),
);

const clientRequests = fc.array(fc.record({ client: fc.constantFrom(...clients), request: kvRequest }), {
  maxLength: 40,
});

/** The oracle: Maelstrom's lin-kv on one copy (keys and values are small integers here). */
function specReply(store: Map<number, number>, r: MessageBody): MessageBody {
  const key = r['key'] as number;
  const current = store.get(key);
  if (r.type === 'read')
    return current === undefined ? { type: 'error', code: 20 } : { type: 'read_ok', value: current };
  if (r.type === 'write') {
    store.set(key, r['value'] as number);
    return { type: 'write_ok' };
  }
  if (current === undefined && r['create_if_not_exists'] !== true) return { type: 'error', code: 20 };
  if (current !== undefined && current !== r['from']) return { type: 'error', code: 22 };
  store.set(key, r['to'] as number);
  return { type: 'cas_ok' };
}

/** A reply without its text, which the oracle does not model. */
function gist(reply: MessageBody): MessageBody {
  const { text: _text, ...rest } = reply;
  return rest;
}

test('kv services answer with Maelstrom’s codes: 20 for a missing key, 22 for a cas from another value', () => {
  const kv = new LinearizableKv();
  assert.deepEqual(gist(kv.handle('n1', { type: 'read', key: 'x' })), { type: 'error', code: 20 });
  assert.deepEqual(gist(kv.handle('n1', { type: 'cas', key: 'x', from: 1, to: 2 })), { type: 'error', code: 20 });
  assert.deepEqual(
    kv.handle('n1', { type: 'cas', key: 'x', from: 1, to: { a: 1, b: [2] }, create_if_not_exists: true }),
    {
      type: 'cas_ok',
    },
  );
  // Values compare by value (key order aside), as Clojure's = does.
  assert.deepEqual(kv.handle('n2', { type: 'cas', key: 'x', from: { b: [2], a: 1 }, to: 3 }), { type: 'cas_ok' });
  assert.deepEqual(gist(kv.handle('n2', { type: 'cas', key: 'x', from: 4, to: 5 })), { type: 'error', code: 22 });
  assert.match(String(kv.handle('n2', { type: 'cas', key: 'x', from: 4, to: 5 })['text']), /current value 3 is not 4/);
  // 1 and "1" are different keys.
  kv.handle('n1', { type: 'write', key: 1, value: 'one' });
  assert.deepEqual(gist(kv.handle('n1', { type: 'read', key: '1' })), { type: 'error', code: 20 });
  assert.deepEqual(kv.handle('n1', { type: 'read', key: 1 }), { type: 'read_ok', value: 'one' });
  assert.equal(kv.handle('n1', { type: 'write', key: 2 })['code'], 12);
  assert.equal(kv.handle('n1', { type: 'cas', key: 2, to: 1 })['code'], 12);
  assert.equal(kv.handle('n1', { type: 'delete', key: 2 })['code'], 10);
  assert.equal(kvStep(new Map(), { type: 'read' }).reply['code'], 12);
});

test('lin-kv answers every request as one copy applied in arrival order would (linearizable)', () => {
  fc.assert(
    fc.property(clientRequests, (requests) => {
      const kv = new LinearizableKv();
      const store = new Map<number, number>();
      for (const { client, request } of requests)
        assert.deepEqual(gist(kv.handle(client, request)), specReply(store, request));
    }),
  );
});

/**
 * Whether some interleaving of the clients' sequences of (request, reply), each client's order kept, is
 * answered so by one copy: sequential consistency, by brute force (small histories only).
 */
function sequentiallyConsistent(perClient: { request: MessageBody; reply: MessageBody }[][]): boolean {
  const positions = perClient.map(() => 0);
  const search = (store: Map<number, number>): boolean => {
    if (positions.every((p, c) => p === perClient[c]!.length)) return true;
    for (const [c, ops] of perClient.entries()) {
      const op = ops[positions[c]!];
      if (op === undefined) continue;
      const next = new Map(store);
      if (!isDeepEqualReply(specReply(next, op.request), gist(op.reply))) continue;
      positions[c]! += 1;
      const found = search(next);
      positions[c]! -= 1;
      if (found) return true;
    }
    return false;
  };
  return search(new Map());
}

function isDeepEqualReply(a: MessageBody, b: MessageBody): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

test("seq-kv's answers are sequentially consistent, and no client ever sees a state older than one it saw", () => {
  fc.assert(
    fc.property(
      fc.integer(),
      fc.array(fc.record({ client: fc.constantFrom(...clients), request: kvRequest }), { maxLength: 14 }),
      fc.integer({ min: 1, max: 4 }),
      (seed, requests, bufferSize) => {
        const kv = new SequentialKv(seed, bufferSize);
        const perClient = new Map<string, { request: MessageBody; reply: MessageBody }[]>();
        const lastIndex = new Map<string, number>();
        for (const { client, request } of requests) {
          const { reply, index } = kv.handleAt(client, request);
          assert.ok(index >= (lastIndex.get(client) ?? 0), `${client} went back to state ${index}`);
          lastIndex.set(client, index);
          perClient.set(client, [...(perClient.get(client) ?? []), { request, reply }]);
        }
        assert.ok(sequentiallyConsistent([...perClient.values()]), JSON.stringify([...perClient]));
      },
    ),
  );
});

test('seq-kv serves stale reads of another client’s writes, and a client’s own write moves it to the latest state', () => {
  // Drawn, but from the seed: the same seed gives the same answers, and some of these reads are stale.
  const answers = (seed: number): unknown[] => {
    const kv = new SequentialKv(seed);
    const values: unknown[] = [];
    for (let v = 1; v <= 20; v++) {
      kv.handle('n1', { type: 'write', key: 'k', value: v });
      values.push(kv.handle('n2', { type: 'read', key: 'k' })['value'] ?? null);
    }
    return values;
  };
  assert.deepEqual(answers(7), answers(7));
  assert.ok(
    answers(7).some((v, i) => v !== i + 1),
    'a read behind the latest write',
  );
  fc.assert(
    fc.property(fc.integer(), fc.array(fc.nat(5), { maxLength: 10 }), (seed, writes) => {
      const kv = new SequentialKv(seed);
      for (const v of writes) kv.handle('n1', { type: 'write', key: 'k', value: v });
      // n2's write of a value of its own changes the state, so it lands on the latest, and n2 reads it back.
      kv.handle('n2', { type: 'write', key: 'token', value: 'n2-1' });
      assert.deepEqual(
        kv.handle('n2', { type: 'read', key: 'k' }),
        writes.length === 0
          ? { type: 'error', code: 20, text: 'key does not exist' }
          : { type: 'read_ok', value: writes[writes.length - 1] },
      );
    }),
  );
});

const lwwReplica: fc.Arbitrary<LwwReplica> = fc
  .record({
    clock: fc.nat(10),
    entries: fc.array(
      fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.record({ value: fc.nat(3), ts: fc.nat(6), replica: fc.nat(2) })),
    ),
  })
  .map(({ clock, entries }) => ({ clock, entries: new Map(entries) }));

/** A replica as plain data, for deepEqual regardless of the maps' insertion order. */
function plain(r: LwwReplica): unknown {
  return {
    clock: r.clock,
    entries: [...r.entries]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, { value, ts, replica }]) => ({ key, value, ts, replica })),
  };
}

test("lww-kv's merge is a join: commutative, associative, idempotent, on entries stamped apart", () => {
  // Two replicas never stamp one write with the same (time, replica), so entries of equal stamps are equal.
  const consistent = (rs: LwwReplica[]): boolean => {
    const byStamp = new Map<string, unknown>();
    return rs.every((r) =>
      [...r.entries.values()].every((e) => {
        const stamp = `${e.ts} ${e.replica}`;
        const seen = byStamp.get(stamp);
        byStamp.set(stamp, e.value);
        return seen === undefined || seen === e.value;
      }),
    );
  };
  fc.assert(
    fc.property(lwwReplica, lwwReplica, lwwReplica, (a, b, c) => {
      fc.pre(consistent([a, b, c]));
      assert.deepEqual(plain(mergeLww(a, b)), plain(mergeLww(b, a)));
      assert.deepEqual(plain(mergeLww(mergeLww(a, b), c)), plain(mergeLww(a, mergeLww(b, c))));
      assert.deepEqual(plain(mergeLww(a, a)), plain(a));
    }),
  );
});

test('lww-kv converges: as requests keep coming, every replica holds the write stamped last of each key', () => {
  fc.assert(
    fc.property(fc.integer(), clientRequests, (seed, requests) => {
      const kv = new LastWriteWinsKv(seed);
      for (const { client, request } of requests) kv.handle(client, request);
      const joined = kv.replicas.reduce(mergeLww);
      // Random pairwise merges spread every write to every one of 5 replicas long before 1,000 reads.
      for (let i = 0; i < 1000; i++) kv.handle('n1', { type: 'read', key: 0 });
      for (const r of kv.replicas) assert.deepEqual(plain(r), plain(joined));
      for (const key of [0, 1]) {
        const entry = joined.entries.get(JSON.stringify(key));
        assert.deepEqual(
          kv.handle('n2', { type: 'read', key }),
          entry === undefined
            ? { type: 'error', code: 20, text: 'key does not exist' }
            : { type: 'read_ok', value: entry.value },
        );
      }
    }),
  );
});

test('lww-kv is pathological, as Maelstrom means it: a read right after an acknowledged write may miss it', () => {
  // From the seed: the same seed gives the same answers, and with 5 replicas some reads land on one the write
  // has not reached yet.
  const answers = (seed: number): unknown[] => {
    const kv = new LastWriteWinsKv(seed);
    const values: unknown[] = [];
    for (let v = 1; v <= 20; v++) {
      assert.deepEqual(kv.handle('n1', { type: 'write', key: 'k', value: v }), { type: 'write_ok' });
      values.push(kv.handle('n2', { type: 'read', key: 'k' })['value'] ?? null);
    }
    return values;
  };
  assert.deepEqual(answers(3), answers(3));
  assert.ok(
    answers(3).some((v, i) => v !== i + 1),
    'a read behind the write acknowledged before it',
  );
});

test('lin-tso answers ts with 0, 1, 2, ... in arrival order; anything else is not supported (10)', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...clients), { maxLength: 30 }), (senders) => {
      const tso = new TimestampOracle();
      assert.deepEqual(
        senders.map((c) => tso.handle(c, { type: 'ts' })),
        senders.map((_, i) => ({ type: 'ts_ok', ts: i })),
      );
    }),
  );
  assert.equal(new TimestampOracle().handle('n1', { type: 'read', key: 1 })['code'], 10);
});
