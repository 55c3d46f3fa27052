// primary-backup as a system under test: one definition per mode, because what it guarantees depends on the
// mode (see README.md). The campaign may tune timings but not switch the mode under a definition's claims.
import { fileURLToPath } from 'node:url';
import type { ClusterContext, NodeInfo, SystemDefinition } from '../../harness/plugin.ts';
import { defineSystem } from '../../harness/plugin.ts';
import { httpOpClient, nodePort, nodeUrl, requestJson, serverLifecycle } from '../common/index.ts';
import type { PrimaryBackupConfig } from './server.ts';
import type { PrimaryClaim } from './replicaState.ts';
import { compareClaims } from './replicaState.ts';

export const primaryBackupPort = 7200;
export const primaryBackupEntry = fileURLToPath(new URL('./server.ts', import.meta.url));

export interface PrimaryBackupMode {
  reads: 'local' | 'primary';
  replication: 'sync' | 'async';
}

function numberOption(options: Record<string, unknown>, name: string, fallback: number): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`primary-backup option ${name} must be a non-negative number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The server's command line on one node. Options: port/ports, failoverMs, replicationDelayMs, heartbeatMs. */
export function primaryBackupArgs(
  node: NodeInfo,
  nodes: readonly NodeInfo[],
  options: Record<string, unknown>,
  mode: PrimaryBackupMode,
): string[] {
  for (const name of ['reads', 'replication'] as const) {
    if (options[name] !== undefined && options[name] !== mode[name]) {
      throw new Error(
        `this primary-backup variant has ${name}: ${mode[name]}; choose the variant for ${name}: ${JSON.stringify(options[name])} instead (see systems-under-test/primary-backup/README.md)`,
      );
    }
  }
  const config: PrimaryBackupConfig = {
    name: node.name,
    host: node.address,
    port: nodePort(node.name, options, primaryBackupPort),
    nodes: nodes.map((n) => ({ name: n.name, url: nodeUrl(n, options, primaryBackupPort) })),
    reads: mode.reads,
    replication: mode.replication,
    failoverMs: numberOption(options, 'failoverMs', 1000),
    replicationDelayMs: numberOption(options, 'replicationDelayMs', 100),
    heartbeatMs: numberOption(options, 'heartbeatMs', 100),
  };
  return [JSON.stringify(config)];
}

interface NodeStatus {
  claim: PrimaryClaim;
}

/**
 * A node's /status. Asked from the controller first; when that finds no answer (the controller may be cut off
 * from the node by a client partition) and the node's handle is at hand, asked on the node itself, which
 * crosses no network the nemesis cuts.
 */
async function statusOf(
  node: NodeInfo,
  options: Record<string, unknown>,
  cluster: ClusterContext | undefined,
): Promise<NodeStatus | undefined> {
  const url = `${nodeUrl(node, options, primaryBackupPort)}/status`;
  const reply = await requestJson(url, undefined, { timeoutMs: 1000 });
  if (reply.kind === 'reply') return reply.status === 200 ? (reply.body as NodeStatus) : undefined;
  const handle = cluster?.nodes.find((n) => n.name === node.name);
  if (handle === undefined) return undefined;
  // Node 18 on the nodes has fetch; the script prints the body or nothing.
  const script = `fetch(${JSON.stringify(url)},{signal:AbortSignal.timeout(1000)}).then(r=>r.ok?r.text():'').then(t=>process.stdout.write(t),()=>{})`;
  const result = await handle.exec(['node', '-e', script], { timeoutMs: 5000 });
  if (result.exitCode !== 0 || result.stdout.trim() === '') return undefined;
  try {
    return JSON.parse(result.stdout) as NodeStatus;
  } catch {
    return undefined;
  }
}

export function definePrimaryBackup(name: string, mode: PrimaryBackupMode): SystemDefinition {
  const guarantees =
    mode.replication === 'async' ? [] : mode.reads === 'primary' ? ['linearizable', 'sequential'] : ['sequential'];
  return defineSystem({
    name,
    description:
      mode.replication === 'async'
        ? 'primary-backup, asynchronous replication with failover to the lowest-named live node: loses acknowledged writes'
        : `primary-backup, synchronous remote-write replication to every backup, reads at ${mode.reads === 'local' ? "the client's own replica" : 'the primary'}`,
    guarantees,
    ...serverLifecycle({
      system: 'primary-backup',
      entry: primaryBackupEntry,
      defaultPort: primaryBackupPort,
      args: (ctx) => primaryBackupArgs(ctx.node, ctx.nodes, ctx.options, mode),
    }),
    async primary(nodes, options, cluster) {
      let best: PrimaryClaim | undefined;
      for (const node of nodes) {
        const status = await statusOf(node, options, cluster);
        if (status === undefined) continue;
        if (best === undefined || compareClaims(status.claim, best) > 0) best = status.claim;
      }
      return best?.primary;
    },
    // Before faults: every node answers and names the same primary (epoch and node), so a fault aimed at
    // "the primary" hits the one every replica follows, and failover starts from a cluster that agreed.
    async clusterReady(cluster) {
      const claims = await Promise.all(cluster.nodes.map((n) => statusOf(n, cluster.options, cluster)));
      const first = claims[0];
      if (first === undefined) return false;
      const agreed = claims.every((c) => c !== undefined && compareClaims(c.claim, first.claim) === 0);
      if (agreed) cluster.log(`every node follows ${first.claim.primary} (epoch ${first.claim.epoch})`);
      return agreed;
    },
    client: ({ node, options, workload }) => {
      // A store of registers: the set, counter and transactional workloads have no ops here.
      if (workload !== undefined && workload.model !== 'register')
        return Promise.reject(
          new Error(
            `${name} serves the register and key-value workloads (read, write, cas), not ${workload.name}; change the campaign's workload`,
          ),
        );
      return Promise.resolve(httpOpClient(nodeUrl(node, options, primaryBackupPort)));
    },
  });
}

/** Synchronous replication, reads at the client's own replica: sequentially consistent, not linearizable. */
export const primaryBackupLocalReads = definePrimaryBackup('primary-backup', { reads: 'local', replication: 'sync' });
/** Synchronous replication, reads at the primary: linearizable. */
export const primaryBackupPrimaryReads = definePrimaryBackup('primary-backup-primary-reads', {
  reads: 'primary',
  replication: 'sync',
});
/** Asynchronous replication with failover: loses acknowledged writes. */
export const primaryBackupAsync = definePrimaryBackup('primary-backup-async', { reads: 'local', replication: 'async' });

export default primaryBackupLocalReads;
