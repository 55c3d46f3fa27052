// Properties of the pure network model: reproducible from the seed, nothing lost or duplicated unless asked,
// partitions drop every message across them (at send and on arrival), links FIFO unless reordering is asked,
// arrival never before send plus the smallest latency.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MaelstromNetwork, checkConditions, perfectConditions } from './maelstromNetwork.ts';
import type { DueEvent, Grudge, LatencyDistribution, NetworkConditions } from './maelstromNetwork.ts';

const names = ['n1', 'n2', 'n3', 'c1', 'c2'];

interface Step {
  src: number;
  dest: number;
  /** ms since the previous step */
  gap: number;
  /** Replace the grudge before this send: indices of (dest, src) pairs cut. */
  cut?: [number, number][];
}

const step = fc.record(
  {
    src: fc.nat(names.length - 1),
    dest: fc.nat(names.length - 1),
    gap: fc.double({ min: 0, max: 20, noNaN: true }),
    cut: fc.array(fc.tuple(fc.nat(names.length - 1), fc.nat(names.length - 1)), { maxLength: 4 }),
  },
  { requiredKeys: ['src', 'dest', 'gap'] },
);

const latency: fc.Arbitrary<LatencyDistribution> = fc.oneof(
  fc.record({ distribution: fc.constant('constant' as const), ms: fc.double({ min: 0, max: 50, noNaN: true }) }),
  fc
    .tuple(fc.double({ min: 0, max: 20, noNaN: true }), fc.double({ min: 0, max: 30, noNaN: true }))
    .map(([minMs, span]) => ({ distribution: 'uniform' as const, minMs, maxMs: minMs + span })),
  fc.record({ distribution: fc.constant('exponential' as const), meanMs: fc.double({ min: 0, max: 30, noNaN: true }) }),
  fc.record({
    distribution: fc.constant('normal' as const),
    meanMs: fc.double({ min: 0, max: 30, noNaN: true }),
    sdMs: fc.double({ min: 0, max: 10, noNaN: true }),
  }),
);

const probability = fc.double({ min: 0, max: 1, noNaN: true });

const conditions: fc.Arbitrary<NetworkConditions> = fc.record({
  latency,
  loss: probability,
  duplicate: probability,
  reorder: probability,
  reorderDelayMs: fc.double({ min: 0, max: 40, noNaN: true }),
  clientLinks: fc.constantFrom('reliable' as const, 'faulty' as const),
});

function grudgeOf(cuts: readonly [number, number][]): Grudge {
  const g = new Map<string, Set<string>>();
  for (const [dest, src] of cuts) {
    const set = g.get(names[dest]!) ?? new Set<string>();
    set.add(names[src]!);
    g.set(names[dest]!, set);
  }
  return g;
}

interface Trace {
  sends: ReturnType<MaelstromNetwork['send']>[];
  /** Each event with the time it was drained and the grudge in force then. */
  events: (DueEvent & { at: number; grudge: Grudge })[];
}

/** Plays the steps against a fresh network, draining what is due after each, then everything. */
function play(seed: number, c: NetworkConditions, steps: readonly Step[]): Trace {
  const net = new MaelstromNetwork(seed, c);
  for (const n of names) net.addEndpoint(n);
  const trace: Trace = { sends: [], events: [] };
  let now = 0;
  let grudge: Grudge = new Map();
  for (const [i, s] of steps.entries()) {
    now += s.gap;
    trace.events.push(...net.due(now).map((e) => ({ ...e, at: now, grudge })));
    if (s.cut !== undefined) net.setGrudge((grudge = grudgeOf(s.cut)));
    trace.sends.push(net.send({ src: names[s.src]!, dest: names[s.dest]!, body: { type: 'm', msg_id: i } }, now));
  }
  trace.events.push(...net.due(Infinity).map((e) => ({ ...e, at: Infinity, grudge })));
  return trace;
}

test('the same seed and the same sends give the same fates and arrival times', () => {
  fc.assert(
    fc.property(fc.integer(), conditions, fc.array(step, { maxLength: 60 }), (seed, c, steps) => {
      assert.deepEqual(play(seed, c, steps), play(seed, c, steps));
    }),
  );
});

test('a perfect network delivers every message exactly once, after the drawn latency, links in send order', () => {
  fc.assert(
    fc.property(fc.integer(), latency, fc.array(step, { maxLength: 60 }), (seed, l, steps) => {
      const noCuts = steps.map(({ src, dest, gap }) => ({ src, dest, gap }));
      const trace = play(seed, { latency: l, loss: 0, duplicate: 0, reorder: 0, reorderDelayMs: 0 }, noCuts);
      assert.ok(trace.sends.every((s) => s.fate === 'in-flight'));
      const delivered = trace.events.filter((e) => e.kind === 'deliver').map((e) => e.delivery);
      assert.deepEqual(
        delivered.map((d) => d.id).sort((a, b) => a - b),
        steps.map((_, i) => i),
      );
      const minMs = l.distribution === 'constant' ? l.ms : l.distribution === 'uniform' ? l.minMs : 0;
      for (const d of delivered) assert.ok(d.deliverAt >= d.sentAt + minMs - 1e-9);
      // FIFO per link: arrival order on each link is send order.
      const lastOnLink = new Map<string, number>();
      for (const d of delivered) {
        const link = `${d.message.src} ${d.message.dest}`;
        assert.ok((lastOnLink.get(link) ?? -1) < d.id, `link ${link} delivered ${d.id} out of order`);
        lastOnLink.set(link, d.id);
      }
      if (l.distribution === 'constant') for (const d of delivered) assert.equal(d.deliverAt, d.sentAt + l.ms);
    }),
  );
});

test('no message crosses a partition: cut at send or on arrival, it is dropped', () => {
  fc.assert(
    fc.property(fc.integer(), conditions, fc.array(step, { maxLength: 60 }), (seed, c, steps) => {
      const trace = play(seed, c, steps);
      // The grudge in force at each send is the last `cut` given at or before that step.
      let grudge: Grudge = new Map();
      for (const [i, s] of steps.entries()) {
        if (s.cut !== undefined) grudge = grudgeOf(s.cut);
        if (grudge.get(names[s.dest]!)?.has(names[s.src]!) === true)
          assert.deepEqual(trace.sends[i], { id: i, fate: 'dropped', reason: 'partitioned' });
      }
      for (const e of trace.events) {
        if (e.kind !== 'deliver') continue;
        const { src, dest } = e.delivery.message;
        assert.ok(e.grudge.get(dest)?.has(src) !== true, `${src}->${dest} delivered across a partition`);
      }
    }),
  );
});

test('a message arrives at most twice, never when lost, always twice when duplication is certain', () => {
  fc.assert(
    fc.property(fc.integer(), conditions, fc.array(step, { maxLength: 60 }), (seed, c, steps) => {
      const trace = play(seed, c, steps);
      const copies = new Map<number, number>();
      for (const e of trace.events) copies.set(e.delivery.id, (copies.get(e.delivery.id) ?? 0) + 1);
      for (const s of trace.sends) {
        const n = copies.get(s.id) ?? 0;
        if (s.fate === 'dropped') assert.equal(n, 0);
        else assert.equal(n, s.deliverAt.length);
        assert.ok(n <= 2);
      }
      if (c.loss === 1 && c.clientLinks === 'faulty') assert.ok(trace.events.length === 0);
    }),
  );
  const certain = play(7, { ...checkConditions(certainDuplicates) }, [{ src: 0, dest: 1, gap: 0 }]);
  assert.equal(certain.events.filter((e) => e.kind === 'deliver').length, 2);
});

const perfect = perfectConditions;

const certainDuplicates: NetworkConditions = {
  latency: { distribution: 'constant', ms: 1 },
  loss: 0,
  duplicate: 1,
  reorder: 0,
  reorderDelayMs: 0,
};

test('reordering lets later messages overtake earlier ones on a link', () => {
  const steps = Array.from({ length: 200 }, () => ({ src: 0, dest: 1, gap: 0.1 }));
  const trace = play(3, { ...certainDuplicates, duplicate: 0, reorder: 0.3, reorderDelayMs: 10 }, steps);
  const order = trace.events.map((e) => e.delivery.id);
  assert.notDeepEqual(
    order,
    [...order].sort((a, b) => a - b),
  );
});

test('loss drops about the asked share of messages', () => {
  const steps = Array.from({ length: 5000 }, (_, i) => ({ src: i % 3, dest: (i + 1) % 3, gap: 0.01 }));
  const trace = play(11, { ...certainDuplicates, duplicate: 0, loss: 0.2 }, steps);
  const lost = trace.sends.filter((s) => s.fate === 'dropped' && s.reason === 'lost').length / steps.length;
  assert.ok(Math.abs(lost - 0.2) < 0.03, `lost ${lost}`);
});

test('client links are spared loss, duplication and reordering unless asked; node links are not', () => {
  const harsh: NetworkConditions = { ...certainDuplicates, loss: 0.5, reorder: 1, reorderDelayMs: 10 };
  const steps = Array.from({ length: 300 }, (_, i) => ({ src: 3 + (i % 2), dest: i % 3, gap: 0.1 }));
  const reliable = play(5, harsh, steps);
  assert.ok(reliable.sends.every((s) => s.fate === 'in-flight' && s.deliverAt.length === 1));
  const order = reliable.events.map((e) => e.delivery.id);
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
  );
  const faulty = play(5, { ...harsh, clientLinks: 'faulty' }, steps);
  assert.ok(faulty.sends.some((s) => s.fate === 'dropped'));
  const nodeLinks = play(
    5,
    harsh,
    steps.map((s) => ({ ...s, src: (s.dest + 1) % 3 })),
  );
  assert.ok(nodeLinks.sends.some((s) => s.fate === 'dropped'));
});

test('a packet fault shapes exactly the node links with an end in its targets, on top of the base conditions', () => {
  fc.assert(
    fc.property(
      fc.integer(),
      fc.subarray(['n1', 'n2', 'n3']),
      fc.array(step, { maxLength: 60 }),
      (seed, targets, steps) => {
        const net = new MaelstromNetwork(seed, { ...perfect, latency: { distribution: 'constant', ms: 1 } });
        for (const n of names) net.addEndpoint(n);
        net.shapeLinks(targets, { ...perfect, loss: 1 });
        for (const s of steps) {
          const message = { src: names[s.src]!, dest: names[s.dest]!, body: { type: 'm' } };
          const outcome = net.send(message, 0);
          const client = message.src.startsWith('c') || message.dest.startsWith('c');
          const shaped = !client && (targets.includes(message.src) || targets.includes(message.dest));
          assert.equal(outcome.fate, shaped ? 'dropped' : 'in-flight', `${message.src}->${message.dest}`);
          if (outcome.fate === 'in-flight') assert.deepEqual(outcome.deliverAt, [1]);
        }
      },
    ),
  );
  const net = new MaelstromNetwork(1, { ...perfect, latency: { distribution: 'constant', ms: 1 } });
  for (const n of names) net.addEndpoint(n);
  net.shapeLinks(['n1'], { ...perfect, latency: { distribution: 'constant', ms: 50 } });
  assert.deepEqual(net.send({ src: 'n2', dest: 'n1', body: { type: 'm' } }, 0), {
    id: 0,
    fate: 'in-flight',
    deliverAt: [51],
  });
  net.shapeLinks([], undefined);
  assert.deepEqual(net.send({ src: 'n2', dest: 'n1', body: { type: 'm' } }, 100), {
    id: 1,
    fate: 'in-flight',
    deliverAt: [101],
  });
});

test('messages to an endpoint that is gone are dropped as unreachable, those already in flight too', () => {
  const net = new MaelstromNetwork(1, { ...certainDuplicates, duplicate: 0 });
  for (const n of ['n1', 'n2']) net.addEndpoint(n);
  net.send({ src: 'n1', dest: 'n2', body: { type: 'x' } }, 0);
  net.removeEndpoint('n2');
  assert.deepEqual(net.send({ src: 'n1', dest: 'n2', body: { type: 'y' } }, 0), {
    id: 1,
    fate: 'dropped',
    reason: 'unreachable',
  });
  assert.deepEqual(
    net.due(5).map((e) => [e.kind, e.kind === 'drop' ? e.reason : '']),
    [['drop', 'unreachable']],
  );
  // Back again (a restart): only what is sent from now on reaches it.
  net.send({ src: 'n1', dest: 'n1', body: { type: 'self' } }, 5);
  const early = net.send({ src: 'n1', dest: 'n2', body: { type: 'z' } }, 5);
  assert.equal(early.fate, 'dropped');
  net.addEndpoint('n2');
  net.removeEndpoint('n2');
  net.send({ src: 'n1', dest: 'n2', body: { type: 'lost-with-restart' } }, 5);
  net.addEndpoint('n2');
  net.addEndpoint('n2');
  net.send({ src: 'n1', dest: 'n2', body: { type: 'new' } }, 5);
  assert.deepEqual(
    net.due(10).map((e) => [e.kind, e.delivery.message.body.type]),
    [
      ['deliver', 'self'],
      ['deliver', 'new'],
    ],
  );
});

test('conditions out of range are refused, named', () => {
  assert.throws(() => checkConditions({ ...certainDuplicates, loss: 1.5 }), /loss must be a probability/);
  assert.throws(
    () => checkConditions({ ...certainDuplicates, latency: { distribution: 'uniform', minMs: 5, maxMs: 1 } }),
    /minMs <= maxMs/,
  );
});
