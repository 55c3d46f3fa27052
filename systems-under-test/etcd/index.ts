// etcd: a real system, Debian's etcd-server 3.4 on each node (declared as its node image), driven through its v3 JSON gateway. It plugs in
// through the same API as the reference systems and a user's own system. See README.md.
import type { NodeContext } from '../../harness/plugin.ts';
import { defineSystem, execOrThrow } from '../../harness/plugin.ts';
import { daemonLifecycle, nodeUrl, requestJson } from '../common/index.ts';
import { etcdClient } from './etcdClient.ts';

const clientPort = 2379;
const peerPort = 2380;

/** etcd's command line on one node; every node starts with the same initial cluster. */
export function etcdArgv(ctx: Pick<NodeContext, 'node' | 'nodes' | 'dataDir'>): string[] {
  const self = ctx.node.address;
  return [
    'etcd',
    '--name',
    ctx.node.name,
    '--data-dir',
    `${ctx.dataDir}/etcd`,
    '--listen-client-urls',
    `http://0.0.0.0:${clientPort}`,
    '--advertise-client-urls',
    `http://${self}:${clientPort}`,
    '--listen-peer-urls',
    `http://0.0.0.0:${peerPort}`,
    '--initial-advertise-peer-urls',
    `http://${self}:${peerPort}`,
    '--initial-cluster',
    ctx.nodes.map((node) => `${node.name}=http://${node.address}:${peerPort}`).join(','),
    // Ignored once the data dir exists, so a restart after kill -9 rejoins rather than re-forms.
    '--initial-cluster-state',
    'new',
    '--initial-cluster-token',
    'faultline',
    '--logger',
    'zap',
    '--log-outputs',
    'stderr',
  ];
}

export default defineSystem({
  name: 'etcd',
  description: "etcd 3.4 (Debian's etcd-server): Raft-replicated KV, reads and writes through the v3 JSON gateway.",
  // Linearizability implies every weaker model the checkers know (checkers/modelHierarchy.ts).
  guarantees: ['linearizable'],
  workloads: ['register', 'key-value'],
  // Docker nodes run the node image plus this package; ssh hosts get it with apt-get.
  image: { packages: ['etcd-server'] },
  // Seen: etcd under the clock env with +1 h logs the real time while `date` under it shows +1 h.
  clockSkewUnavailable: "libfaketime cannot skew etcd's clock: Go reads the time through the vDSO, not libc",
  async install(ctx) {
    const version = await execOrThrow(ctx.node, ['etcd', '--version']);
    ctx.log(`etcd present: ${version.split('\n')[0] ?? ''}`);
    await execOrThrow(ctx.node, ['mkdir', '-p', ctx.dataDir]);
  },
  ...daemonLifecycle({
    system: 'etcd',
    // clockEnv is passed as every system must, though it cannot reach Go's clock (clockSkewUnavailable).
    argv: etcdArgv,
    defaultPort: clientPort,
  }),
  // Ready once the member runs, leader or not. etcd opens its client port only after it has published itself
  // through a leader, which a member restarted on the minority side of a partition cannot do until the
  // partition heals; its peer port serves /version from the start.
  async ready(ctx) {
    const reply = await requestJson(`http://${ctx.node.address}:${peerPort}/version`, undefined, { timeoutMs: 1000 });
    return reply.kind === 'reply' && reply.status === 200;
  },
  /** The member the answering nodes report as leader, by name. */
  async primary(nodes, options) {
    const statuses = await Promise.all(
      nodes.map(async (node) => {
        const url = `${nodeUrl(node, options, clientPort)}/v3/maintenance/status`;
        const reply = await requestJson(url, {}, { timeoutMs: 1000 });
        if (reply.kind !== 'reply' || reply.status !== 200) return undefined;
        const status = reply.body as { header?: { member_id?: string }; leader?: string };
        return { name: node.name, id: status.header?.member_id, leader: status.leader };
      }),
    );
    const leader = statuses.find((s) => s?.leader !== undefined)?.leader;
    return statuses.find((s) => s !== undefined && s.id === leader)?.name;
  },
  client({ node, options }) {
    return Promise.resolve(etcdClient(nodeUrl(node, options, clientPort)));
  },
});
