// The campaign file's schema: one zod definition gives validation with field-level messages, the TypeScript
// type, and campaign.schema.json for editor completion (`# yaml-language-server: $schema=...`).
// Durations are strings like 500ms, 10s, 2m. Unknown keys are errors: a typo must not silently do nothing.
import { z } from 'zod';
import { duration, durationMs, faultCampaignSchema, positiveDuration } from '../../nemesis/index.ts';
import { workloadNames } from '../workloads/index.ts';

// Durations and the fault part come from nemesis/faults/: each fault kind's package declares its own entry.
export { duration, durationMs, maxDurationMs } from '../../nemesis/index.ts';

const systemSpec = z.union([
  z
    .string()
    .min(1)
    .describe('A built-in system name (see `faultline list`) or a path to a module, relative to this file'),
  z.strictObject({
    name: z
      .string()
      .min(1)
      .describe('A built-in system name (see `faultline list`) or a path to a .ts/.js module, relative to this file'),
    options: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("The system's own options, passed to every lifecycle hook and client"),
  }),
]);

// Connection settings an ssh host may set for itself; given on `nodes`, they apply to every host that does not.
// Relative paths are relative to the campaign file; ~/ is the home directory.
const sshSettings = {
  user: z.string().min(1).optional().describe('Login user; default root. Any other user needs NOPASSWD sudo'),
  privateKeyPath: z.string().min(1).optional().describe('Default ~/.ssh/id_ed25519, then ~/.ssh/id_rsa'),
  knownHostsPath: z
    .string()
    .min(1)
    .optional()
    .describe("The hosts' keys are checked against this file; default ~/.ssh/known_hosts"),
  acceptNewHostKeys: z
    .boolean()
    .optional()
    .describe(
      "Trust a host key never seen before and record it in known_hosts (ssh's StrictHostKeyChecking=accept-new); a changed key is always refused. Default false",
    ),
};

/** A node name, safe as a path segment (logs/<node>/) and in a shell: no '/', '..', NUL or spaces. */
export const safeNodeName = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

const sshHost = z.strictObject({
  host: z.string().min(1).describe('Host name or address, as this machine and the other nodes reach it'),
  name: z
    .string()
    .regex(safeNodeName, {
      message: 'letters, digits, dash and underscore, at most 63 characters, starting with a letter or digit',
    })
    .optional()
    .describe('Node name in the history and report (it names a log folder); default n1, n2, ...'),
  port: z.number().int().min(1).max(65535).default(22),
  ...sshSettings,
});

const nodesSpec = z.discriminatedUnion('backend', [
  z.strictObject({
    backend: z.literal('docker').describe('Containers n1..nN on a private network (the default)'),
    count: z.number().int().min(1).max(15).default(3),
  }),
  z.strictObject({
    backend: z
      .literal('local')
      .describe('Processes on this machine, one folder per node (no Docker; network and clock faults unavailable)'),
    count: z.number().int().min(1).max(15).default(3),
  }),
  z.strictObject({
    backend: z.literal('ssh').describe('Real machines reached over SSH with key auth'),
    hosts: z.array(sshHost).min(1),
    ...sshSettings,
  }),
]);

const mix = z
  .record(z.string(), z.number().nonnegative())
  .describe('Relative weights of the workload ops, e.g. {read: 2, write: 1, cas: 1}');

const workloadSpec = z.strictObject({
  name: z.enum(workloadNames).describe(`${workloadNames.slice(0, -1).join(', ')} or ${workloadNames.at(-1)!}`),
  keys: z.number().int().min(1).max(10_000).default(5).describe('Number of keys (not for register)'),
  mix: mix.optional(),
  uniqueValues: z.boolean().default(true).describe('Every written value is unique (keeps checking polynomial)'),
  valueRange: z.number().int().min(1).default(5).describe('With uniqueValues false: values drawn from 0..valueRange-1'),
  maxTxnLength: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(4)
    .describe('list-append, rw-register: micro-ops per transaction, at most'),
});

const clientsSpec = z.strictObject({
  concurrency: z.number().int().min(1).max(1000).default(5).describe('Concurrent client processes'),
  rate: z.number().positive().optional().describe('Total ops per second over all clients; unlimited when absent'),
  timeout: positiveDuration('every op would time out at once')
    .default('2s')
    .describe('Per-op timeout; a timed-out op is recorded as info'),
});

const phasesSpec = z.strictObject({
  warmup: duration.default('5s').describe('Client traffic before any fault'),
  faults: duration.default('20s').describe('The fault window: the nemesis schedule runs'),
  heal: duration.default('2s').describe('Every fault is healed at its start; traffic continues'),
  recovery: duration.default('5s').describe('Traffic after healing, for the system to recover'),
  quiesce: duration
    .default('0s')
    .describe(
      'No traffic, before the final reads: time for an eventually consistent system to converge, so an update acknowledged just before them is not taken for lost',
    ),
  finalReads: duration.default('10s').describe('Budget for every client to read every key once successfully'),
});

const sizePattern = /^(\d+(?:\.\d+)?)(B|KiB|MiB|GiB)$/;
const sizeUnits = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 } as const;

/** Bytes in a size such as 512MiB or 2GiB (binary units only: MB against MiB would be a guess). */
export function sizeBytes(text: string): number {
  const m = sizePattern.exec(text);
  if (m === null) throw new Error(`not a size: ${text}`);
  return Math.round(Number(m[1]) * sizeUnits[m[2] as keyof typeof sizeUnits]);
}

const size = z
  .string()
  .regex(sizePattern, { message: 'a size like 512MiB or 2GiB (units B, KiB, MiB, GiB)' })
  .refine((text) => !sizePattern.test(text) || sizeBytes(text) > 0, { message: 'must be more than 0' })
  .describe('A size: a number followed by B, KiB, MiB or GiB (e.g. 512MiB, 2GiB)');

// Budgets of the analysis after the run; a budget that runs out makes that checker `unknown`, never valid.
const checkingSpec = z.strictObject({
  timeBudget: positiveDuration('every check would give up at once')
    .optional()
    .describe('Per checker: past it the verdict is unknown with what was decided. Default 2m'),
  memoryBudget: size.optional().describe("Per checker's search memory: past it the verdict is unknown. Default none"),
});

// What a campaign exists to show, read by `faultline matrix` (and its tests): the checkers that must hold and
// those whose violation it must catch, with where that expectation comes from. `faultline run` ignores it.
const expectSpec = z.strictObject({
  holds: z
    .array(z.string().min(1))
    .default([])
    .describe('Checker names the system claims: each must be valid (unknown counts as not shown)'),
  violates: z
    .array(z.string().min(1))
    .default([])
    .describe('Checker names whose violation the campaign should catch; a miss is reported with its catch rate'),
  anomalies: z
    .array(z.string().min(1))
    .optional()
    .describe('Anomaly types (any one of them) a caught violation should show, e.g. G2-item, lost-update'),
  minOk: z.number().int().min(0).optional().describe('Fewest ok ops for the verdicts to mean something'),
  source: z
    .string()
    .optional()
    .describe("Where the expectation comes from: the system's documentation or a public analysis, by name and URL"),
});

/** One kind of fault the schedule may draw: the union of the fault packages' parts (nemesis/faults/registry.ts). */
export const faultSpec = faultCampaignSchema;

const nemesisSpec = z.strictObject({
  faults: z.array(faultSpec).default([]).describe('The faults to draw from; empty: no faults'),
  interval: duration
    .refine((text) => durationMs(text) > 0, {
      message: 'must be more than 0: a 0 interval would start faults in a busy loop',
    })
    .default('5s')
    .describe('Mean quiet time between one fault stopping and the next starting'),
  hold: duration.optional().describe('Mean time a fault stays; default the interval'),
  minHold: positiveDuration('a fault could then be as short as drawn')
    .optional()
    .describe(
      'Shortest time a fault stays, e.g. longer than the failover takes: shorter draws are lengthened, and no fault starts too late in the window to stay this long',
    ),
  schedule: z
    .array(
      z.strictObject({
        start: duration.describe('When the fault starts, from the start of the fault window'),
        stop: duration.describe('When it stops (healed, or restarted after a kill), from the start of the window'),
        fault: z
          .number()
          .int()
          .min(0)
          .optional()
          .describe('Index into nemesis.faults (0 is the first); drawn from them (seeded) when absent'),
      }),
    )
    .min(1)
    .optional()
    .describe('Fixed fault times instead of drawn ones: interval, hold and minHold are then not used'),
  overlap: z.boolean().default(true).describe('Whether faults of different kinds may overlap'),
});

export const campaignSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'letters, digits, dot, dash and underscore' })
      .max(100, { message: 'at most 100 characters (it names a folder)' })
      .describe('Names the store folder: store/<name>/<timestamp>/'),
    description: z.string().optional(),
    system: systemSpec,
    nodes: nodesSpec.default({ backend: 'docker', count: 3 }),
    workload: workloadSpec,
    clients: clientsSpec.prefault({}),
    phases: phasesSpec.prefault({}),
    nemesis: nemesisSpec.prefault({}),
    checkers: z
      .array(z.string().min(1))
      .optional()
      .describe("Checker names (see `faultline list`); default: those that apply to the workload's model"),
    checking: checkingSpec
      .optional()
      .describe('Budgets of the checks; `faultline run --time-budget/--memory-budget` override them'),
    expect: expectSpec
      .optional()
      .describe('What the campaign should show, for `faultline matrix`: checkers that hold, violations caught'),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional()
      .describe('Seed for the workload and fault schedule; random when absent'),
    repetitions: z.number().int().min(1).max(1000).default(1),
    hookTimeout: positiveDuration('every hook would time out at once')
      .default('60s')
      .describe(
        'Budget for each call of a system hook (install, start, ready, stop, kill, pause, resume, primary, client open and close); a hook that exceeds it fails the run, named',
      ),
  })
  .describe('A faultline campaign: a system under test × a workload × a fault schedule × checkers');

export type CampaignInput = z.input<typeof campaignSchema>;
export type CampaignSpec = z.output<typeof campaignSchema>;
export type FaultSpec = z.output<typeof faultSpec>;
export type CampaignExpectation = z.output<typeof expectSpec>;
