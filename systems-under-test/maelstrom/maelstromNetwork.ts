// The network between Maelstrom nodes and clients, as a pure, seeded model: given the messages sent and the
// (caller's) clock, it decides each message's fate (lost, cut by a partition, delivered once or twice) and when
// it arrives. It does no I/O and reads no clock, so the same seed and the same sends give the same deliveries;
// maelstromRouter.ts drives it with real time and real processes.
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** A Maelstrom message: `src` and `dest` name nodes (n1...) or clients (c1...); the body is opaque here. */
export interface MaelstromMessage {
  src: string;
  dest: string;
  body: MessageBody;
}

/** The reserved keys of a body (protocol.md); every other key belongs to the workload or the node. */
export interface MessageBody {
  type: string;
  msg_id?: number;
  in_reply_to?: number;
  [field: string]: unknown;
}

/** How long a message takes, drawn per message. */
export type LatencyDistribution =
  | { distribution: 'constant'; ms: number }
  | { distribution: 'uniform'; minMs: number; maxMs: number }
  /** Exponential with this mean (Maelstrom's default shape), optionally cut at maxMs. */
  | { distribution: 'exponential'; meanMs: number; maxMs?: number }
  /** Normal (netem's default jitter shape), never below 0. */
  | { distribution: 'normal'; meanMs: number; sdMs: number };

export interface NetworkConditions {
  latency: LatencyDistribution;
  /** Probability that a message is lost. */
  loss: number;
  /** Probability that a delivered message is delivered a second time (its copy has its own latency). */
  duplicate: number;
  /**
   * Probability that a message leaves its link's order: links are FIFO otherwise (as a TCP connection is), and a
   * reordered message is held back by up to `reorderDelayMs` more, so later messages overtake it.
   */
  reorder: number;
  reorderDelayMs: number;
  /**
   * Whether loss, duplication and reordering also hit messages to and from clients (c1, c2, ...). Default
   * reliable: faultline's clients stand for the harness's own connections, which its node faults leave alone
   * (Maelstrom's partitions spare clients too); latency and partitions that name a client apply either way.
   */
  clientLinks?: 'reliable' | 'faulty';
}

/** Maelstrom's names for clients: c1, c2, ... (the harness's init sender is c0). */
export function isClientName(name: string): boolean {
  return /^c\d+$/.test(name);
}

export const perfectConditions: NetworkConditions = {
  latency: { distribution: 'constant', ms: 0 },
  loss: 0,
  duplicate: 0,
  reorder: 0,
  reorderDelayMs: 0,
};

/**
 * Who cannot hear whom: for each destination, the sources whose messages it drops (the nemesis's grudge, as in
 * Jepsen). A name absent from it hears everyone.
 */
export type Grudge = ReadonlyMap<string, ReadonlySet<string>>;

/** Why a message was not delivered. */
export type DropReason = 'lost' | 'partitioned' | 'unreachable';

/** One copy of a message on its way: `id` is the send's sequence number, shared by a duplicate. */
export interface Delivery {
  id: number;
  copy: 0 | 1;
  /** The destination's incarnation when the message was sent. */
  incarnation: number;
  message: MaelstromMessage;
  sentAt: number;
  deliverAt: number;
}

export type SendOutcome =
  { id: number; fate: 'in-flight'; deliverAt: number[] } | { id: number; fate: 'dropped'; reason: DropReason };

export type DueEvent =
  { kind: 'deliver'; delivery: Delivery } | { kind: 'drop'; delivery: Delivery; reason: 'partitioned' | 'unreachable' };

/** Throws naming the first condition out of range, so a campaign's typo is not a silently perfect network. */
export function checkConditions(conditions: NetworkConditions): NetworkConditions {
  for (const key of ['loss', 'duplicate', 'reorder'] as const) {
    const p = conditions[key];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`network ${key} must be a probability in [0, 1], got ${p}`);
  }
  if (!(conditions.reorderDelayMs >= 0))
    throw new RangeError(`network reorderDelayMs must be >= 0, got ${conditions.reorderDelayMs}`);
  const l = conditions.latency;
  const bad = (what: string): never => {
    throw new RangeError(`network latency (${l.distribution}): ${what}`);
  };
  if (l.distribution === 'constant' && !(l.ms >= 0)) bad(`ms must be >= 0, got ${l.ms}`);
  if (l.distribution === 'uniform' && !(l.minMs >= 0 && l.maxMs >= l.minMs))
    bad(`needs 0 <= minMs <= maxMs, got ${l.minMs}..${l.maxMs}`);
  if (l.distribution === 'exponential' && !(l.meanMs >= 0)) bad(`meanMs must be >= 0, got ${l.meanMs}`);
  if (l.distribution === 'normal' && !(l.meanMs >= 0 && l.sdMs >= 0))
    bad(`meanMs and sdMs must be >= 0, got ${l.meanMs}, ${l.sdMs}`);
  return conditions;
}

/** A uniform draw in [0, 1) from 32 random bits. */
function unit(rng: RandomGenerator): number {
  return (rng.next() >>> 0) / 0x1_0000_0000;
}

function drawLatency(latency: LatencyDistribution, rng: RandomGenerator): number {
  switch (latency.distribution) {
    case 'constant':
      return latency.ms;
    case 'uniform':
      return latency.minMs + unit(rng) * (latency.maxMs - latency.minMs);
    case 'exponential': {
      const drawn = -latency.meanMs * Math.log(1 - unit(rng));
      return latency.maxMs === undefined ? drawn : Math.min(drawn, latency.maxMs);
    }
    case 'normal': {
      // Box-Muller; both draws are always made so the sequence does not depend on the values.
      const u1 = 1 - unit(rng);
      const u2 = unit(rng);
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      return Math.max(0, latency.meanMs + latency.sdMs * z);
    }
  }
}

/** A binary min-heap of deliveries by (deliverAt, id, copy): ties keep send order, so runs stay reproducible. */
class DeliveryHeap {
  private readonly items: Delivery[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Delivery | undefined {
    return this.items[0];
  }

  push(d: Delivery): void {
    const a = this.items;
    a.push(d);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): Delivery | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < a.length && before(a[l]!, a[least]!)) least = l;
      if (r < a.length && before(a[r]!, a[least]!)) least = r;
      if (least === i) return top;
      [a[i], a[least]] = [a[least]!, a[i]!];
      i = least;
    }
  }
}

function before(x: Delivery, y: Delivery): boolean {
  if (x.deliverAt !== y.deliverAt) return x.deliverAt < y.deliverAt;
  if (x.id !== y.id) return x.id < y.id;
  return x.copy < y.copy;
}

export class MaelstromNetwork {
  private readonly rng: RandomGenerator;
  private conditions: NetworkConditions;
  private grudge: Grudge = new Map();
  /** Each endpoint's incarnation: bumped when it goes, so a restarted node never gets its old self's mail. */
  private readonly endpoints = new Map<string, number>();
  private readonly incarnations = new Map<string, number>();
  private readonly inFlight = new DeliveryHeap();
  /** The latest in-order arrival time per link ("src dest"), which keeps links FIFO. */
  private readonly linkTail = new Map<string, number>();
  private nextId = 0;
  /** A packet fault: extra conditions on every node-to-node link with an end in `nodes`. */
  private shaping: { nodes: ReadonlySet<string>; conditions: NetworkConditions } | undefined;

  constructor(seed: number, conditions: NetworkConditions = perfectConditions) {
    this.rng = xoroshiro128plus(seed);
    this.conditions = checkConditions(conditions);
  }

  /** Makes `name` (a node or a client) a destination messages can reach. */
  addEndpoint(name: string): void {
    if (!this.endpoints.has(name)) this.endpoints.set(name, this.incarnations.get(name) ?? 0);
  }

  /**
   * Messages to `name` are dropped as unreachable from now on, including those already in flight, even if
   * `name` is added again (a node restarted after a kill starts with an empty inbox).
   */
  removeEndpoint(name: string): void {
    const incarnation = this.endpoints.get(name);
    if (incarnation === undefined) return;
    this.endpoints.delete(name);
    this.incarnations.set(name, incarnation + 1);
  }

  hasEndpoint(name: string): boolean {
    return this.endpoints.has(name);
  }

  setConditions(conditions: NetworkConditions): void {
    this.conditions = checkConditions(conditions);
  }

  getConditions(): NetworkConditions {
    return this.conditions;
  }

  /** Replaces the grudge; an empty map heals every partition. Messages in flight are judged again on arrival. */
  setGrudge(grudge: Grudge): void {
    this.grudge = grudge;
  }

  /**
   * Adds `conditions` on top of the base ones on every link between nodes with an end in `nodes` (what a
   * packet fault on those nodes shapes: their traffic to every node, and every node's traffic to them):
   * latencies add, and a message is lost, duplicated or reordered if either says so. undefined removes it.
   */
  shapeLinks(nodes: readonly string[], conditions: NetworkConditions | undefined): void {
    this.shaping =
      conditions === undefined ? undefined : { nodes: new Set(nodes), conditions: checkConditions(conditions) };
  }

  private shaped(message: MaelstromMessage): NetworkConditions | undefined {
    const s = this.shaping;
    if (s === undefined || isClientName(message.src) || isClientName(message.dest)) return undefined;
    return s.nodes.has(message.src) || s.nodes.has(message.dest) ? s.conditions : undefined;
  }

  cuts(src: string, dest: string): boolean {
    return this.grudge.get(dest)?.has(src) === true;
  }

  /** Sends a message at time `now` (ms, the caller's clock): its fate and, if in flight, when each copy arrives. */
  send(message: MaelstromMessage, now: number): SendOutcome {
    const id = this.nextId++;
    // Every draw is made whatever the outcome, so one message's fate never shifts the draws of the next.
    let lost = unit(this.rng) < this.conditions.loss;
    let duplicated = unit(this.rng) < this.conditions.duplicate;
    const latencies = [this.arrivalDelay(this.conditions), this.arrivalDelay(this.conditions)];
    const extra = this.shaped(message);
    if (extra !== undefined) {
      // Drawn only on shaped links, so a packet fault leaves the draws of a run without one unchanged.
      lost = unit(this.rng) < extra.loss || lost;
      duplicated = unit(this.rng) < extra.duplicate || duplicated;
      for (const [i, d] of latencies.entries()) {
        const e = this.arrivalDelay(extra);
        latencies[i] = { base: d.base + e.base, ms: d.ms + e.ms, inOrder: d.inOrder && e.inOrder };
      }
    }
    const faulty =
      this.conditions.clientLinks === 'faulty' || !(isClientName(message.src) || isClientName(message.dest));
    const incarnation = this.endpoints.get(message.dest);
    if (incarnation === undefined) return { id, fate: 'dropped', reason: 'unreachable' };
    if (this.cuts(message.src, message.dest)) return { id, fate: 'dropped', reason: 'partitioned' };
    if (lost && faulty) return { id, fate: 'dropped', reason: 'lost' };
    const copies: (0 | 1)[] = duplicated && faulty ? [0, 1] : [0];
    const deliverAt = copies.map((copy) => {
      const d = latencies[copy]!;
      const at = d.inOrder || !faulty ? this.inOrderArrival(message, now + d.base) : now + d.ms;
      this.inFlight.push({ id, copy, incarnation, message, sentAt: now, deliverAt: at });
      return at;
    });
    return { id, fate: 'in-flight', deliverAt };
  }

  /** When the next copy in flight arrives, or undefined when none is. */
  nextDueAt(): number | undefined {
    return this.inFlight.peek()?.deliverAt;
  }

  inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Every copy due by `now`, in arrival order: delivered, or dropped when its link was cut meanwhile. */
  due(now: number): DueEvent[] {
    const events: DueEvent[] = [];
    for (let next = this.inFlight.peek(); next !== undefined && next.deliverAt <= now; next = this.inFlight.peek()) {
      const delivery = this.inFlight.pop()!;
      const { src, dest } = delivery.message;
      // Gone, or gone and back (a restart): what was sent to the old process is lost with it.
      if (this.endpoints.get(dest) !== delivery.incarnation)
        events.push({ kind: 'drop', delivery, reason: 'unreachable' });
      else if (this.cuts(src, dest)) events.push({ kind: 'drop', delivery, reason: 'partitioned' });
      else events.push({ kind: 'deliver', delivery });
    }
    return events;
  }

  /** The drawn latency (`base`), and `ms` with the reordering delay when this copy is reordered. */
  private arrivalDelay(conditions: NetworkConditions): { base: number; ms: number; inOrder: boolean } {
    const base = drawLatency(conditions.latency, this.rng);
    const reordered = unit(this.rng) < conditions.reorder;
    const extra = unit(this.rng) * conditions.reorderDelayMs;
    return reordered ? { base, ms: base + extra, inOrder: false } : { base, ms: base, inOrder: true };
  }

  private inOrderArrival(message: MaelstromMessage, drawn: number): number {
    const link = `${message.src} ${message.dest}`;
    const at = Math.max(drawn, this.linkTail.get(link) ?? -Infinity);
    this.linkTail.set(link, at);
    return at;
  }
}
