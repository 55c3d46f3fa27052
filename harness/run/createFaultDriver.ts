// Builds the run's FaultDriver from the campaign's nemesis section, on top of nemesis/: the seeded schedule
// (planSchedule), the runner that applies it and records start/stop events (runNemesisSchedule), and
// healAll. Faults the nodes cannot do are dropped from the schedule and reported as unavailable with why.
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import {
  clockEnv,
  faultAvailability,
  healAll,
  kernelFeaturesFromProbe,
  planSchedule,
  processHooksFor,
  runNemesisSchedule,
  type FaultAvailability,
  type FaultName,
  type FaultPlan,
  type KernelFeatures,
} from '../../nemesis/index.ts';
import type { CampaignSpec, FaultSpec } from '../campaign/campaignSchema.ts';
import { durationMs } from '../campaign/campaignSchema.ts';
import type { RecordInput } from '../history/recorder.ts';
import type { NodeContext, SystemDefinition } from '../plugin.ts';
import type { Remote } from '../nodes/remote.ts';
import { noFaults, type FaultDriver } from './faultDriver.ts';
import { probeKernelFeatures } from '../nodes/features.ts';
import type { ProvisionedNodes } from './provisionNodes.ts';

export interface FaultDriverOptions {
  campaign: CampaignSpec;
  seed: number;
  nodes: ProvisionedNodes;
  system: SystemDefinition;
  nodeContext(node: Remote): NodeContext;
  record(op: RecordInput): unknown;
  log(message: string): void;
}

/** The availability names a campaign fault needs: a packet fault needs each behaviour it may use. */
function namesFor(f: FaultSpec): FaultName[] {
  if (f.kind !== 'packet') return [f.kind];
  const behaviours = f.behaviors ?? [{ delay: { ms: 50 } }, { loss: { percent: 20 } }, { rate: { kbit: 1000 } }];
  return [...new Set(behaviours.flatMap((b) => Object.keys(b) as FaultName[]))];
}

function toPlan(f: FaultSpec): FaultPlan {
  switch (f.kind) {
    case 'partition':
      return { kind: 'partition', ...(f.topologies !== undefined && { topologies: f.topologies }) };
    case 'packet':
      return {
        kind: 'packet',
        ...(f.targets !== undefined && { targets: f.targets }),
        ...(f.behaviors !== undefined && { behaviors: f.behaviors }),
      } as FaultPlan;
    case 'clock':
      return {
        kind: 'clock',
        ...(f.targets !== undefined && { targets: f.targets }),
        ...(f.modes !== undefined && { modes: f.modes }),
        ...(f.maxOffset !== undefined && { maxOffsetMs: durationMs(f.maxOffset) }),
        // The real clock is only bumped (checked when the campaign is loaded).
        ...(f.realClock && f.modes === undefined && { modes: ['bump' as const] }),
      };
    case 'kill':
    case 'pause':
      return { kind: f.kind, ...(f.targets !== undefined && { targets: f.targets }) };
  }
}

const localFeatures: KernelFeatures = {
  netem: false,
  tbf: false,
  htb: false,
  iptables: false,
  statistic: false,
  conntrack: false,
  faketime: false,
};
const localReason = 'the local backend runs every node on this machine; use nodes: {backend: docker} for this fault';

export async function createFaultDriver(o: FaultDriverOptions): Promise<FaultDriver> {
  const requested = o.campaign.nemesis.faults;
  if (requested.length === 0) return noFaults();
  const { remotes, infos, backend } = o.nodes;
  const features =
    backend === 'local' ? localFeatures : kernelFeaturesFromProbe(await probeKernelFeatures(remotes[0]!));
  // Clock faults move the real clock only when the campaign asks (ssh hosts only, checked at load); otherwise
  // they use libfaketime on ssh hosts too, so they need it there.
  const realClock = requested.some((f) => f.kind === 'clock' && f.realClock);
  const availability = new Map<FaultName, FaultAvailability>(
    faultAvailability(features, requested.flatMap(namesFor), {
      backend: backend === 'ssh' && realClock ? 'ssh' : 'docker',
    }).map((a) => [a.fault, a]),
  );
  const unavailable: { fault: string; reason: string }[] = [];
  for (const a of availability.values()) {
    if (!a.available)
      unavailable.push({ fault: a.fault, reason: backend === 'local' ? localReason : (a.reason ?? 'unavailable') });
  }
  const usable = requested.filter((f) => namesFor(f).every((n) => availability.get(n)?.available === true));
  if (usable.length === 0) return noFaults(unavailable);
  const usesFaketime = usable.some((f) => f.kind === 'clock' && !f.realClock);
  const byName = new Map(remotes.map((r) => [r.name, r]));
  const hooks = processHooksFor(
    o.system,
    (name) => o.nodeContext(byName.get(name)!),
    infos,
    o.nodeContext(remotes[0]!).options,
  );
  const active = new Map<string, number>();
  const healOptions = { backend: backend === 'ssh' ? ('ssh' as const) : ('docker' as const) };
  return {
    applied: [...new Set(usable.map((f) => f.kind))],
    unavailable,
    ...(usesFaketime && { clockEnv: clockEnv() }),
    active: () => [...active.entries()].filter(([, n]) => n > 0).map(([k]) => k),
    async run(signal) {
      const windowMs = durationMs(o.campaign.phases.faults);
      const intervalMs = durationMs(o.campaign.nemesis.interval);
      const hold = o.campaign.nemesis.hold;
      // The schedule's own stream: seed + 1, so changing the workload never changes the faults.
      const schedule = planSchedule(
        {
          faults: usable.map(toPlan),
          intervalMs,
          durationMs: windowMs,
          overlap: o.campaign.nemesis.overlap,
          ...(hold !== undefined && { holdMs: durationMs(hold) }),
        },
        infos.map((n) => n.name),
        xoroshiro128plus(o.seed + 1),
      );
      const summary = await runNemesisSchedule({
        schedule,
        remotes,
        recorder: {
          record: (input) => {
            const m = /^(start|stop)-(.+)$/.exec(input.f);
            if (m !== null) active.set(m[2]!, (active.get(m[2]!) ?? 0) + (m[1] === 'start' ? 1 : -1));
            return o.record(input);
          },
        },
        features,
        processes: hooks,
        ...(realClock && { clock: { mode: 'system-clock' as const } }),
        signal,
      });
      for (const e of summary.errors) o.log(`fault ${e.action} of ${e.kind} failed: ${e.message}`);
    },
    async healAll() {
      if (backend === 'local') {
        // Only process faults exist locally: resume anything a pause left stopped.
        await Promise.all(infos.map((n) => hooks.resume(n.name).catch(() => undefined)));
        return;
      }
      const reports = await healAll(remotes, healOptions);
      const errors = reports.flatMap((r) => r.errors.map((e) => `${r.node}: ${e}`));
      if (errors.length > 0) throw new Error(`heal left problems:\n${errors.join('\n')}`);
    },
  };
}
