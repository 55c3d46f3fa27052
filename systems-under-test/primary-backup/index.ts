// primary-backup as a system under test: one definition per mode, because what it guarantees depends on the
// mode (see README.md). The campaign may tune timings but not switch the mode under a definition's claims.
import { fileURLToPath } from 'node:url';
import type { NodeInfo, SystemDefinition } from '../../harness/plugin.ts';
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
    async primary(nodes, options) {
      let best: PrimaryClaim | undefined;
      for (const node of nodes) {
        const reply = await requestJson(`${nodeUrl(node, options, primaryBackupPort)}/status`, undefined, {
          timeoutMs: 1000,
        });
        if (reply.kind !== 'reply' || reply.status !== 200) continue;
        const claim = (reply.body as { claim: PrimaryClaim }).claim;
        if (best === undefined || compareClaims(claim, best) > 0) best = claim;
      }
      return best?.primary;
    },
    client: ({ node, options }) => Promise.resolve(httpOpClient(nodeUrl(node, options, primaryBackupPort))),
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
