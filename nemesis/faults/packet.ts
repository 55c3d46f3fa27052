// One file, over 400 lines: a fault package is one module (nemesis/faults/registry.ts), and heal must undo
// exactly the tc and iptables layout (handle fa1:, chain FAULTLINE-LOSS) that apply builds here.
// Packet faults: delay with jitter, loss, duplication, corruption, reordering and rate limits on the traffic
// to chosen nodes (Jepsen's net/shape!: on every node, traffic to the targets is shaped; on a target, its
// traffic to every other node). Only traffic to cluster nodes is shaped, so the controller's path is not.
// With netem: an htb root (handle fa1:) whose class fa1:2 holds a netem leaf, with one u32 filter per
// destination. Without netem: loss falls back to iptables `statistic` (chain FAULTLINE-LOSS on OUTPUT), rate
// to a tbf leaf in the same htb tree, and the rest is reported unavailable in the result.
import type { Value } from '../../checkers/history.ts';
import type { Remote } from '../../harness/nodes/remote.ts';
import { z } from 'zod';
import type { FaultAvailability } from '../faultAvailability.ts';
import type { NodeSelector } from '../nodeSelection.ts';
import { pick } from '../rng.ts';
import { toValue } from '../_internals/toValue.ts';
import { targets as campaignTargets } from './campaignParts.ts';
import {
  defaultFaultTargets,
  healedIf,
  nodeListLabel,
  planTargets,
  targetProblems,
  type FaultBackend,
  type FaultPackage,
  type KernelFeatures,
  type SystemNetworkFaults,
  type Mechanism,
  type PlannedTargets,
} from './faultPackage.ts';
import { mustExec, tryExec } from '../_internals/exec.ts';
import { removeChain, replaceChainRules } from '../_internals/iptablesChain.ts';
import { onEveryNode } from '../_internals/onEveryNode.ts';

/** Percentages are 0..100; correlation is netem's (ignored by the fallbacks). */
export interface PacketBehaviors {
  delay?: {
    ms: number;
    jitterMs?: number;
    correlation?: number;
    distribution?: 'normal' | 'pareto' | 'paretonormal' | 'uniform';
  };
  loss?: { percent: number; correlation?: number };
  duplicate?: { percent: number; correlation?: number };
  corrupt?: { percent: number; correlation?: number };
  /** Reordering needs a delay; netem's default one (Jepsen: 50 ms) is added when none is given. */
  reorder?: { percent: number; correlation?: number };
  rate?: { kbit: number };
}

/** Jepsen's all-packet-behaviors defaults. */
export const defaultPacketBehaviors: Required<PacketBehaviors> = {
  delay: { ms: 50, jitterMs: 10, correlation: 25, distribution: 'normal' },
  loss: { percent: 20, correlation: 75 },
  duplicate: { percent: 20, correlation: 75 },
  corrupt: { percent: 20, correlation: 75 },
  reorder: { percent: 20, correlation: 75 },
  rate: { kbit: 1000 },
};

/** The htb handle that marks a root qdisc as faultline's, so heal never deletes anybody else's. */
export const qdiscHandle = 'fa1:';

export const packetBehaviorNames = ['delay', 'loss', 'duplicate', 'corrupt', 'reorder', 'rate'] as const;
export type PacketBehaviorName = (typeof packetBehaviorNames)[number];

export function requestedBehaviors(behaviors: PacketBehaviors): PacketBehaviorName[] {
  return packetBehaviorNames.filter((b) => behaviors[b] !== undefined);
}

/** For each node, the nodes whose traffic it shapes: the targets, or (on a target) every other node. */
export function packetDestinations(nodes: readonly string[], targets: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const node of nodes) {
    out[node] = targets.includes(node) ? nodes.filter((n) => n !== node) : nodes.filter((n) => targets.includes(n));
  }
  return out;
}

const pct = (p: number) => `${p}%`;

/** netem's arguments for these behaviours, e.g. ['delay', '50ms', '10ms', '25%', 'distribution', 'normal']. */
export function netemArgs(b: PacketBehaviors): string[] {
  const args: string[] = [];
  const delay = b.delay ?? (b.reorder !== undefined ? defaultPacketBehaviors.delay : undefined);
  if (delay !== undefined) {
    args.push('delay', `${delay.ms}ms`);
    if (delay.jitterMs !== undefined && delay.jitterMs > 0) {
      args.push(`${delay.jitterMs}ms`);
      if (delay.correlation !== undefined) args.push(pct(delay.correlation));
      if (delay.distribution !== undefined) args.push('distribution', delay.distribution);
    }
  }
  for (const name of ['loss', 'duplicate', 'corrupt', 'reorder'] as const) {
    const v = b[name];
    if (v === undefined) continue;
    args.push(name, pct(v.percent));
    if (v.correlation !== undefined) args.push(pct(v.correlation));
  }
  if (b.rate !== undefined) args.push('rate', `${b.rate.kbit}kbit`);
  return args;
}

/** The tc commands that shape traffic on `dev` to `destinations` with `leaf` (a netem or tbf qdisc spec). */
export function tcShapeCommands(dev: string, destinations: readonly string[], leaf: readonly string[]): string[][] {
  // Both classes are unlimited: the shaping is done by the leaf qdisc under fa1:2 only.
  const unlimited = ['rate', '10gbit', 'quantum', '200000'];
  const htbClass = (classid: string): string[] => [
    'tc',
    'class',
    'add',
    'dev',
    dev,
    'parent',
    qdiscHandle,
    'classid',
    classid,
    'htb',
    ...unlimited,
  ];
  const cmds: string[][] = [
    ['tc', 'qdisc', 'add', 'dev', dev, 'root', 'handle', qdiscHandle, 'htb', 'default', '1'],
    htbClass('fa1:1'),
    htbClass('fa1:2'),
    ['tc', 'qdisc', 'add', 'dev', dev, 'parent', 'fa1:2', 'handle', 'fa2:', ...leaf],
  ];
  for (const d of destinations) {
    cmds.push([
      'tc',
      'filter',
      'add',
      'dev',
      dev,
      'parent',
      qdiscHandle,
      'protocol',
      'ip',
      'prio',
      '1',
      'u32',
      'match',
      'ip',
      'dst',
      `${d}/32`,
      'flowid',
      'fa1:2',
    ]);
  }
  return cmds;
}

/** iptables rules (after `-A FAULTLINE-LOSS`) dropping a share of the packets sent to `destinations`. */
export function lossRules(destinations: readonly string[], percent: number): string[][] {
  const probability = Math.min(1, Math.max(0, percent / 100)).toFixed(4);
  return destinations.map((d) => [
    '-d',
    d,
    '-m',
    'statistic',
    '--mode',
    'random',
    '--probability',
    probability,
    '-j',
    'DROP',
  ]);
}

/** The device that carries traffic to an address, from `ip -o route get ADDR`. */
export function routeDevice(ipRouteGetOutput: string): string | undefined {
  return /\bdev\s+(\S+)/.exec(ipRouteGetOutput)?.[1];
}

/** Whether `tc qdisc show dev D` lists faultline's root qdisc. */
export function hasFaultlineRoot(tcQdiscShowOutput: string): boolean {
  return tcQdiscShowOutput.split('\n').some((l) => /\bqdisc htb fa1: root\b/.test(l));
}

/** How a packet fault is applied here: netem, or the fallbacks; and what cannot be applied, with why. */
export interface PacketPlan {
  /** tc leaf qdisc (after `handle fa2:`), or undefined when tc is not needed. */
  leaf: string[] | undefined;
  /** Loss share done by iptables statistic instead of netem. */
  fallbackLossPercent: number | undefined;
  applied: PacketBehaviorName[];
  unavailable: FaultAvailability[];
}

export function planPacketFault(
  behaviors: PacketBehaviors,
  features: KernelFeatures,
  network?: Pick<SystemNetworkFaults, 'packetBehaviors'>,
): PacketPlan {
  const requested = requestedBehaviors(behaviors);
  const availability = requested.map((fault) => availabilityOf(fault, packetMechanism(fault, features, network)));
  const unavailable = availability.filter((a) => !a.available);
  const applied = availability.filter((a) => a.available).map((a) => a.fault as PacketBehaviorName);
  if (features.netem) {
    const kept: PacketBehaviors = {};
    for (const b of applied) Object.assign(kept, { [b]: behaviors[b] });
    return {
      leaf: applied.length > 0 ? ['netem', ...netemArgs(kept)] : undefined,
      fallbackLossPercent: undefined,
      applied,
      unavailable,
    };
  }
  const rate = applied.includes('rate') ? behaviors.rate : undefined;
  return {
    leaf: rate === undefined ? undefined : ['tbf', 'rate', `${rate.kbit}kbit`, 'burst', '32kbit', 'latency', '400ms'],
    fallbackLossPercent: applied.includes('loss') ? behaviors.loss?.percent : undefined,
    applied,
    unavailable,
  };
}

/**
 * Shapes the traffic to `targets` as `behaviors` says, on every node; returns what was applied and what could
 * not be (with reasons), so the caller records both. Replaces any packet fault already in place.
 */
export async function applyPacketFault(
  remotes: readonly Remote[],
  targets: readonly string[],
  behaviors: PacketBehaviors,
  features: KernelFeatures,
): Promise<PacketPlan> {
  const plan = planPacketFault(behaviors, features);
  const address = new Map(remotes.map((r) => [r.name, r.address]));
  const destinations = packetDestinations([...address.keys()], targets);
  await healPacketFault(remotes);
  await onEveryNode(remotes, async (remote) => {
    const dsts = (destinations[remote.name] ?? []).map((n) => address.get(n)!);
    if (dsts.length === 0) return;
    if (plan.leaf !== undefined) {
      const dev = routeDevice(await mustExec(remote, ['ip', '-o', 'route', 'get', dsts[0]!]));
      if (dev === undefined) throw new Error(`on ${remote.name}: cannot tell which device reaches ${dsts[0]!}`);
      for (const cmd of tcShapeCommands(dev, dsts, plan.leaf)) await mustExec(remote, cmd);
    }
    if (plan.fallbackLossPercent !== undefined) {
      await replaceChainRules(remote, 'FAULTLINE-LOSS', lossRules(dsts, plan.fallbackLossPercent));
    }
  });
  return plan;
}

/** Removes faultline's qdiscs (only those with its handle) and its loss chain on every node; idempotent. */
export async function healPacketFault(remotes: readonly Remote[]): Promise<void> {
  await onEveryNode(remotes, async (remote) => {
    await healPacketFaultOn(remote);
  });
}

/** The same on one node; returns whether anything was there. */
export async function healPacketFaultOn(remote: Remote): Promise<boolean> {
  let found = await removeChain(remote, 'FAULTLINE-LOSS');
  const links = await tryExec(remote, ['ip', '-o', 'link', 'show']);
  if (links.exitCode !== 0) return found;
  for (const dev of linkNames(links.stdout)) {
    const shown = await tryExec(remote, ['tc', 'qdisc', 'show', 'dev', dev]);
    if (shown.exitCode === 0 && hasFaultlineRoot(shown.stdout)) {
      await mustExec(remote, ['tc', 'qdisc', 'del', 'dev', dev, 'root']);
      found = true;
    }
  }
  return found;
}

/** Device names from `ip -o link show` ("2: eth0@if7: <...>" gives eth0). */
export function linkNames(ipLinkOutput: string): string[] {
  return ipLinkOutput
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}

const noNetem =
  "tc netem is not in this kernel (CONFIG_NET_SCH_NETEM is off: 'Specified qdisc kind is unknown'); run on a kernel with netem (most distributions, Docker Desktop)";

/** How one packet behaviour is done on this kernel: netem, a fallback (loss, rate), or not at all. */
export function packetMechanism(
  name: PacketBehaviorName,
  features: KernelFeatures,
  network?: Pick<SystemNetworkFaults, 'packetBehaviors'>,
): Mechanism {
  const yes = (via: string): Mechanism => ({ available: true, via });
  const no = (reason: string): Mechanism => ({ available: false, reason });
  // A system that is its own network shapes its messages itself; tc on the nodes would not reach them.
  if (network !== undefined)
    return network.packetBehaviors.includes(name)
      ? yes("the system's own network")
      : no(`the system's own network does not do ${name} (it does ${network.packetBehaviors.join(', ') || 'none'})`);
  switch (name) {
    case 'loss':
      if (features.netem) return yes('tc netem');
      if (features.iptables && features.statistic) return yes('iptables statistic (fallback: no correlation)');
      return no(`${noNetem}, and the iptables statistic match is not available either`);
    case 'rate':
      if (features.netem) return yes('tc netem');
      if (features.tbf && features.htb) return yes('tc tbf under htb (fallback)');
      return no(`${noNetem}, and tbf/htb are not available either`);
    case 'delay':
    case 'duplicate':
    case 'corrupt':
    case 'reorder':
      return features.netem ? yes('tc netem') : no(`${noNetem}; ${name} has no fallback`);
  }
}

function availabilityOf(fault: PacketBehaviorName, m: Mechanism): FaultAvailability {
  return m.available ? { fault, available: true, via: m.via } : { fault, available: false, reason: m.reason };
}

// The packet fault package: behaviours drawn from the campaign's list, on drawn targets; each behaviour this
// kernel cannot do is left out and recorded as unavailable by name, the others run.

const percent = z.number().min(0).max(100);
const correlated = z.strictObject({ percent, correlation: percent.optional() });
const packetBehaviorsSpec = z
  .strictObject({
    delay: z
      .strictObject({
        ms: z.number().nonnegative(),
        jitterMs: z.number().nonnegative().optional(),
        correlation: percent.optional(),
        distribution: z.enum(['normal', 'pareto', 'paretonormal', 'uniform']).optional(),
      })
      .optional(),
    loss: correlated.optional(),
    duplicate: correlated.optional(),
    corrupt: correlated.optional(),
    reorder: correlated.optional(),
    rate: z.strictObject({ kbit: z.number().positive() }).optional(),
  })
  .describe('Packet behaviours applied together (tc netem where present, iptables/tbf fallbacks otherwise)');

const packetCampaign = z.strictObject({
  kind: z.literal('packet'),
  targets: campaignTargets,
  behaviors: z.array(packetBehaviorsSpec).min(1).optional(),
});

export interface PacketFaultPlan {
  kind: 'packet';
  targets?: readonly NodeSelector[];
  behaviors?: readonly PacketBehaviors[];
}

export interface PlannedPacketFault {
  kind: 'packet';
  targets: PlannedTargets;
  behaviors: PacketBehaviors;
}

const defaultBehaviorChoices: PacketBehaviors[] = [
  { delay: defaultPacketBehaviors.delay },
  { loss: defaultPacketBehaviors.loss },
  { rate: defaultPacketBehaviors.rate },
];

/** Behaviours in words: "50 % loss", "50 ms delay", "1000 kbit/s". */
export function behaviorsLabel(b: PacketBehaviors): string {
  const parts: string[] = [];
  if (b.delay !== undefined) parts.push(`${b.delay.ms} ms delay${b.delay.jitterMs ? ` ±${b.delay.jitterMs} ms` : ''}`);
  if (b.loss !== undefined) parts.push(`${b.loss.percent} % loss`);
  if (b.duplicate !== undefined) parts.push(`${b.duplicate.percent} % duplicated`);
  if (b.corrupt !== undefined) parts.push(`${b.corrupt.percent} % corrupted`);
  if (b.reorder !== undefined) parts.push(`${b.reorder.percent} % reordered`);
  if (b.rate !== undefined) parts.push(`${b.rate.kbit} kbit/s`);
  return parts.join(', ');
}

function keep(b: PacketBehaviors, names: readonly PacketBehaviorName[]): PacketBehaviors {
  const kept: PacketBehaviors = {};
  for (const n of names) Object.assign(kept, { [n]: b[n] });
  return kept;
}

/** What a system's own network said it only approximated, per started fault, until its stop records it. */
const approximations = new WeakMap<PlannedPacketFault, string[]>();

export const packetFault: FaultPackage<'packet', typeof packetCampaign, PacketFaultPlan, PlannedPacketFault> = {
  kind: 'packet',
  description: 'delay, loss, duplicate, corrupt, reorder, rate (tc netem; iptables/tbf fallbacks)',
  color: '#3a9e5c',
  lane: 'packet',
  names: packetBehaviorNames,
  mechanism: (name, features, _backend: FaultBackend, network) =>
    packetMechanism(name as PacketBehaviorName, features, network),
  needs: (plan) => [...new Set((plan.behaviors ?? defaultBehaviorChoices).flatMap(requestedBehaviors))],
  campaign: packetCampaign,
  fromCampaign: (spec) => ({
    kind: 'packet',
    ...(spec.targets !== undefined && { targets: spec.targets }),
    // zod's output marks absent optional keys `| undefined`; the values are the same shape.
    ...(spec.behaviors !== undefined && { behaviors: spec.behaviors as PacketBehaviors[] }),
  }),
  problems: (plan, nodes) => targetProblems('packet', plan.targets ?? defaultFaultTargets, nodes),
  draw: (plan, nodes, rng) => ({
    kind: 'packet',
    targets: planTargets(pick(rng, plan.targets ?? defaultFaultTargets), nodes, rng),
    behaviors: pick(rng, plan.behaviors ?? defaultBehaviorChoices),
  }),
  async prepare(ctx, fault) {
    const nodes = await ctx.resolve(fault.targets);
    const plan = planPacketFault(fault.behaviors, ctx.features, ctx.network);
    const applied = keep(fault.behaviors, plan.applied);
    const missing = plan.unavailable.map((u) => u.fault);
    return {
      nodes,
      detail: {
        nodes,
        behaviors: toValue(fault.behaviors),
        applied: plan.applied,
        unavailable: toValue(plan.unavailable),
      },
      label:
        `${plan.applied.length > 0 ? behaviorsLabel(applied) : 'no packet behaviour'} on ${nodeListLabel(nodes, ctx.names)}` +
        (missing.length > 0 ? ` (${missing.join(', ')} unavailable)` : ''),
      ...(plan.applied.length === 0 && {
        nothingToApply: `none of ${requestedBehaviors(fault.behaviors).join(', ')} can run here: ${plan.unavailable.map((u) => `${u.fault}: ${u.reason ?? 'unavailable'}`).join('; ')}`,
      }),
      apply: async () => {
        if (ctx.network === undefined) await applyPacketFault(ctx.remotes, nodes, fault.behaviors, ctx.features);
        else approximations.set(fault, await ctx.network.shape(nodes, toValue(applied) as Record<string, Value>));
      },
    };
  },
  async stop(ctx, fault, nodes) {
    if (ctx.network === undefined) {
      await healPacketFault(ctx.remotes);
      return { nodes: [...nodes] };
    }
    await ctx.network.shape([], {});
    // What the system's network only approximated (e.g. netem's correlations), said where the fault ends.
    const approximated = approximations.get(fault) ?? [];
    approximations.delete(fault);
    return { nodes: [...nodes], ...(approximated.length > 0 && { approximated }) };
  },
  heal: async (remote) => healedIf(await healPacketFaultOn(remote)),
};
