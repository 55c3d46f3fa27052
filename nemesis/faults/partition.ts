// Applies a grudge to real nodes: on each receiving node, DROP every packet from the addresses it holds a
// grudge against, in faultline's own chain jumped to from the top of INPUT, so established connections are
// cut as well as new ones; conntrack's entries for those peers are deleted too, so no stateful rule lets an
// old flow back in. Grudges name only cluster nodes, so the controller's path to the nodes is never touched.
import type { Remote } from '../../harness/nodes/remote.ts';
import type { Grudge } from '../grudge.ts';
import { tryExec } from '../_internals/exec.ts';
import { removeChain, replaceChainRules } from '../_internals/iptablesChain.ts';
import { onEveryNode } from '../_internals/onEveryNode.ts';

/** The rules (argv tails after `-A FAULTLINE`) that make a node drop these source addresses. */
export function partitionRules(sources: readonly string[]): string[][] {
  // One rule for all sources keeps apply fast; iptables expands the comma list itself.
  return sources.length === 0 ? [] : [['-s', sources.join(','), '-j', 'DROP']];
}

function addressesOf(remotes: readonly Remote[]): Map<string, string> {
  return new Map(remotes.map((r) => [r.name, r.address]));
}

export interface ApplyGrudgeOptions {
  /**
   * Addresses a node drops on top of its grudge, by node name: e.g. the controller's, to cut it off on
   * purpose. Empty by default, since faultline never cuts its own path to the nodes unless asked.
   */
  extraDrops?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Makes the cluster look like the grudge: each node's FAULTLINE chain is replaced by drops for exactly the
 * nodes it holds a grudge against (an empty list heals that node). Nodes not in `remotes` are not touched.
 */
export async function applyGrudge(
  remotes: readonly Remote[],
  grudge: Grudge,
  options: ApplyGrudgeOptions = {},
): Promise<void> {
  const address = addressesOf(remotes);
  await onEveryNode(remotes, async (remote) => {
    const peers = (grudge[remote.name] ?? []).map((peer) => {
      const a = address.get(peer);
      if (a === undefined) throw new Error(`grudge names '${peer}', which has no Remote in this cluster`);
      return a;
    });
    const sources = [...peers, ...(options.extraDrops?.[remote.name] ?? [])];
    await replaceChainRules(remote, 'FAULTLINE', partitionRules(sources));
    // Best effort: conntrack answers 1 when there was nothing to delete, and may be absent on ssh hosts.
    for (const source of sources) {
      await tryExec(remote, ['conntrack', '-D', '-s', source]);
      await tryExec(remote, ['conntrack', '-D', '-d', source]);
    }
  });
}

/** Removes the partition from every node; idempotent and safe when nothing is there. */
export async function healPartition(remotes: readonly Remote[]): Promise<void> {
  await onEveryNode(remotes, async (remote) => {
    await removeChain(remote, 'FAULTLINE');
  });
}
