// Clock faults. In Docker every container shares the host's wall clock, so setting it (date -s,
// settimeofday) would skew the host and every other container: never done there. Instead the system's
// processes start under libfaketime (NodeContext.clockEnv), which re-reads a control file on every clock
// read; the nemesis writes an offset into that file. Bump = a fixed offset, strobe = the offset flips between
// 0 and delta every period, drift = the offset grows at (rate - 1) seconds per second, reset = '+0'. Strobe
// and drift run as a tiny sh loop on the node (a daemon, so heal can stop it even after a harness crash).
// On ssh hosts the real clock may be set instead (`backend: 'system-clock'`); its offset is kept in a file on
// the node so a later heal can restore it.
import type { Remote } from '../../harness/remote/remote.ts';
import { mustExec, tryExec } from '../_internals/exec.ts';

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
 */
export function clockEnv(options: ClockEnvOptions = {}): Record<string, string> {
  return {
    LD_PRELOAD: options.libraryPath ?? faketimeLibraryPath,
    FAKETIME_TIMESTAMP_FILE: options.timestampFile ?? defaultClockFile,
    FAKETIME_NO_CACHE: '1',
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
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

export type ClockFault =
  | { kind: 'bump'; offsetMs: number }
  | { kind: 'strobe'; deltaMs: number; periodMs: number; durationMs: number }
  | { kind: 'drift'; rate: number };

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

/** ssh hosts only: moves the real clock by `offsetMs`, remembering the total so heal can undo it. */
export async function bumpSystemClock(remote: Remote, offsetMs: number): Promise<void> {
  const before = await readSystemClockOffset(remote);
  const nowNs = BigInt((await mustExec(remote, ['date', '+%s%N'])).trim());
  const target = nowNs / 1_000_000n + BigInt(Math.round(offsetMs));
  await mustExec(remote, ['mkdir', '-p', '/var/lib/faultline']);
  await remote.writeFile(systemClockOffsetFile, `${before + Math.round(offsetMs)}\n`);
  await mustExec(remote, ['date', '-s', `@${target / 1000n}.${String(target % 1000n).padStart(3, '0')}`]);
}

async function readSystemClockOffset(remote: Remote): Promise<number> {
  const shown = await tryExec(remote, ['cat', systemClockOffsetFile]);
  const n = Number(shown.stdout.trim());
  return shown.exitCode === 0 && Number.isFinite(n) ? n : 0;
}

/** ssh hosts only: moves the real clock back by what faultline moved it; nothing when it never did. */
export async function restoreSystemClock(remote: Remote): Promise<boolean> {
  const shown = await tryExec(remote, ['cat', systemClockOffsetFile]);
  if (shown.exitCode !== 0) return false;
  const offset = Number(shown.stdout.trim());
  if (Number.isFinite(offset) && offset !== 0) {
    const nowNs = BigInt((await mustExec(remote, ['date', '+%s%N'])).trim());
    const target = nowNs / 1_000_000n - BigInt(Math.round(offset));
    await mustExec(remote, ['date', '-s', `@${target / 1000n}.${String(target % 1000n).padStart(3, '0')}`]);
  }
  await mustExec(remote, ['rm', '-f', systemClockOffsetFile]);
  return true;
}
