// What the reference systems' container tests share: a throwaway cluster, and a system brought up on it through
// the plug-in lifecycle exactly as a run does it (install everywhere, start everywhere, wait until each is ready),
// with a node context and a client factory for the test to drive by node name.
import { randomBytes } from 'node:crypto';
import type { Client, NodeContext, NodeInfo, SystemDefinition } from '../../../harness/plugin.ts';
import { createDockerCluster } from '../../../harness/nodes/cluster.ts';
import type { DockerCluster } from '../../../harness/nodes/cluster.ts';
import type { Remote } from '../../../harness/nodes/remote.ts';
import { ensureSystemImage } from '../../../harness/nodes/systemImage.ts';
import { onEveryNode, waitReady } from '../../../harness/run/systemLifecycle.ts';

/**
 * A fresh cluster named `<namePrefix>-…`, labelled with a unique run id; the caller registers `destroy`. Given
 * a system that declares a node image (SystemDefinition image), its nodes run that image, as a run's do.
 */
export async function systemCluster(
  kind: string,
  nodes = 3,
  namePrefix = 'fl-sys2',
  system?: Pick<SystemDefinition, 'name' | 'image'>,
): Promise<DockerCluster> {
  const image =
    system?.image === undefined ? undefined : await ensureSystemImage({ system: system.name, image: system.image });
  return createDockerCluster({
    runId: `${namePrefix}-${kind}-${randomBytes(3).toString('hex')}`,
    nodes,
    namePrefix,
    ...(image !== undefined && { image }),
  });
}

export interface BringUpOptions {
  dataDir: string;
  options?: Record<string, unknown>;
  /** Environment for the system's processes, e.g. clockEnv() to run them under libfaketime. */
  clockEnv?: Record<string, string>;
}

export interface SystemOnCluster {
  names: string[];
  infos: NodeInfo[];
  ctx: (name: string) => NodeContext;
  client: (name: string) => Promise<Client>;
  /** Waits until the system is ready on these nodes again, e.g. after a restart. */
  readyOn: (...names: string[]) => Promise<void>;
}

const readyTimeoutMs = 30_000;

/** Installs and starts `system` on every node of `cluster` and waits until each node is ready, as a run does. */
export async function bringUpSystem(
  cluster: DockerCluster,
  system: SystemDefinition,
  { dataDir, options = {}, clockEnv = {} }: BringUpOptions,
): Promise<SystemOnCluster> {
  const infos: NodeInfo[] = cluster.nodes.map((n) => ({ name: n.name, address: n.address }));
  const names = infos.map((n) => n.name);
  const byName = <T extends { name: string }>(list: readonly T[], name: string): T => {
    const found = list.find((n) => n.name === name);
    if (found === undefined) throw new Error(`no node ${name} in ${names.join(', ')}`);
    return found;
  };
  const context = (node: Remote): NodeContext => ({
    node,
    nodes: infos,
    options,
    clockEnv,
    dataDir,
    log: () => undefined,
  });
  if (system.install !== undefined) await onEveryNode(cluster.nodes, (n) => system.install!(context(n)));
  await onEveryNode(cluster.nodes, (n) => system.start(context(n)));
  const readyOn = (...which: string[]): Promise<void> =>
    waitReady(
      system,
      which.map((n) => byName(cluster.nodes, n)),
      context,
      readyTimeoutMs,
    );
  await readyOn(...names);
  return {
    names,
    infos,
    ctx: (name) => context(byName(cluster.nodes, name)),
    client: (name) => system.client({ node: byName(infos, name), nodes: infos, options }),
    readyOn,
  };
}
