// `faultline clean --heal`: starting again what a kill fault left down. A run directory holds its campaign and
// where that campaign's file was, so the system's hooks load as `faultline run` loaded them (built-in name or
// plug-in module relative to the campaign file, under the campaign's hook timeout), bound to the run's nodes as
// the run bound them (same options, the local backend's ports).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { durationMs } from '../../campaign/campaignSchema.ts';
import { parseCampaign } from '../../campaign/loadCampaign.ts';
import type { NodeContext, NodeInfo, SystemDefinition } from '../../plugin.ts';
import type { Remote } from '../../nodes/remote.ts';
import { resolveSystem } from '../../run/resolveSystem.ts';
import { withHookTimeouts } from '../../run/systemLifecycle.ts';
import { processHooksFor } from '../../../nemesis/index.ts';
import type { HealAllOptions } from '../../../nemesis/index.ts';
import { runFiles } from '../../../results/runDirectory.ts';

/** As long as a run's setup waits for its system to be ready. */
export const restartReadyTimeoutMs = 60_000;

export type RunRestart = { restart: NonNullable<HealAllOptions['restart']> } | { problem: string };

/** The system a run directory's campaign names, with its options; or why it cannot be loaded. */
export async function loadRunSystem(
  runDir: string,
  /**
   * The campaign file the run came from, where a relative plug-in path resolves (default: the one the run
   * recorded, while it is still there; else the run's copy).
   */
  campaignFile?: string,
): Promise<{ system: SystemDefinition; options: Record<string, unknown>; campaignDir: string } | { problem: string }> {
  const copy = join(runDir, runFiles.campaign);
  try {
    const file = campaignFile ?? recordedCampaignFile(runDir) ?? copy;
    const loaded = parseCampaign(readFileSync(copy, 'utf8'), file);
    const spec = loaded.campaign.system;
    const { name, options } = typeof spec === 'string' ? { name: spec, options: {} } : spec;
    const system = await resolveSystem(name, file, loaded.systemAt);
    return {
      system: withHookTimeouts(system, durationMs(loaded.campaign.hookTimeout)),
      options: { ...options },
      campaignDir: dirname(resolve(file)),
    };
  } catch (e) {
    return { problem: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
  }
}

/** The campaign file the run recorded it came from, if the record and the file are both there. */
export function recordedCampaignFile(runDir: string): string | undefined {
  const record = join(runDir, runFiles.campaignSource);
  if (!existsSync(record)) return undefined;
  const file = readFileSync(record, 'utf8').trim();
  return file !== '' && existsSync(file) ? file : undefined;
}

/**
 * The restart hooks for a run's nodes: its system bound to each remote with the context a run gives it
 * (`extraOptions` as the backend added them, e.g. the local backend's ports). No clock env: heal has already
 * removed any clock fault, so the system starts on the real clock.
 */
export async function runRestart(
  runDir: string,
  remotes: readonly Remote[],
  extraOptions: Record<string, unknown> = {},
  campaignFile?: string,
): Promise<RunRestart> {
  const loaded = await loadRunSystem(runDir, campaignFile);
  if ('problem' in loaded) return loaded;
  const { system, campaignDir } = loaded;
  const options = { ...loaded.options, ...extraOptions };
  const infos: NodeInfo[] = remotes.map((r) => ({ name: r.name, address: r.address }));
  const byName = new Map(remotes.map((r) => [r.name, r]));
  const contextFor = (name: string): NodeContext => ({
    node: byName.get(name)!,
    nodes: infos,
    options,
    clockEnv: {},
    dataDir: `/var/lib/faultline/${system.name}`,
    campaignDir,
    log: (m) => {
      process.stderr.write(`${name}: ${m}\n`);
    },
  });
  return {
    restart: { hooks: processHooksFor(system, contextFor, infos, options), readyTimeoutMs: restartReadyTimeoutMs },
  };
}

/** The local backend's per-node ports, as the run gave them (ports.json in the nodes' folder), or none. */
export function localRunPorts(root: string): Record<string, number> | undefined {
  const file = join(root, 'ports.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  } catch {
    return undefined;
  }
}
