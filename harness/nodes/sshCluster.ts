// An ssh run's nodes as a whole: real machines, connected in parallel with shared defaults. Nothing is
// created or removed on them: "destroy" only disconnects.
import { connectSsh } from './ssh.ts';
import type { SshConnectConfig, SshHostConfig, SshRemote } from './ssh.ts';

export interface SshCluster {
  /** In the order the hosts were given. */
  nodes: SshRemote[];
  /** Closes the connections (the machines stay as they are). Safe to call more than once. */
  destroy(): Promise<void>;
}

/**
 * Connects to real machines over ssh, in parallel; `defaults` (user, key, known_hosts, ...) apply to every
 * host that does not set its own. If any host fails, the others are closed and the first error is thrown.
 */
export async function connectSshCluster(
  hosts: readonly SshHostConfig[],
  defaults: Omit<Partial<SshHostConfig>, 'host'> & Pick<SshConnectConfig, 'onWarning'>,
): Promise<SshCluster> {
  const settled = await Promise.allSettled(
    hosts.map((h) => connectSsh({ ...defaults, ...h, onWarning: h.onWarning ?? defaults.onWarning })),
  );
  const nodes = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(nodes.map((n) => n.close()));
    throw failed.reason;
  }
  let closed = false;
  return {
    nodes,
    destroy: async () => {
      if (closed) return;
      closed = true;
      await Promise.all(nodes.map((n) => n.close()));
    },
  };
}
