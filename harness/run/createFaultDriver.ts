// Builds the run's FaultDriver from the campaign's nemesis section, on top of nemesis/: the seeded schedule
// (planSchedule), the runner that applies it and records start/stop events (runNemesisSchedule), and
// healAll. Faults the nodes cannot do are dropped from the schedule and reported as unavailable with why; a
// packet fault runs the behaviours this kernel can do and reports the others unavailable by name. What ran is
// read back from the recorded events, not from the plan.
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { faultKindColors, faultsThatRan, readNemesisEvent, type NemesisEvent } from '../../checkers/nemesisEvents.ts';
import {
  clockEnv,
  faultAvailability,
  faultPackage,
  healAll,
  kernelFeaturesFromProbe,
  noKernelFeatures,
  planFromCampaign,
  planSchedule,
  processHooksFor,
  runNemesisSchedule,
  type FaultAvailability,
  type FixedFault,
  type FaultName,
  type SystemNetworkFaults,
} from '../../nemesis/index.ts';
import type { CampaignSpec, FaultSpec } from '../campaign/campaignSchema.ts';
import { durationMs } from '../campaign/campaignSchema.ts';
import type { RecordInput } from '../history/recorder.ts';
import type { NodeContext, SystemDefinition } from '../plugin.ts';
import type { Remote } from '../nodes/remote.ts';
import { noFaults, type FaultDriver } from './faultDriver.ts';
import { probeKernelFeatures } from '../nodes/features.ts';
import { controllerAddressFor } from './controllerAddress.ts';
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
  return faultPackage(f.kind).needs(planFromCampaign(f, durationMs));
}

/**
 * Whether the fault can run here: every name it needs, except that a packet fault runs with whatever behaviours
 * are available (each drawn behaviour set that has none left is recorded as a failed start, by name).
 */
export function usableHere(f: FaultSpec, available: (name: FaultName) => boolean): boolean {
  const names = namesFor(f);
  return f.kind === 'packet' ? names.some(available) : names.every(available);
}

/** The availability names a system's own network takes over: partitions and every packet behaviour. */
const networkFaultNames = new Set<string>([...faultPackage('partition').names, ...faultPackage('packet').names]);
const localReason = 'the local backend runs every node on this machine; use nodes: {backend: docker} for this fault';

/**
 * The campaign's fixed fault times for the schedule, their fault indices moved from the campaign's list to the
 * list of faults usable here; an entry naming a fault that is unavailable here is left out, and said so.
 */
export function fixedEntries(
  schedule: CampaignSpec['nemesis']['schedule'],
  requested: readonly FaultSpec[],
  usable: readonly FaultSpec[],
  log: (message: string) => void,
): FixedFault[] | undefined {
  if (schedule === undefined) return undefined;
  return schedule.flatMap((entry, i) => {
    const times = { startMs: durationMs(entry.start), stopMs: durationMs(entry.stop) };
    if (entry.fault === undefined) return [times];
    const at = usable.indexOf(requested[entry.fault]!);
    if (at === -1) {
      log(`nemesis.schedule.${i} left out: its fault (${requested[entry.fault]?.kind}) is unavailable here`);
      return [];
    }
    return [{ ...times, fault: at }];
  });
}

/**
 * The clock fault's availability once the system has its say: unavailable, with the system's reason, when
 * libfaketime cannot reach its clocks, unless the run moves real clocks instead.
 */
export function clockForSystem(
  clock: FaultAvailability,
  system: Pick<SystemDefinition, 'name' | 'clockSkewUnavailable'>,
  realClock: boolean,
): FaultAvailability {
  if (!clock.available || realClock || system.clockSkewUnavailable === undefined) return clock;
  return {
    fault: clock.fault,
    available: false,
    reason: `${system.name}: ${system.clockSkewUnavailable} (realClock: true on ssh hosts moves the real clock)`,
  };
}

/** The system's own network bound to the run's options, for the nemesis; undefined for a system that has none. */
export function systemNetworkFaults(
  system: SystemDefinition,
  options: Record<string, unknown>,
): SystemNetworkFaults | undefined {
  const network = system.network;
  if (network === undefined) return undefined;
  return {
    packetBehaviors: network.packetBehaviors,
    partition: (grudge) => network.partition(grudge, options),
    shape: (targets, behaviors) => network.shape(targets, behaviors, options),
    heal: () => network.heal(options),
  };
}

export async function createFaultDriver(o: FaultDriverOptions): Promise<FaultDriver> {
  const requested = o.campaign.nemesis.faults;
  if (requested.length === 0) return noFaults();
  const { remotes, infos, backend } = o.nodes;
  const features =
    backend === 'local' ? noKernelFeatures : kernelFeaturesFromProbe(await probeKernelFeatures(remotes[0]!));
  // Clock faults move the real clock only when the campaign asks (ssh hosts only, checked at load); otherwise
  // they use libfaketime on ssh hosts too, so they need it there.
  const realClock = requested.some((f) => f.kind === 'clock' && f.realClock);
  const options = o.nodeContext(remotes[0]!).options;
  const network = systemNetworkFaults(o.system, options);
  const availability = new Map<FaultName, FaultAvailability>(
    faultAvailability(features, requested.flatMap(namesFor), {
      backend: backend === 'ssh' && realClock ? 'ssh' : 'docker',
      ...(network !== undefined && { network }),
    }).map((a) => [a.fault, a]),
  );
  const clock = availability.get('clock');
  if (clock !== undefined) availability.set('clock', clockForSystem(clock, o.system, realClock));
  // The availability backend says how clocks move; a client partition needs to know it is an ssh host.
  if (backend === 'ssh' && availability.has('client-partition'))
    availability.set('client-partition', {
      fault: 'client-partition',
      available: false,
      reason:
        "dropping the controller's packets on an ssh host would cut the harness's own ssh connection (docker only)",
    });
  const unavailable: { fault: string; reason: string }[] = [];
  for (const a of availability.values()) {
    if (!a.available)
      unavailable.push({
        fault: a.fault,
        // A network fault the system's own network does not do has that as its reason, not the backend.
        reason:
          backend === 'local' && !(network !== undefined && networkFaultNames.has(a.fault))
            ? localReason
            : (a.reason ?? 'unavailable'),
      });
  }
  const usable = requested.filter((f) => usableHere(f, (n) => availability.get(n)?.available === true));
  if (usable.length === 0) return noFaults(unavailable);
  const usesFaketime = usable.some((f) => f.kind === 'clock' && !f.realClock);
  const byName = new Map(remotes.map((r) => [r.name, r]));
  const hooks = processHooksFor(o.system, (name) => o.nodeContext(byName.get(name)!), infos, options, {
    nodes: remotes,
    options,
    log: (m) => {
      o.log(m);
    },
  });
  const active = new Map<string, number>();
  const events: NemesisEvent[] = [];
  const healOptions = { backend: backend === 'ssh' ? ('ssh' as const) : ('docker' as const) };
  return {
    // The kinds that ran: a start recorded without error (a fault that was planned but never started is not).
    get applied() {
      return faultsThatRan(events);
    },
    get colors() {
      return faultKindColors(events);
    },
    unavailable,
    ...(usesFaketime && { clockEnv: clockEnv() }),
    active: () => [...active.entries()].filter(([, n]) => n > 0).map(([k]) => k),
    async run(signal) {
      const windowMs = durationMs(o.campaign.phases.faults);
      const intervalMs = durationMs(o.campaign.nemesis.interval);
      const { hold, minHold } = o.campaign.nemesis;
      const fixed = fixedEntries(o.campaign.nemesis.schedule, requested, usable, (m) => {
        o.log(m);
      });
      // The schedule's own stream: seed + 1, so changing the workload never changes the faults.
      const schedule = planSchedule(
        {
          faults: usable.map((f) => planFromCampaign(f, durationMs)),
          intervalMs,
          durationMs: windowMs,
          overlap: o.campaign.nemesis.overlap,
          ...(hold !== undefined && { holdMs: durationMs(hold) }),
          ...(minHold !== undefined && { minHoldMs: durationMs(minHold) }),
          ...(fixed !== undefined && { fixed }),
        },
        infos.map((n) => n.name),
        xoroshiro128plus(o.seed + 1),
      );
      // Client partitions drop the controller's address, as the nodes see it.
      const controllerAddress = usable.some((f) => f.kind === 'client-partition')
        ? await controllerAddressFor(remotes[0]!.address)
        : undefined;
      const summary = await runNemesisSchedule({
        ...(controllerAddress !== undefined && { controllerAddress }),
        ...(minHold !== undefined &&
          fixed === undefined && { minHold: { ms: durationMs(minHold), windowEndsAt: Date.now() + windowMs } }),
        schedule,
        remotes,
        recorder: {
          record: (input) => {
            const event = readNemesisEvent(input);
            if (event !== null) {
              events.push(event);
              active.set(event.fault, (active.get(event.fault) ?? 0) + (event.action === 'start' ? 1 : -1));
            }
            return o.record(input);
          },
        },
        features,
        processes: hooks,
        ...(network !== undefined && { network }),
        ...(realClock && { clock: { mode: 'system-clock' as const } }),
        signal,
      });
      for (const e of summary.errors) o.log(`fault ${e.action} of ${e.kind} failed: ${e.message}`);
      for (const e of summary.skipped)
        o.log(`fault start of ${e.kind} skipped: too late in the fault window to hold minHold (${minHold})`);
    },
    async healAll() {
      await network?.heal();
      if (backend === 'local') {
        // Only process faults exist locally: resume anything a pause left stopped.
        await Promise.all(infos.map((n) => hooks.resume(n.name).catch(() => undefined)));
        return;
      }
      const reports = await healAll(remotes, healOptions);
      for (const r of reports)
        if (r.left.includes('kill')) o.log(`${r.node}: the system a kill fault stopped was not started again`);
      const errors = reports.flatMap((r) => r.errors.map((e) => `${r.node}: ${e}`));
      if (errors.length > 0) throw new Error(`heal left problems:\n${errors.join('\n')}`);
    },
  };
}
