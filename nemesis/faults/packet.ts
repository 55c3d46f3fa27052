// Packet faults: delay with jitter, loss, duplication, corruption, reordering and rate limits on the traffic
// to chosen nodes (Jepsen's net/shape!: on every node, traffic to the targets is shaped; on a target, its
// traffic to every other node). Only traffic to cluster nodes is shaped, so the controller's path is not.
// With netem: an htb root (handle fa1:) whose class fa1:2 holds a netem leaf, with one u32 filter per
// destination. Without netem: loss falls back to iptables `statistic` (chain FAULTLINE-LOSS on OUTPUT), rate
// to a tbf leaf in the same htb tree, and the rest is reported unavailable in the result.
import type { Remote } from '../../harness/nodes/remote.ts';
import type { KernelFeatures, PacketBehaviorName } from '../faultAvailability.ts';
import { faultAvailability, type FaultAvailability } from '../faultAvailability.ts';
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

export function requestedBehaviors(behaviors: PacketBehaviors): PacketBehaviorName[] {
  return (['delay', 'loss', 'duplicate', 'corrupt', 'reorder', 'rate'] as const).filter(
    (b) => behaviors[b] !== undefined,
  );
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

export function planPacketFault(behaviors: PacketBehaviors, features: KernelFeatures): PacketPlan {
  const requested = requestedBehaviors(behaviors);
  const availability = faultAvailability(features, requested);
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
