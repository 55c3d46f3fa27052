// Running a campaign through the whole harness from an end-to-end test: `bin/faultline.js run` on a campaign
// file (or campaign text written to a temp dir), into a store of its own, and reading back the run's
// results.json. Shared by the linearizable-campaigns and verdict-matrix tests.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { listRuns } from '../../../harness/nodes/cluster.ts';

export const cli = fileURLToPath(new URL('../../../bin/faultline.js', import.meta.url));
/** The repository root, for campaign files given relative to it. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface CheckResult {
  checker: string;
  model: string;
  valid: boolean | 'unknown';
  anomalies: { type: string; explanation?: string }[];
  stats?: Record<string, unknown>;
}

/** The part of results.json these tests read. */
export interface Results {
  campaign: string;
  durationMs: number;
  opCounts: { ok: number; fail: number; info: number };
  faults: { applied: string[]; unavailable: { fault: string; reason: string }[] };
  checks: CheckResult[];
  harness: { status: string };
}

export interface CampaignRun {
  results: Results;
  /** stdout and stderr of the CLI, interleaved. */
  output: string;
  exitCode: number | undefined;
  /** Wall time of the whole `faultline run`, nodes up to nodes down, in ms. */
  wallMs: number;
  /** The run's id, `<campaign name>-<run directory>`: the label on its containers and network. */
  runId: string;
}

export interface RunCampaignOptions {
  /** Prefix of the temp dir holding the store (and the campaign, when given as text). */
  tempPrefix: string;
  /** The campaign's `name:`, which names its folder in the store. */
  name: string;
  /** Either a campaign file (absolute or relative to the repository root) or the campaign's YAML text. */
  campaignFile?: string;
  campaignText?: string;
  /** Kill the CLI (SIGINT, which tears its nodes down like Ctrl-C) after this long; default 500 s. */
  timeoutMs?: number;
}

/**
 * Runs one campaign with `faultline run --store <temp dir>` and returns its single run's results. The temp dir is
 * removed by `cleanup` (register it with t.after). Throws, with the CLI's output, when no run directory appeared.
 */
export async function runCampaignCli(
  options: RunCampaignOptions,
): Promise<{ run: CampaignRun; dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), options.tempPrefix));
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  let campaignPath: string;
  if (options.campaignText !== undefined) {
    campaignPath = path.join(dir, 'campaign.yaml');
    await writeFile(campaignPath, options.campaignText);
  } else if (options.campaignFile !== undefined) {
    campaignPath = path.resolve(repoRoot, options.campaignFile);
  } else {
    throw new Error('runCampaignCli needs campaignFile or campaignText');
  }
  const started = Date.now();
  // On a timeout the CLI gets SIGINT, which tears its nodes down like Ctrl-C does.
  const cliRun = await execa(
    'node',
    [cli, 'run', campaignPath, '--store', path.join(dir, 'store'), '--progress', 'plain', '--no-report'],
    {
      reject: false,
      timeout: options.timeoutMs ?? 500_000,
      killSignal: 'SIGINT',
      forceKillAfterDelay: 60_000,
      all: true,
    },
  );
  const wallMs = Date.now() - started;
  const output = cliRun.all;
  const campaignDir = path.join(dir, 'store', options.name);
  const runs = await readdir(campaignDir, { withFileTypes: true }).then(
    (entries) => entries.filter((e) => e.isDirectory()).map((e) => e.name),
    () => [],
  );
  if (runs.length !== 1 || runs[0] === undefined) {
    await cleanup();
    throw new Error(`expected one run directory in ${campaignDir}, found ${runs.length}\n${output}`);
  }
  const results = JSON.parse(await readFile(path.join(campaignDir, runs[0], 'results.json'), 'utf8')) as Results;
  const runId = `${options.name}-${runs[0]}`;
  return { run: { results, output, exitCode: cliRun.exitCode, wallMs, runId }, dir, cleanup };
}

/**
 * Whether containers or networks of this run are still there. By exact run id: others may be running the same
 * campaign on this engine at the same time.
 */
export async function leftBehind(runId: string): Promise<boolean> {
  return (await listRuns()).includes(runId);
}
