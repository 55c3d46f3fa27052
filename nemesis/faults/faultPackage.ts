// What one fault kind is: a fault package. Each kind is one module in nemesis/faults/ exporting a FaultPackage,
// listed once in registry.ts; the campaign schema, the schedule, availability, the runner and the report's
// labels and colours all loop over that registry, so adding a fault kind is one module plus its test.
import type { z } from 'zod';
import type { Value } from '../../checkers/history.ts';
import type { Remote } from '../../harness/nodes/remote.ts';
import { nodeSelectorProblems, selectNodes, type NodeSelector } from '../nodeSelection.ts';
import type { Rng } from '../rng.ts';
import type { ProcessHooks } from './process.ts';

/** What the nodes' kernel and image offer the nemesis (as probed on one node). */
export interface KernelFeatures {
  /** `tc qdisc ... netem` works (CONFIG_NET_SCH_NETEM). */
  netem: boolean;
  /** `tc qdisc ... tbf` works. */
  tbf: boolean;
  /** `tc qdisc ... htb` and the u32 classifier work (per-peer shaping). */
  htb: boolean;
  /** iptables runs and may change the filter table (NET_ADMIN). */
  iptables: boolean;
  /** iptables' `statistic` match (random drop). */
  statistic: boolean;
  /** The conntrack tool, to cut established flows. */
  conntrack: boolean;
  /** libfaketime is installed (per-process clocks). */
  faketime: boolean;
}

/** A kernel the nemesis can do nothing with: the local backend's, where every node is this machine. */
export const noKernelFeatures: Readonly<KernelFeatures> = {
  netem: false,
  tbf: false,
  htb: false,
  iptables: false,
  statistic: false,
  conntrack: false,
  faketime: false,
};

/** docker: clocks are skewed per process with libfaketime; ssh: the real clock may be set. */
export type FaultBackend = 'docker' | 'ssh';

/** How one availability name is done here, or why it cannot be. */
export type Mechanism = { available: true; via: string } | { available: false; reason: string };

/**
 * A system that is its own network (every message between its nodes passes through the harness, as
 * Maelstrom's do) takes partitions and packet faults itself: iptables and tc on the nodes would not touch it.
 * Bound to the run: the harness passes the system's options.
 */
export interface SystemNetworkFaults {
  /** The packet behaviours `shape` does, of packetBehaviorNames; the others are unavailable with it. */
  packetBehaviors: readonly string[];
  /** Makes the network look like the grudge (node → the nodes whose messages it drops); {} heals. */
  partition(grudge: Readonly<Record<string, readonly string[]>>): Promise<void>;
  /** Shapes every link of `targets` with the behaviours; resolves what of them it only approximates. */
  shape(targets: readonly string[], behaviors: Record<string, Value>): Promise<string[]>;
  /** Removes every partition and shaping. */
  heal(): Promise<void>;
}

/** Nodes resolved at plan time, or the primary, resolved when the fault starts. */
export type PlannedTargets = { nodes: string[] } | { primary: true };

/** What a package's start and stop may use on the nodes. */
export interface FaultContext {
  remotes: readonly Remote[];
  /** Every node's name, in cluster order. */
  names: readonly string[];
  features: KernelFeatures;
  /** The system's hooks; throws when the run has none (kill, pause and primary targets need them). */
  hooks(): ProcessHooks;
  /** The nodes a planned target means now (the primary is asked for). */
  resolve(targets: PlannedTargets): Promise<string[]>;
  clock: { mode: 'faketime' | 'system-clock'; file?: string };
  readyTimeoutMs?: number;
  /** The address the nodes see the controller's (the clients') packets come from, when the run knows it. */
  controllerAddress?: string;
  /** The system's own network, when it is one: partition and packet act on it instead of the nodes. */
  network?: SystemNetworkFaults;
}

/**
 * A started fault, before it is applied: the nodes it touches, its detail for the history and its label. The
 * runner records the start event, then calls apply, so a harness killed in between leaves the fault in the
 * history (and apply writes whatever the nodes need to heal it, e.g. paused pids, before acting).
 */
export interface PreparedStart {
  nodes: string[];
  detail: Record<string, Value>;
  label: string;
  /** Set when nothing of the fault can run here (e.g. only netem behaviours, no netem): recorded as the error. */
  nothingToApply?: string;
  apply(): Promise<void>;
}

export interface FaultPackage<Kind extends string, Campaign extends z.ZodObject, Plan, Planned> {
  kind: Kind;
  /** What it does, in one line, for `faultline list`. */
  description: string;
  /** One colour per kind, the same in the report's timeline, its plots and the store index. */
  color: string;
  /** Faults in one lane never overlap (they would fight over one mechanism); kill and pause share one. */
  lane: string;
  /** The availability names this kind may need (packet: one per behaviour). */
  names: readonly string[];
  /** How `name` is done on this kernel (or by the system's own network, when it has one), or why not. */
  mechanism(
    name: string,
    features: KernelFeatures,
    backend: FaultBackend,
    network?: Pick<SystemNetworkFaults, 'packetBehaviors'>,
  ): Mechanism;
  /** The names a plan needs: every one must be available for the plan to run in full. */
  needs(plan: Plan): string[];
  /** The campaign file's part for this kind: a strict zod object whose `kind` is this kind. */
  campaign: Campaign;
  /** The campaign entry as a plan; `durationMs` parses the campaign's durations. */
  fromCampaign(spec: z.output<Campaign>, durationMs: (text: string) => number): Plan;
  /** What is wrong with a plan for these nodes, one message each (validation collects them all). */
  problems(plan: Plan, nodes: readonly string[]): string[];
  /** Draws one fault from the plan (pure: same rng, same fault). holdMs is how long it will stay. */
  draw(plan: Plan, nodes: readonly string[], rng: Rng, holdMs: number): Planned;
  /** Resolves targets and describes the fault; nothing is applied until apply(). */
  prepare(ctx: FaultContext, fault: Planned): Promise<PreparedStart>;
  /** Undoes exactly what start applied to `nodes`; resolves the stop event's detail. */
  stop(ctx: FaultContext, fault: Planned, nodes: readonly string[]): Promise<Record<string, Value>>;
  /**
   * Removes whatever this kind may have left on one node, from the node alone (after a crash of the harness
   * too): 'healed' when something was there, 'clean' when nothing was, 'left' when it found something only a
   * run can undo (a system a kill stopped). Idempotent.
   */
  heal(remote: Remote, options: HealOptions): Promise<'healed' | 'clean' | 'left'>;
  /** Healed before the other kinds (a stopped process cannot notice its network heal). */
  healsFirst?: boolean;
}

export interface HealOptions {
  /** 'ssh' also restores a real clock faultline moved. Never 'ssh' for containers: they share the host's clock. */
  backend?: FaultBackend;
  /** The faketime control file, when not the default. */
  clockFile?: string;
}

/** A heal step's answer from whether anything was found. */
export function healedIf(found: boolean): 'healed' | 'clean' {
  return found ? 'healed' : 'clean';
}

/** Node lists in words: "n2-n5" for a run of the cluster's order, else "n1, n3". */
export function nodeListLabel(nodes: readonly string[], order: readonly string[]): string {
  const sorted = [...nodes].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const positions = sorted.map((n) => order.indexOf(n));
  const contiguous = positions.every((p, i) => p >= 0 && (i === 0 || p === positions[i - 1]! + 1));
  if (sorted.length >= 3 && contiguous) return `${sorted[0]!}-${sorted.at(-1)!}`;
  return sorted.join(', ');
}

/** What packet and clock faults draw their targets from when the campaign does not say. */
export const defaultFaultTargets: NodeSelector[] = ['one', 'minority', 'majority', 'all'];

/** Planned targets for a selection: nodes now, or the primary when the fault starts. */
export function planTargets(selector: NodeSelector, nodes: readonly string[], rng: Rng): PlannedTargets {
  return selector === 'primary' ? { primary: true } : { nodes: selectNodes(selector, nodes, { rng }) };
}

/** Selection problems for a kind's targets, prefixed with the kind. */
export function targetProblems(kind: string, selectors: readonly NodeSelector[], nodes: readonly string[]): string[] {
  return selectors.flatMap((s) => nodeSelectorProblems(s, nodes).map((p) => `${kind}: ${p}`));
}
