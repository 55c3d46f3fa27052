// The nemesis's network faults in the router's terms: a partition's grudge, and a packet fault's behaviours
// (netem's vocabulary, as nemesis/faults/packet.ts takes them from the campaign) as network conditions on the
// links of its targets. The shapes are restated here because a system sees only the plug-in API; they are
// what the seam in docs/maelstrom.md ("Network faults") would hand the system.
import type { Value } from '../../harness/plugin.ts';
import type { Grudge, LatencyDistribution, NetworkConditions } from './maelstromNetwork.ts';
import { perfectConditions } from './maelstromNetwork.ts';

/** nemesis/faults/packet.ts's PacketBehaviors, structurally. Percentages are 0..100. */
export interface PacketFaultBehaviors {
  delay?: { ms: number; jitterMs?: number; correlation?: number; distribution?: string };
  loss?: { percent: number; correlation?: number };
  duplicate?: { percent: number; correlation?: number };
  corrupt?: { percent: number; correlation?: number };
  reorder?: { percent: number; correlation?: number };
  rate?: { kbit: number };
}

/** The packet behaviours the router does (corrupt and rate are not: a message is a JSON line, not bytes). */
export const routerPacketBehaviors = ['delay', 'loss', 'duplicate', 'reorder'] as const;

const numberIn = (o: Value | undefined, key: string): number | undefined => {
  if (o === null || o === undefined || typeof o !== 'object' || Array.isArray(o)) return undefined;
  const v = o[key];
  return typeof v === 'number' ? v : undefined;
};

/**
 * A packet fault's behaviours as the nemesis hands them over (the campaign's, already validated there), read
 * field by field: a field of another shape is left out rather than trusted.
 */
export function packetFaultBehaviorsOf(b: Readonly<Record<string, Value>>): PacketFaultBehaviors {
  const out: PacketFaultBehaviors = {};
  const ms = numberIn(b['delay'], 'ms');
  if (ms !== undefined) {
    const d = b['delay'] as Record<string, Value>;
    const jitterMs = numberIn(d, 'jitterMs');
    const correlation = numberIn(d, 'correlation');
    const distribution = typeof d['distribution'] === 'string' ? d['distribution'] : undefined;
    out.delay = {
      ms,
      ...(jitterMs !== undefined && { jitterMs }),
      ...(correlation !== undefined && { correlation }),
      ...(distribution !== undefined && { distribution }),
    };
  }
  for (const k of ['loss', 'duplicate', 'corrupt', 'reorder'] as const) {
    const percent = numberIn(b[k], 'percent');
    if (percent === undefined) continue;
    const correlation = numberIn(b[k], 'correlation');
    out[k] = { percent, ...(correlation !== undefined && { correlation }) };
  }
  const kbit = numberIn(b['rate'], 'kbit');
  if (kbit !== undefined) out.rate = { kbit };
  return out;
}

/** netem delays a reordered packet's neighbours, not the packet; without a delay it uses 50 ms (as Jepsen). */
const defaultReorderDelayMs = 50;

function delayOf(delay: NonNullable<PacketFaultBehaviors['delay']>): { latency: LatencyDistribution; note?: string } {
  const jitter = delay.jitterMs ?? 0;
  if (jitter <= 0) return { latency: { distribution: 'constant', ms: delay.ms } };
  if (delay.distribution === 'uniform')
    return { latency: { distribution: 'uniform', minMs: Math.max(0, delay.ms - jitter), maxMs: delay.ms + jitter } };
  const latency: LatencyDistribution = { distribution: 'normal', meanMs: delay.ms, sdMs: jitter };
  if (delay.distribution === undefined || delay.distribution === 'normal') return { latency };
  return { latency, note: `delay distribution ${delay.distribution} is drawn as normal` };
}

/**
 * The conditions a packet fault adds on its links, and what of it the router cannot do (corruption: a
 * message is a JSON line, not bytes; rate limits; netem's correlations), for the fault's result.
 */
export function conditionsForPacketFault(b: PacketFaultBehaviors): {
  conditions: NetworkConditions;
  notApplied: string[];
} {
  const notApplied: string[] = [];
  const delay = b.delay === undefined ? undefined : delayOf(b.delay);
  if (delay?.note !== undefined) notApplied.push(delay.note);
  if (b.corrupt !== undefined) notApplied.push('corrupt (messages are JSON lines: not done)');
  if (b.rate !== undefined) notApplied.push('rate (not done)');
  const correlated = (['delay', 'loss', 'duplicate', 'reorder'] as const).filter(
    (k) => b[k]?.correlation !== undefined && b[k].correlation !== 0,
  );
  if (correlated.length > 0) notApplied.push(`correlation of ${correlated.join(', ')} (each message drawn alone)`);
  return {
    conditions: {
      ...perfectConditions,
      ...(delay !== undefined && { latency: delay.latency }),
      loss: (b.loss?.percent ?? 0) / 100,
      duplicate: (b.duplicate?.percent ?? 0) / 100,
      reorder: (b.reorder?.percent ?? 0) / 100,
      reorderDelayMs: b.delay?.ms ?? defaultReorderDelayMs,
    },
    notApplied,
  };
}

/** The nemesis's grudge (node → the nodes whose packets it drops) as the router's. */
export function grudgeFromRecord(grudge: Readonly<Record<string, readonly string[]>>): Grudge {
  return new Map(
    Object.entries(grudge)
      .filter(([, sources]) => sources.length > 0)
      .map(([dest, sources]) => [dest, new Set(sources)]),
  );
}
