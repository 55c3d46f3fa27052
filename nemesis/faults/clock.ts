// Clock faults. In Docker every container shares the host's wall clock, so setting it (date -s,
// settimeofday) would skew the host and every other container: never done there. Instead the system's
// processes start under libfaketime (NodeContext.clockEnv), which re-reads a control file on every clock
// read; the nemesis writes an offset into that file. Bump = a fixed offset, strobe = the offset flips between
// 0 and delta every period, drift = the offset grows at (rate - 1) seconds per second, reset = '+0'. Strobe
// and drift run as a tiny sh loop on the node (a daemon, so heal can stop it even after a harness crash).
// On ssh hosts the real clock may be set instead (the nemesis runner's clock mode 'system-clock'); its offset
// is kept in a file on the node so a later heal can restore it.
import { z } from 'zod';
import type { RecordedClockFault } from '../../checkers/nemesisEvents.ts';
import type { Remote } from '../../harness/nodes/remote.ts';
import type { NodeSelector } from '../nodeSelection.ts';
import { pick, randomInt, type Rng } from '../rng.ts';
import { mustExec, tryExec } from '../_internals/exec.ts';
import { toValue } from '../_internals/toValue.ts';
import { duration, targets as campaignTargets } from './campaignParts.ts';
import {
  defaultFaultTargets,
  healedIf,
  nodeListLabel,
  planTargets,
  targetProblems,
  type FaultPackage,
  type PlannedTargets,
} from './faultPackage.ts';

/** Where Debian's libfaketime lives (package libfaketime, amd64). */
export const faketimeLibraryPath = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
/** The control file the system's processes read their offset from. */
export const defaultClockFile = '/var/run/faultline/faketime';
/** The daemon name of the strobe/drift loop. */
export const clockLoopDaemon = 'faultline-clock';
/** On ssh hosts with the real clock moved: how far (ms), so heal can move it back. */
export const systemClockOffsetFile = '/var/lib/faultline/clock-offset-ms';

export interface ClockEnvOptions {
  timestampFile?: string;
  libraryPath?: string;
}

/**
 * The environment a system's processes must start with so the nemesis can skew their clocks. Monotonic
 * clocks are left real: otherwise Node's timers stall when the offset jumps backwards.
 *
 * FAKETIME_FORCE_MONOTONIC_FIX=0: libfaketime 0.9.10 (Debian 12) turns its "monotonic fix" on by itself for
 * glibc 2.30 and later, and then rewrites the deadline of a timed wait on a CLOCK_MONOTONIC condition variable
 * against its faked monotonic time, which (monotonic faking off or not) is wall-clock based: the deadline lands
 * decades in the past and every such wait returns at once. The JVM waits that way, so its threads spin: ZooKeeper
 * took 15-58 s to start instead of 1-4 s here. With the fix off and monotonic clocks real, the deadline the
 * process computed from the real monotonic clock is passed on unchanged, as it should be (upstream fixed the
 * same in libfaketime PR #503). Waits on CLOCK_REALTIME condition variables are translated either way.
 */
export function clockEnv(options: ClockEnvOptions = {}): Record<string, string> {
  return {
    LD_PRELOAD: options.libraryPath ?? faketimeLibraryPath,
    FAKETIME_TIMESTAMP_FILE: options.timestampFile ?? defaultClockFile,
    FAKETIME_NO_CACHE: '1',
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
    FAKETIME_FORCE_MONOTONIC_FIX: '0',
  };
}

/** An offset in ms as libfaketime reads it: '+30', '-600', '+1.5' (seconds; '.' as in the C locale). */
export function formatOffset(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`clock offset must be finite, got ${ms}`);
  const rounded = Math.round(ms);
  const sign = rounded < 0 ? '-' : '+';
  const abs = Math.abs(rounded);
  const whole = Math.floor(abs / 1000);
  const frac = abs % 1000;
  return frac === 0 ? `${sign}${whole}` : `${sign}${whole}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
}

/** Bump = a fixed offset, strobe = flips between 0 and delta, drift = grows at rate - 1 s/s. As recorded. */
export type ClockFault = RecordedClockFault;

// The loop: a constant script, every value a positional argument. $1 mode, $2 file, then per mode:
// strobe $3 delta-ms $4 period-ms $5 duration-ms; drift $3 ppm (rate-1 in millionths) $4 step-ms.
// Each write is a rename, so a process never reads a half-written file.
const CLOCK_LOOP = [
  'mode=$1; file=$2',
  'fmt() { ms=$1; s=+; if [ "$ms" -lt 0 ]; then s=-; ms=$((-ms)); fi; printf "%s%d.%03d\\n" "$s" $((ms / 1000)) $((ms % 1000)); }',
  'now() { echo $(( $(date +%s%N) / 1000000 )); }',
  'put() { fmt "$1" >"$file.tmp" && mv -f "$file.tmp" "$file"; }',
  'secs() { v=$(fmt "$1"); echo "${v#+}"; }',
  'start=$(now)',
  'if [ "$mode" = strobe ]; then',
  '  end=$((start + $5)); on=0; p=$(secs "$4")',
  '  while [ "$(now)" -lt "$end" ]; do',
  '    if [ $on = 0 ]; then put "$3"; on=1; else put 0; on=0; fi',
  '    sleep "$p"',
  '  done',
  '  put 0',
  'else',
  '  p=$(secs "$4")',
  '  while :; do put $(( ($(now) - start) * $3 / 1000000 )); sleep "$p"; done',
  'fi',
].join('\n');

/** The argv of the strobe/drift loop (pure, so tests can check it carries values only as arguments). */
export function clockLoopArgv(fault: Exclude<ClockFault, { kind: 'bump' }>, file: string): string[] {
  const base = ['sh', '-c', CLOCK_LOOP, clockLoopDaemon];
  if (fault.kind === 'strobe') {
    return [
      ...base,
      'strobe',
      file,
      String(Math.round(fault.deltaMs)),
      String(Math.max(1, Math.round(fault.periodMs))),
      String(Math.round(fault.durationMs)),
    ];
  }
  if (!(fault.rate > 0)) throw new RangeError(`clock drift rate must be > 0, got ${fault.rate}`);
  return [...base, 'drift', file, String(Math.round((fault.rate - 1) * 1_000_000)), '100'];
}

/** Returns whether a loop was running. */
async function stopClockLoop(remote: Remote): Promise<boolean> {
  // SIGKILL: the loop must not write once more after the reset below.
  return remote.signalDaemon(clockLoopDaemon, 'SIGKILL');
}

async function writeOffset(remote: Remote, file: string, ms: number): Promise<void> {
  await mustExec(remote, ['mkdir', '-p', file.replace(/\/[^/]*$/, '') || '/']);
  await remote.writeFile(file, `${formatOffset(ms)}\n`);
}

export interface ClockOptions {
  /** Default defaultClockFile. */
  file?: string;
}

/** Starts a clock fault on one node (libfaketime); replaces any clock fault already running there. */
export async function applyClockFault(remote: Remote, fault: ClockFault, options: ClockOptions = {}): Promise<void> {
  const file = options.file ?? defaultClockFile;
  await stopClockLoop(remote);
  if (fault.kind === 'bump') {
    await writeOffset(remote, file, fault.offsetMs);
    return;
  }
  await writeOffset(remote, file, 0);
  await remote.startDaemon({ name: clockLoopDaemon, argv: clockLoopArgv(fault, file) });
}

/**
 * Stops any clock fault on the node: the loop is killed and the offset is back to 0. Idempotent. Resolves
 * whether anything was skewed (a loop running or a non-zero offset).
 */
export async function resetClock(remote: Remote, options: ClockOptions = {}): Promise<boolean> {
  const file = options.file ?? defaultClockFile;
  const looping = await stopClockLoop(remote);
  // Only where a control file exists: creating one on a node that never used faketime would be harmless but noisy.
  const shown = await tryExec(remote, ['cat', file]);
  if (shown.exitCode !== 0) return looping;
  const skewed = Number(shown.stdout.trim()) !== 0;
  if (looping || skewed) await writeOffset(remote, file, 0);
  return looping || skewed;
}

// The real clock (ssh hosts only; never in containers, which share the host's clock). Each step is one
// constant script run as root on the node, values as positional arguments: reading the clock and setting it in
// one process keeps the ssh round trip out of the offset, and the total offset is recorded only once `date -s`
// succeeded, so a heal never "undoes" a move that did not happen. A time sync daemon would fight the fault (and
// then a heal would subtract an offset the daemon already removed): the first bump stops the running ones,
// noting them (each as soon as it is stopped), and the restore starts them again, which also resyncs the clock.
const SET_CLOCK = 'set_clock() { date -s "@$(($1 / 1000)).$(printf %03d $(($1 % 1000)))" >/dev/null; }';
const BUMP_SYSTEM_CLOCK = [
  'offset=$1; file=$2; syncfile=$3; shift 3',
  SET_CLOCK,
  'if [ ! -f "$syncfile" ]; then',
  '  mkdir -p "$(dirname "$syncfile")" && : >"$syncfile" || exit 1',
  '  if command -v systemctl >/dev/null 2>&1; then',
  '    for unit in "$@"; do',
  '      if systemctl is-active --quiet "$unit"; then',
  '        systemctl stop "$unit" || exit 1',
  '        echo "$unit" >>"$syncfile"',
  '      fi',
  '    done',
  '  fi',
  'fi',
  'before=0',
  'if [ -f "$file" ]; then before=$(cat "$file"); fi',
  'case $before in ""|-|*[!0-9-]*) echo "unreadable clock offset in $file: $before" >&2; exit 1;; esac',
  'now=$(date +%s%N) || exit 1',
  'set_clock $((now / 1000000 + offset)) || exit 1',
  'mkdir -p "$(dirname "$file")" && echo $((before + offset)) >"$file"',
].join('\n');
const RESTORE_SYSTEM_CLOCK = [
  'file=$1; syncfile=$2; moved=0',
  SET_CLOCK,
  'if [ -f "$file" ]; then',
  '  offset=$(cat "$file")',
  '  case $offset in ""|-|*[!0-9-]*) echo "unreadable clock offset in $file: $offset" >&2; exit 1;; esac',
  '  if [ "$offset" -ne 0 ]; then',
  '    now=$(date +%s%N) || exit 1',
  '    set_clock $((now / 1000000 - offset)) || exit 1',
  '  fi',
  '  rm -f "$file"; moved=1',
  'fi',
  'if [ -f "$syncfile" ]; then',
  '  for unit in $(cat "$syncfile"); do systemctl start "$unit" || exit 1; done',
  '  rm -f "$syncfile"; moved=1',
  'fi',
  'echo "$moved"',
].join('\n');

/** On ssh hosts with the real clock moved: the time sync services faultline stopped, to start again at heal. */
export const stoppedTimeSyncFile = '/var/lib/faultline/clock-sync-stopped';
/** The systemd units of the usual time sync daemons (Debian/Ubuntu and RHEL names). */
export const timeSyncUnits = ['chrony', 'chronyd', 'systemd-timesyncd', 'ntp', 'ntpd', 'ntpsec', 'openntpd'];

/** The argv that moves the real clock by offsetMs (pure, so tests can check values go only as arguments). */
export function bumpSystemClockArgv(offsetMs: number): string[] {
  if (!Number.isFinite(offsetMs)) throw new RangeError(`clock offset must be finite, got ${offsetMs}`);
  return [
    'sh',
    '-c',
    BUMP_SYSTEM_CLOCK,
    'faultline-clock-bump',
    String(Math.round(offsetMs)),
    systemClockOffsetFile,
    stoppedTimeSyncFile,
    ...timeSyncUnits,
  ];
}

/** The argv that moves the real clock back by the recorded offset and restarts stopped time sync services. */
export function restoreSystemClockArgv(): string[] {
  return ['sh', '-c', RESTORE_SYSTEM_CLOCK, 'faultline-clock-restore', systemClockOffsetFile, stoppedTimeSyncFile];
}

/**
 * ssh hosts only: moves the real clock by `offsetMs` (adding to any move not yet restored), after stopping the
 * time sync services that would undo it; restoreSystemClock undoes both.
 */
export async function bumpSystemClock(remote: Remote, offsetMs: number): Promise<void> {
  await mustExec(remote, bumpSystemClockArgv(offsetMs));
}

/** ssh hosts only: moves the real clock back by what faultline moved it; whether anything was to restore. */
export async function restoreSystemClock(remote: Remote): Promise<boolean> {
  return (await mustExec(remote, restoreSystemClockArgv())).trim() === '1';
}

// The clock fault package: bump, strobe or drift drawn as Jepsen's clock generators do, on drawn targets,
// through libfaketime (or, on ssh hosts asked to, the real clock: bump only).

const clockCampaign = z.strictObject({
  kind: z.literal('clock'),
  targets: campaignTargets,
  modes: z
    .array(z.enum(['bump', 'strobe', 'drift']))
    .min(1)
    .optional(),
  maxOffset: duration.optional().describe('Largest clock offset; default 60s'),
  realClock: z
    .boolean()
    .default(false)
    .describe(
      "ssh hosts only: move the hosts' real clocks (date -s, bump only; running time sync services are stopped meanwhile and restarted at heal) instead of skewing the system's processes with libfaketime",
    ),
});

export interface ClockFaultPlan {
  kind: 'clock';
  targets?: readonly NodeSelector[];
  modes?: readonly ('bump' | 'strobe' | 'drift')[];
  maxOffsetMs?: number;
}

export interface PlannedClockFault {
  kind: 'clock';
  targets: PlannedTargets;
  clock: ClockFault;
}

/** A duration spread exponentially between lo and hi ms, like Jepsen's clock generators. */
function exponential(rng: Rng, loMs: number, hiMs: number): number {
  const lo = Math.log2(Math.max(1, loMs));
  const hi = Math.log2(Math.max(loMs + 1, hiMs));
  const steps = 1000;
  return Math.round(2 ** (lo + ((hi - lo) * randomInt(rng, 0, steps)) / steps));
}

function drawClock(plan: ClockFaultPlan, rng: Rng, holdMs: number): ClockFault {
  const max = plan.maxOffsetMs ?? 60_000;
  const mode = pick(rng, plan.modes ?? ['bump', 'strobe', 'drift']);
  if (mode === 'bump')
    return { kind: 'bump', offsetMs: (randomInt(rng, 0, 1) === 0 ? -1 : 1) * exponential(rng, 10, max) };
  if (mode === 'strobe') {
    return {
      kind: 'strobe',
      deltaMs: exponential(rng, 4, max),
      periodMs: exponential(rng, 10, 1000),
      durationMs: holdMs,
    };
  }
  return { kind: 'drift', rate: pick(rng, [0.5, 0.9, 1.1, 1.5, 2]) };
}

/** A duration in words for labels: "1.5 s", "200 ms". */
function spanLabel(ms: number): string {
  const abs = Math.abs(ms);
  return abs >= 1000 ? `${Math.round(abs / 100) / 10} s` : `${Math.round(abs)} ms`;
}

/** "clock +1.5 s", "clock strobe 0/+200 ms every 50 ms", "clock drift ×1.5". */
export function clockLabel(fault: ClockFault): string {
  if (fault.kind === 'bump') return `clock ${fault.offsetMs < 0 ? '-' : '+'}${spanLabel(fault.offsetMs)}`;
  if (fault.kind === 'strobe') return `clock strobe 0/+${spanLabel(fault.deltaMs)} every ${spanLabel(fault.periodMs)}`;
  return `clock drift ×${fault.rate}`;
}

export const clockFault: FaultPackage<'clock', typeof clockCampaign, ClockFaultPlan, PlannedClockFault> = {
  kind: 'clock',
  description: "clock skew: bump, strobe, drift (libfaketime in the system's processes; the real clock on ssh hosts)",
  color: '#e08a1e',
  lane: 'clock',
  names: ['clock'],
  mechanism(_name, features, backend) {
    if (backend === 'ssh') return { available: true, via: 'date -s (the real clock), restored at heal' };
    return features.faketime
      ? { available: true, via: "libfaketime control file (the system's processes run under NodeContext.clockEnv)" }
      : { available: false, reason: 'libfaketime is not installed on the nodes (Debian: faketime, libfaketime)' };
  },
  needs: () => ['clock'],
  campaign: clockCampaign,
  fromCampaign: (spec, durationMs) => ({
    kind: 'clock',
    ...(spec.targets !== undefined && { targets: spec.targets }),
    ...(spec.modes !== undefined && { modes: spec.modes }),
    ...(spec.maxOffset !== undefined && { maxOffsetMs: durationMs(spec.maxOffset) }),
    // The real clock is only bumped (checked when the campaign is loaded).
    ...(spec.realClock && spec.modes === undefined && { modes: ['bump' as const] }),
  }),
  problems(plan, nodes) {
    const problems = targetProblems('clock', plan.targets ?? defaultFaultTargets, nodes);
    if (plan.maxOffsetMs !== undefined && !(plan.maxOffsetMs >= 10))
      problems.push(`clock: maxOffsetMs must be at least 10 ms, got ${plan.maxOffsetMs}`);
    return problems;
  },
  draw: (plan, nodes, rng, holdMs) => ({
    kind: 'clock',
    targets: planTargets(pick(rng, plan.targets ?? defaultFaultTargets), nodes, rng),
    clock: drawClock(plan, rng, holdMs),
  }),
  async prepare(ctx, fault) {
    const nodes = await ctx.resolve(fault.targets);
    const mode = ctx.clock.mode;
    if (mode === 'system-clock' && fault.clock.kind !== 'bump')
      throw new Error(`clock ${fault.clock.kind} needs faketime; the real clock only supports bump`);
    const file = ctx.clock.file === undefined ? {} : { file: ctx.clock.file };
    const on = ctx.remotes.filter((r) => nodes.includes(r.name));
    return {
      nodes,
      detail: { nodes, clock: toValue(fault.clock), via: mode },
      label: `${nodeListLabel(nodes, ctx.names)} ${clockLabel(fault.clock)}`,
      apply: async () => {
        const c = fault.clock;
        await Promise.all(
          on.map((r) =>
            c.kind === 'bump' && mode === 'system-clock' ? bumpSystemClock(r, c.offsetMs) : applyClockFault(r, c, file),
          ),
        );
      },
    };
  },
  async stop(ctx, _fault, nodes) {
    const file = ctx.clock.file === undefined ? {} : { file: ctx.clock.file };
    await Promise.all(
      ctx.remotes
        .filter((r) => nodes.includes(r.name))
        .map((r) => (ctx.clock.mode === 'system-clock' ? restoreSystemClock(r) : resetClock(r, file))),
    );
    return { nodes: [...nodes] };
  },
  async heal(remote, options) {
    const skewed = await resetClock(remote, options.clockFile === undefined ? {} : { file: options.clockFile });
    const moved = options.backend === 'ssh' ? await restoreSystemClock(remote) : false;
    return healedIf(skewed || moved);
  },
};
