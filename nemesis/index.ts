// The nemesis: faultline's faults, and the one public entry to them.
//
// A fault is planned as data, applied through Remote only, and always healed. Partitions are grudges (who
// drops whom), made by pure topology functions and applied with iptables DROP on the receiving node in
// faultline's own chain. Packet faults use tc netem where the kernel has it, and otherwise fall back (loss:
// iptables statistic; rate: tbf) or are reported unavailable with the reason, never skipped silently. Clock
// faults skew the system's processes through libfaketime's control file (never the container's clock,
// which is the host's). Kills and pauses go through the system's lifecycle hooks. A seeded, pure schedule
// says when; runNemesisSchedule carries it out and records every start and stop in the history; healAll
// removes anything faultline could have left, including after a crash of the harness. Each fault kind is one
// package in faults/ (what it needs, how it is drawn, started, stopped and labelled), listed in faults/registry.ts.
export type { Grudge } from './grudge.ts';
export type { Rng } from './rng.ts';
export type { TopologySpec, TopologyContext } from './topologies.ts';
export type { NodeSelector } from './nodeSelection.ts';
export type {
  AvailabilityOptions,
  FaultAvailability,
  FaultName,
  KernelFeatures,
  PacketBehaviorName,
  ProbedFeatures,
} from './faultAvailability.ts';
export type { ApplyGrudgeOptions } from './faults/partition.ts';
export type { PacketBehaviors, PacketPlan } from './faults/packet.ts';
export type { ClockEnvOptions, ClockFault, ClockOptions } from './faults/clock.ts';
export type { ProcessHooks, RestartOptions } from './faults/process.ts';
export type { FaultKind, FaultPlan, PlannedFault, PlannedTargets, ScheduledEvent, ScheduleSpec } from './schedule.ts';
export type { FaultContext, FaultPackage, PreparedStart, SystemNetworkFaults } from './faults/faultPackage.ts';
export { noKernelFeatures } from './faults/faultPackage.ts';
export type { FaultCampaignSpec } from './faults/registry.ts';
export type { NemesisRecorder, NemesisRunOptions, NemesisRunSummary } from './nemesisRunner.ts';
export type { HealAllOptions, NodeHealReport } from './healAll.ts';

export { completeGrudge, emptyGrudge, explicitGrudge, grudgeProblems, isHealed, visibleFrom } from './grudge.ts';
export {
  bisect,
  bridge,
  grudgeFor,
  isolateNode,
  isolatePrimaries,
  majority,
  minorityThird,
  partitionHalves,
  partitionMajoritiesRing,
  partitionMinorityThird,
  partitionRandomHalves,
  partitionRandomNode,
  topologyNames,
  topologyProblems,
} from './topologies.ts';
export { nodeSelectorNames, nodeSelectorProblems, selectNodes } from './nodeSelection.ts';
export {
  describeUnavailable,
  faultAvailability,
  faultNames,
  kernelFeaturesFromProbe,
  packetBehaviorNames,
} from './faultAvailability.ts';
export { applyGrudge, healPartition } from './faults/partition.ts';
export { applyPacketFault, defaultPacketBehaviors, healPacketFault, planPacketFault } from './faults/packet.ts';
export {
  applyClockFault,
  bumpSystemClock,
  clockEnv,
  defaultClockFile,
  faketimeLibraryPath,
  formatOffset,
  resetClock,
  restoreSystemClock,
} from './faults/clock.ts';
export { killedByFault, killNodes, pauseNodes, processHooksFor, restartNodes, resumeNodes } from './faults/process.ts';
export { fixedScheduleProblems, planSchedule, scheduleProblems } from './schedule.ts';
export type { FixedFault } from './schedule.ts';
export {
  faultCampaignSchema,
  faultColors,
  faultKinds,
  faultPackage,
  faultPackages,
  planFromCampaign,
} from './faults/registry.ts';
export { duration, durationMs, maxDurationMs, positiveDuration } from './faults/campaignParts.ts';
export { runNemesisSchedule } from './nemesisRunner.ts';
export { healAll, healedCleanly, restartKilled } from './healAll.ts';
export { NemesisCommandError } from './nemesisCommandError.ts';
