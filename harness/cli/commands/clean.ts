// `faultline clean`: remove what runs left behind on the engine (containers and networks labelled
// faultline.run=...) and on this machine (a local run's processes and folder), and with --images the node
// images and systems' images no longer current. A run is live while its harness holds the run's lock
// (harness/nodes/runLock.ts).
// With --heal --run, heal the faults a crashed run left on its nodes and keep them: a Docker run's containers
// found by label, an ssh run's hosts found in its run directory (ssh-hosts.json) and reached over ssh again,
// a local run's stopped processes resumed. A system a kill fault left down is started again with the run's own
// hooks, loaded from the campaign in its run directory (cleanRestart.ts); when they cannot be loaded, it is
// reported with what to run.
import type { Command } from '@commander-js/extra-typings';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { parseCampaign } from '../../campaign/loadCampaign.ts';
import { join, resolve } from 'node:path';
import { healAll, healedCleanly, killedByFault, restartKilled } from '../../../nemesis/index.ts';
import type { HealAllOptions } from '../../../nemesis/index.ts';
import { attachDockerCluster, removeRunResources } from '../../nodes/cluster.ts';
import { ExitCode, UserError } from '../../errors.ts';
import type { RequestExit } from '../exitRequest.ts';
import { connectEngine, engineAnswers } from '../../nodes/dockerEngine.ts';
import { NODE_IMAGE_REPOSITORY, currentNodeImage } from '../../nodes/nodeImage.ts';
import type { Remote } from '../../nodes/remote.ts';
import { connectSsh } from '../../nodes/ssh.ts';
import { readSshHosts } from '../../run/sshHosts.ts';
import { runFiles, runIdOf } from '../../../results/runDirectory.ts';
import type { NodeHealReport } from '../../../nemesis/index.ts';
import { LocalRemote, healLocalRun, localRunIds, localRunRoot, removeLocalRun } from '../../nodes/localNodes.ts';
import { localRunPorts, runRestart } from './cleanRestart.ts';
import { runLockHeld } from '../../nodes/runLock.ts';
import { SYSTEM_IMAGE_LABEL, isEmptySystemImage, systemImageTagFor } from '../../nodes/systemImage.ts';
import { builtInSystemNames, loadBuiltInSystem } from '../../../systems-under-test/index.ts';

export function registerClean(program: Command, requestExit: RequestExit): void {
  program
    .command('clean')
    .description(
      "Remove what crashed runs left behind: containers and networks labelled by faultline, local nodes' processes and folders",
    )
    .option(
      '--run <id>',
      'only this run, live or not (default: every run whose controller is gone); with --heal also a run directory',
    )
    .option('--store <dir>', 'with --heal: where runs are stored, to find an ssh run by its id', 'store')
    .option('--all', 'also runs whose controller process still runs on this machine')
    .option(
      '--images',
      `also remove ${NODE_IMAGE_REPOSITORY} images other than the current one, and systems' images (faultline-system) other than the built-in systems' current ones`,
    )
    .option(
      '--heal',
      "with --run: heal the faults a crashed run left on its nodes (partitions, packet faults, paused processes, clock offsets) and keep the nodes; a system a kill fault left down is started again with the run's own system hooks (from its campaign), or reported with what to do when they cannot be loaded",
    )
    .option(
      '--campaign <file>',
      "with --heal: the campaign file the run came from, where a relative system path resolves (default: the run directory's copy)",
    )
    .action(async (opts) => {
      if (opts.heal === true) {
        if (opts.run === undefined)
          throw new UserError(
            '--heal needs --run <id>',
            'List runs and their nodes with: faultline cluster ls',
            'usage',
          );
        requestExit({ code: await healRun(opts.run, opts.store, opts.campaign) });
        return;
      }
      // A run directory names its run too (<store>/<campaign>/<timestamp> → <campaign>-<timestamp>).
      const runId = opts.run === undefined ? undefined : runIdNamedBy(opts.run);
      const local = await removeLocalRuns(runId, opts.all === true);
      // A machine that runs only local nodes may have no Docker engine: then there is nothing of it to clean.
      const engine = await engineAnswers();
      const removed = engine
        ? await removeRunResources(runId !== undefined ? { runId } : { includeLive: opts.all === true })
        : { containers: [], networks: [], liveRuns: [] };
      if (!engine) process.stdout.write('no Docker engine answers: only local runs were looked for\n');
      for (const c of removed.containers) process.stdout.write(`removed container ${c}\n`);
      for (const n of removed.networks) process.stdout.write(`removed network ${n}\n`);
      for (const k of local.killed) process.stdout.write(`killed local process ${k}\n`);
      for (const f of local.folders) process.stdout.write(`removed folder ${f}\n`);
      for (const r of [...removed.liveRuns, ...local.liveRuns]) {
        process.stdout.write(
          `kept run ${r}: the process that made it still runs (remove anyway: --run ${r} or --all)\n`,
        );
      }
      if (opts.images === true) {
        const docker = await connectEngine();
        const { tag: current } = await currentNodeImage();
        // Systems' images (SystemDefinition.image): the built-in systems' current ones are kept; a plug-in's
        // image is removed and rebuilt when next needed, as faultline cannot know every plug-in.
        const keep = new Set([...(current !== undefined ? [current] : []), ...(await builtInSystemImageTags(current))]);
        const ours = [
          ...(await docker.listImages({ filters: { reference: [NODE_IMAGE_REPOSITORY] } })),
          ...(await docker.listImages({ filters: { label: [`${SYSTEM_IMAGE_LABEL}=system`] } })),
        ];
        for (const image of ours) {
          // By tag, so an image that shares layers with the current one loses only its name.
          for (const tag of (image.RepoTags ?? []).filter((t) => !keep.has(t) && t !== '<none>:<none>')) {
            try {
              await docker.getImage(tag).remove();
              process.stdout.write(`removed image ${tag}\n`);
            } catch (e) {
              process.stdout.write(
                `kept image ${tag} (${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)})\n`,
              );
            }
          }
        }
      }
      if (
        removed.containers.length === 0 &&
        removed.networks.length === 0 &&
        local.killed.length === 0 &&
        local.folders.length === 0
      ) {
        process.stdout.write(`nothing left behind${opts.run !== undefined ? ` by run '${opts.run}'` : ''}\n`);
      }
    });
}

/** The current image tags of the built-in systems that declare an image (on the current node image). */
async function builtInSystemImageTags(nodeImage: string | undefined): Promise<string[]> {
  if (nodeImage === undefined) return [];
  const tags: string[] = [];
  for (const name of builtInSystemNames()) {
    const system = await loadBuiltInSystem(name);
    if (system?.image === undefined || isEmptySystemImage(system.image)) continue;
    tags.push(await systemImageTagFor({ system: system.name, image: system.image, nodeImage }));
  }
  return tags;
}

/** The node backend a run directory's campaign.yaml names, if it can be read. */
function backendOf(runDir: string): string | undefined {
  try {
    const file = join(runDir, runFiles.campaign);
    return parseCampaign(readFileSync(file, 'utf8'), file).campaign.nodes.backend;
  } catch {
    return undefined;
  }
}

/** The run id `run` names: itself, or that of the run directory it is (`<campaign>-<timestamp>`). */
function runIdNamedBy(run: string): string {
  return existsSync(join(run, runFiles.campaign)) ? runIdOf(resolve(run)) : run;
}

/**
 * What local runs left: with a run id, that run's processes and folder, live or not; without, those of every
 * local run whose harness is gone (its lock is not held), or every one with `all`.
 */
async function removeLocalRuns(
  runId: string | undefined,
  all: boolean,
): Promise<{ killed: string[]; folders: string[]; liveRuns: string[] }> {
  const out = { killed: [] as string[], folders: [] as string[], liveRuns: [] as string[] };
  for (const id of runId !== undefined ? [runId] : localRunIds()) {
    if (runId === undefined && !all && (await runLockHeld(id))) {
      out.liveRuns.push(id);
      continue;
    }
    const removed = await removeLocalRun(id);
    out.killed.push(...removed.killed);
    if (removed.folder !== undefined) out.folders.push(removed.folder);
  }
  return out;
}

/**
 * The run directory `run` names: a directory itself, or a run id `<campaign>-<timestamp>` (as on a Docker run's
 * labels) under the store. Undefined when there is none.
 */
function findRunDir(run: string, storeDir: string): string | undefined {
  const isRunDir = (dir: string): boolean => existsSync(join(dir, runFiles.campaign)) && statSync(dir).isDirectory();
  if (isRunDir(run)) return resolve(run);
  const id = /^(.+)-(\d{8}T\d{6}Z-[0-9a-f]{4})$/.exec(run);
  if (id === null) return undefined;
  const dir = join(storeDir, id[1]!, id[2]!);
  return isRunDir(dir) ? resolve(dir) : undefined;
}

/**
 * Prints what was healed, what failed and what is left; returns whether anything is left that heal could not
 * undo (a system a kill fault stopped: only a run has the system's start hook).
 */
function printHealReports(
  reports: readonly NodeHealReport[],
  restart: string,
  /** Why the system's hooks could not be loaded, when they were needed and could not be. */
  notLoaded?: string,
): boolean {
  for (const r of reports) {
    const nothing = r.healed.length === 0 && r.left.length === 0 && r.restarted !== true;
    process.stdout.write(
      `${r.node}: ${r.healed.length > 0 ? `healed ${r.healed.join(', ')}` : nothing ? 'nothing to heal' : 'nothing else to heal'}\n`,
    );
    if (r.restarted === true)
      process.stdout.write(`${r.node}: restarted the system a kill fault left down; it is ready\n`);
    for (const e of r.errors) process.stderr.write(`${r.node}: could not heal: ${e}\n`);
    if (r.left.includes('kill'))
      process.stderr.write(
        `${r.node}: the system is still down: a kill fault stopped it and the run ended before starting it again` +
          `${notLoaded !== undefined ? `; its system could not be loaded to start it (${notLoaded})` : ''}. ${restart}\n`,
      );
  }
  return reports.some((r) => r.left.length > 0);
}

/** What to say when the system cannot be loaded from the run directory: give the campaign it came from. */
function restartHint(runDir: string | undefined, campaignFile: string | undefined): string {
  if (runDir === undefined || campaignFile !== undefined) return '';
  return ` Or give the campaign file the run came from: faultline clean --heal --run ${runDir} --campaign FILE.`;
}

/** Whether any node has a kill marker: only then are the system's hooks needed (and loaded). */
async function anyKilled(remotes: readonly Remote[]): Promise<boolean> {
  const marked = await Promise.all(remotes.map((r) => killedByFault(r).catch(() => false)));
  return marked.some(Boolean);
}

/** The restart hooks for these remotes when a kill left one down, else undefined (with why, if it cannot load). */
async function restartFor(
  runDir: string | undefined,
  remotes: readonly Remote[],
  extraOptions: Record<string, unknown>,
  campaignFile: string | undefined,
): Promise<{ options: Pick<HealAllOptions, 'restart'>; problem?: string }> {
  if (!(await anyKilled(remotes))) return { options: {} };
  if (runDir === undefined) return { options: {}, problem: 'no run directory was found, so no campaign' };
  const r = await runRestart(runDir, remotes, extraOptions, campaignFile);
  return 'problem' in r ? { options: {}, problem: r.problem } : { options: { restart: r.restart } };
}

/**
 * Heals every fault faultline could have left on a run's nodes, as a crashed harness's teardown would have,
 * and starts again what a kill fault left down. The exit code is 255 unless every node healed cleanly.
 */
async function healRun(run: string, storeDir: string, campaignFile: string | undefined): Promise<number> {
  const runDir = findRunDir(run, storeDir);
  const sshHosts = runDir === undefined ? undefined : readSshHosts(runDir);
  if (sshHosts !== undefined) {
    // Every reachable host is healed even when another cannot be reached; the unreachable ones fail the command.
    const connected = await Promise.allSettled(
      sshHosts.map((h) =>
        connectSsh({
          ...h,
          onWarning: (m) => {
            process.stderr.write(`${m}\n`);
          },
        }),
      ),
    );
    const remotes: Remote[] = connected.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
    try {
      const restart = await restartFor(runDir, remotes, {}, campaignFile);
      const reports = await healAll(remotes, { backend: 'ssh', ...restart.options });
      const left = printHealReports(
        reports,
        `Start it again by hand, or run the campaign again (its setup starts every node).${restartHint(runDir, campaignFile)}`,
        restart.problem,
      );
      connected.forEach((c, i) => {
        if (c.status === 'rejected')
          process.stderr.write(
            `${sshHosts[i]!.name}: could not connect, nothing healed there: ${c.reason instanceof Error ? c.reason.message : String(c.reason)}\n`,
          );
      });
      return healedCleanly(reports) && !left && remotes.length === sshHosts.length
        ? ExitCode.valid
        : ExitCode.harnessError;
    } finally {
      await Promise.all(remotes.map((r) => r.close()));
    }
  }
  // Not an ssh run: a Docker run's containers, when an engine answers (an ssh user may have none).
  // A run directory names its run id too (runIdOf).
  const runId = runDir === undefined ? run : runIdOf(runDir);
  // A local run: its nodes are processes here; what a crash can leave is a pause (stopped processes).
  if (existsSync(localRunRoot(runId)) || (runDir !== undefined && backendOf(runDir) === 'local')) {
    const reports = healLocalRun(runId);
    for (const r of reports)
      process.stdout.write(`${r.node}: ${r.healed.length > 0 ? r.healed.join(', ') : 'nothing to heal'}\n`);
    if (reports.length === 0) process.stdout.write(`run '${runId}': no process of its local nodes is left\n`);
    const left = await restartLocalRun(runId, runDir, campaignFile);
    process.stdout.write(`remove its processes and folder with: faultline clean --run ${runId}\n`);
    return left ? ExitCode.harnessError : ExitCode.valid;
  }
  const cluster = (await engineAnswers()) ? await attachDockerCluster(runId) : undefined;
  if (cluster === undefined) {
    const where =
      runDir !== undefined
        ? `its run directory ${runDir} lists no ssh hosts (${runFiles.sshHosts})`
        : `no run directory for it under ${resolve(storeDir)}`;
    throw new UserError(
      `no nodes of run '${run}' were found: no Docker containers labelled with it, and ${where}`,
      'List Docker runs with: faultline cluster ls. For an ssh run, give its run directory, or its id with --store <dir>.',
      'usage',
    );
  }
  const restart = await restartFor(runDir, cluster.nodes, {}, campaignFile);
  const reports = await healAll(cluster.nodes, restart.options);
  const left = printHealReports(
    reports,
    `Remove the nodes with: faultline clean --run ${runId}, then run the campaign again.${restartHint(runDir, campaignFile)}`,
    restart.problem,
  );
  return healedCleanly(reports) && !left ? ExitCode.valid : ExitCode.harnessError;
}

/**
 * A local run's nodes a kill left down (their marker is in the node's folder) are started again with the run's
 * ports, on this machine. Returns whether one is still down.
 */
async function restartLocalRun(
  runId: string,
  runDir: string | undefined,
  campaignFile: string | undefined,
): Promise<boolean> {
  const root = localRunRoot(runId);
  const names = existsSync(root)
    ? readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    : [];
  const remotes = names.map((n) => new LocalRemote(n, join(root, n)));
  const ports = localRunPorts(root);
  const restart = await restartFor(runDir, remotes, ports === undefined ? {} : { ports }, campaignFile);
  if (restart.options.restart === undefined && restart.problem === undefined) return false;
  const reports = await Promise.all(
    remotes.map(async (remote) => {
      const report: NodeHealReport = { node: remote.name, healed: [], errors: [], left: [] };
      if (!(await killedByFault(remote))) return report;
      report.left.push('kill');
      const hooks = restart.options.restart;
      if (hooks !== undefined) await restartKilled(remote, hooks, report);
      return report;
    }),
  );
  return printHealReports(
    reports.filter((r) => r.left.length > 0 || r.restarted === true || r.errors.length > 0),
    `Start it again by hand, or run the campaign again.${restartHint(runDir, campaignFile)}`,
    restart.problem,
  );
}
