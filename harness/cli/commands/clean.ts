// `faultline clean`: remove what runs left behind on the engine (containers and networks labelled
// faultline.run=...), and with --images the node images no longer current. With --heal --run, heal the faults a
// crashed run left on its nodes and keep them: a Docker run's containers found by label, an ssh run's hosts
// found in its run directory (ssh-hosts.json) and reached over ssh again.
import type { Command } from '@commander-js/extra-typings';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { healAll, healedCleanly } from '../../../nemesis/index.ts';
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

export function registerClean(program: Command, requestExit: RequestExit): void {
  program
    .command('clean')
    .description('Remove what crashed runs left behind: containers and networks labelled by faultline')
    .option(
      '--run <id>',
      'only this run, live or not (default: every run whose controller is gone); with --heal also a run directory',
    )
    .option('--store <dir>', 'with --heal: where runs are stored, to find an ssh run by its id', 'store')
    .option('--all', 'also runs whose controller process still runs on this machine')
    .option('--images', `also remove ${NODE_IMAGE_REPOSITORY} images other than the current one`)
    .option(
      '--heal',
      'with --run: heal the faults a crashed run left on its nodes (partitions, packet faults, paused processes, clock offsets) and keep the nodes',
    )
    .action(async (opts) => {
      if (opts.heal === true) {
        if (opts.run === undefined)
          throw new UserError(
            '--heal needs --run <id>',
            'List runs and their nodes with: faultline cluster ls',
            'usage',
          );
        requestExit({ code: await healRun(opts.run, opts.store) });
        return;
      }
      const removed = await removeRunResources(
        opts.run !== undefined ? { runId: opts.run } : { includeLive: opts.all === true },
      );
      for (const c of removed.containers) process.stdout.write(`removed container ${c}\n`);
      for (const n of removed.networks) process.stdout.write(`removed network ${n}\n`);
      for (const r of removed.liveRuns) {
        process.stdout.write(
          `kept run ${r}: the process that made it still runs (remove anyway: --run ${r} or --all)\n`,
        );
      }
      if (opts.images === true) {
        const docker = await connectEngine();
        const { tag: current } = await currentNodeImage();
        for (const image of await docker.listImages({ filters: { reference: [NODE_IMAGE_REPOSITORY] } })) {
          // By tag, so an image that shares layers with the current one loses only its name.
          for (const tag of (image.RepoTags ?? []).filter((t) => t !== current)) {
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
      if (removed.containers.length === 0 && removed.networks.length === 0) {
        process.stdout.write(`nothing left behind${opts.run !== undefined ? ` by run '${opts.run}'` : ''}\n`);
      }
    });
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

function printHealReports(reports: readonly NodeHealReport[]): void {
  for (const r of reports) {
    process.stdout.write(`${r.node}: ${r.healed.length > 0 ? `healed ${r.healed.join(', ')}` : 'nothing to heal'}\n`);
    for (const e of r.errors) process.stderr.write(`${r.node}: could not heal: ${e}\n`);
  }
}

/** Heals every fault faultline could have left on a run's nodes, as a crashed harness's teardown would have. */
/** Heals a crashed run's nodes; the exit code is 255 unless every node healed cleanly. */
async function healRun(run: string, storeDir: string): Promise<number> {
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
      const reports = await healAll(remotes, { backend: 'ssh' });
      printHealReports(reports);
      connected.forEach((c, i) => {
        if (c.status === 'rejected')
          process.stderr.write(
            `${sshHosts[i]!.name}: could not connect, nothing healed there: ${c.reason instanceof Error ? c.reason.message : String(c.reason)}\n`,
          );
      });
      return healedCleanly(reports) && remotes.length === sshHosts.length ? ExitCode.valid : ExitCode.harnessError;
    } finally {
      await Promise.all(remotes.map((r) => r.close()));
    }
  }
  // Not an ssh run: a Docker run's containers, when an engine answers (an ssh user may have none).
  // A run directory names its run id too (runIdOf).
  const runId = runDir === undefined ? run : runIdOf(runDir);
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
  const reports = await healAll(cluster.nodes);
  printHealReports(reports);
  return healedCleanly(reports) ? ExitCode.valid : ExitCode.harnessError;
}
