// Brings up a campaign's nodes on its backend and says how to take them down. Docker: containers on a
// private network (harness/nodes/cluster.ts). Local: folders and processes on this machine. SSH: hosts
// from the campaign.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CampaignSpec } from '../campaign/campaignSchema.ts';
import type { NodeInfo } from '../plugin.ts';
import type { Remote } from '../nodes/remote.ts';
import { createLocalCluster } from '../nodes/localNodes.ts';
import type { StoredSshHost } from './sshHosts.ts';
import { isEmptySystemImage, type SystemImage } from '../nodes/systemImage.ts';

export interface ProvisionedNodes {
  backend: CampaignSpec['nodes']['backend'];
  remotes: Remote[];
  infos: NodeInfo[];
  /** Merged into the system's options: the local backend's per-node ports. */
  extraOptions: Record<string, unknown>;
  /** Takes the nodes down (containers removed, local processes killed). Idempotent. */
  destroy(): Promise<void>;
  /** Closes connections but leaves the nodes running (--keep-nodes). */
  release(): Promise<void>;
}

export interface ProvisionOptions {
  runId: string;
  /** The ssh backend's hosts with every setting resolved (sshHostConfigs). */
  sshHosts?: readonly StoredSshHost[];
  log(message: string): void;
  /** What the user must see, such as a host key accepted unchecked. Default: log. */
  warn?(message: string): void;
  signal: AbortSignal;
  /** The system the nodes are for: docker nodes run its image, ssh hosts get its packages (SystemDefinition.image). */
  system?: { name: string; image?: SystemImage };
  /** Image build progress, for the user to see. Default: log. */
  progress?(line: string): void;
}

export async function provisionNodes(
  spec: CampaignSpec['nodes'],
  options: ProvisionOptions,
): Promise<ProvisionedNodes> {
  const release = (remotes: readonly Remote[]) => async (): Promise<void> => {
    await Promise.all(remotes.map((r) => r.close().catch(() => undefined)));
  };
  switch (spec.backend) {
    case 'local': {
      const cluster = await createLocalCluster(join(tmpdir(), `faultline-local-${options.runId}`), spec.count);
      const packages = options.system?.image?.packages ?? [];
      if (packages.length > 0 && cluster.nodes[0] !== undefined) {
        // This machine is the user's own: faultline installs nothing on it, but says what is missing.
        const { missingPackages } = await import('../nodes/systemImage.ts');
        const missing = await missingPackages(cluster.nodes[0], packages).catch(() => packages);
        if (missing.length > 0)
          (options.warn ?? options.log)(
            `the local backend runs ${options.system!.name} on this machine as it is; it declares packages not installed here: ${missing.join(', ')}`,
          );
      }
      return {
        backend: 'local',
        remotes: cluster.nodes,
        infos: cluster.nodes.map((n) => ({ name: n.name, address: n.address })),
        extraOptions: { ports: cluster.ports },
        destroy: () => cluster.destroy(),
        release: release(cluster.nodes),
      };
    }
    case 'docker': {
      const { createDockerCluster } = await import('../nodes/cluster.ts');
      const progress = (line: string): void => {
        (options.progress ?? options.log)(line);
      };
      let image: string | undefined;
      if (options.system !== undefined && !isEmptySystemImage(options.system.image)) {
        const { ensureSystemImage } = await import('../nodes/systemImage.ts');
        image = await ensureSystemImage({
          system: options.system.name,
          image: options.system.image!,
          onProgress: progress,
          signal: options.signal,
        });
        options.log(`node image for ${options.system.name}: ${image}`);
      }
      const cluster = await createDockerCluster({
        runId: options.runId,
        nodes: spec.count,
        ...(image !== undefined && { image }),
        onProgress: progress,
        signal: options.signal,
      });
      return {
        backend: 'docker',
        remotes: cluster.nodes,
        infos: cluster.nodes.map((n) => ({ name: n.name, address: n.address })),
        extraOptions: {},
        destroy: async () => {
          await release(cluster.nodes)();
          await cluster.destroy();
        },
        release: release(cluster.nodes),
      };
    }
    case 'ssh': {
      if (options.sshHosts === undefined) throw new Error('provisioning ssh nodes needs their resolved settings');
      const { connectSshCluster } = await import('../nodes/sshCluster.ts');
      const cluster = await connectSshCluster(options.sshHosts, {
        onWarning: (m: string) => {
          (options.warn ?? options.log)(m);
        },
      });
      const remotes: Remote[] = cluster.nodes;
      const system = options.system;
      if (system !== undefined && !isEmptySystemImage(system.image)) {
        const { installSystemImageOnHost } = await import('../nodes/systemImage.ts');
        try {
          await Promise.all(
            remotes.map((r) =>
              installSystemImageOnHost(r, {
                system: system.name,
                image: system.image!,
                log: (m) => {
                  options.log(m);
                },
                signal: options.signal,
              }),
            ),
          );
        } catch (e) {
          await release(remotes)();
          throw e;
        }
      }
      // Real machines are not ours to remove: "destroy" only disconnects.
      return {
        backend: 'ssh',
        remotes,
        infos: remotes.map((n) => ({ name: n.name, address: n.address })),
        extraOptions: {},
        destroy: release(remotes),
        release: release(remotes),
      };
    }
  }
}

/** Removes whatever a docker provisioning that failed halfway may have left (labelled with the run id). */
export async function removeLeftovers(backend: CampaignSpec['nodes']['backend'], runId: string): Promise<void> {
  if (backend !== 'docker') return;
  const { removeRunResources } = await import('../nodes/cluster.ts');
  await removeRunResources({ runId });
}
