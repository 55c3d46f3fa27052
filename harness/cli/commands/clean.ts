// `faultline clean`: remove what runs left behind on the engine (containers and networks labelled
// faultline.run=...), and with --images the node images no longer current.
import type { Command } from '@commander-js/extra-typings';
import { healAll, healedCleanly } from '../../../nemesis/healAll.ts';
import { attachDockerCluster, removeRunResources } from '../../remote/cluster.ts';
import { ExitCode, UserError } from '../errors.ts';
import { connectEngine } from '../../remote/docker-engine.ts';
import { NODE_IMAGE_REPOSITORY, currentNodeImage } from '../../remote/node-image.ts';

export function registerClean(program: Command): void {
  program
    .command('clean')
    .description('Remove what crashed runs left behind: containers and networks labelled by faultline')
    .option('--run <id>', 'only this run, live or not (default: every run whose controller is gone)')
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
            ExitCode.usage,
          );
        await healRun(opts.run);
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

/** Heals every fault faultline could have left on a run's nodes, as a crashed harness's teardown would have. */
async function healRun(runId: string): Promise<void> {
  const cluster = await attachDockerCluster(runId);
  if (cluster === undefined) {
    throw new UserError(
      `no nodes of run '${runId}' were found`,
      'List runs with: faultline cluster ls',
      ExitCode.usage,
    );
  }
  const reports = await healAll(cluster.nodes);
  for (const r of reports) {
    process.stdout.write(`${r.node}: ${r.healed.length > 0 ? `healed ${r.healed.join(', ')}` : 'nothing to heal'}\n`);
    for (const e of r.errors) process.stderr.write(`${r.node}: could not heal: ${e}\n`);
  }
  if (!healedCleanly(reports)) process.exitCode = ExitCode.harnessError;
}
