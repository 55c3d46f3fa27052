// commit-kv as a system under test: a key-value store sharded over the nodes (key number mod N), whose
// transactions are committed atomically across shards by two-phase (commit-kv-2pc) or three-phase commit
// (commit-kv-3pc), coordinated by the node the client is bound to. See README.md.
import { fileURLToPath } from 'node:url';
import type { NodeInfo, SystemDefinition } from '../../harness/plugin.ts';
import { defineSystem } from '../../harness/plugin.ts';
import { httpOpClient, nodeUrl, peerServerConfig, positiveOption, serverLifecycle } from '../common/index.ts';
import type { Protocol } from './commitNode.ts';
import { defaultTimeouts } from './commitNode.ts';
import type { CommitKvConfig } from './server.ts';

export const commitKvPort = 7700;
export const commitKvEntry = fileURLToPath(new URL('./server.ts', import.meta.url));

/** The server's command line on one node. Options: port/ports, votesMs, acksMs, participantMs, terminationMs. */
export function commitKvArgs(
  node: NodeInfo,
  nodes: readonly NodeInfo[],
  options: Record<string, unknown>,
  protocol: Protocol,
): string[] {
  if (options['protocol'] !== undefined && options['protocol'] !== protocol) {
    throw new Error(
      `this commit-kv variant runs ${protocol}; choose commit-kv-2pc or commit-kv-3pc by name instead of the protocol option`,
    );
  }
  const config: CommitKvConfig = {
    ...peerServerConfig(node, nodes, options, commitKvPort),
    protocol,
    timeouts: {
      votesMs: positiveOption(options, 'votesMs', defaultTimeouts.votesMs),
      acksMs: positiveOption(options, 'acksMs', defaultTimeouts.acksMs),
      participantMs: positiveOption(options, 'participantMs', defaultTimeouts.participantMs),
      terminationMs: positiveOption(options, 'terminationMs', defaultTimeouts.terminationMs),
    },
  };
  return [JSON.stringify(config)];
}

export function defineCommitKv(
  name: string,
  description: string,
  protocol: Protocol,
  guarantees: string[],
): SystemDefinition {
  return defineSystem({
    name,
    description,
    guarantees,
    ...serverLifecycle({
      system: 'commit-kv',
      entry: commitKvEntry,
      defaultPort: commitKvPort,
      args: (ctx) => commitKvArgs(ctx.node, ctx.nodes, ctx.options, protocol),
    }),
    // The node the harness bound the client to coordinates its txns.
    client: ({ node, options }) => Promise.resolve(httpOpClient(nodeUrl(node, options, commitKvPort))),
  });
}

export const commitKv2pc = defineCommitKv(
  'commit-kv-2pc',
  'sharded store, two-phase commit with strict 2PL: atomic, blocks (locks held) while a coordinator is down (txn only)',
  '2pc',
  ['strict-serializable'],
);

export const commitKv3pc = defineCommitKv(
  'commit-kv-3pc',
  'sharded store, three-phase commit with timeouts: never blocks, but a partition splits a txn (txn only)',
  '3pc',
  [],
);
