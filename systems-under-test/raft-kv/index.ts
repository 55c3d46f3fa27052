// raft-kv: the reference system for a linearizable store. See README.md for what it guarantees and how it
// fails; server.ts is the program that runs on each node.
import { fileURLToPath } from 'node:url';
import type { NodeInfo } from '../../harness/plugin.ts';
import { defineSystem } from '../../harness/plugin.ts';
import { httpOpClient, nodePort, nodeUrl, requestJson, serverLifecycle } from '../common/index.ts';

const defaultPort = 7100;

const peerList = (nodes: readonly NodeInfo[], options: Record<string, unknown>): string =>
  nodes.map((node) => `${node.name}=${node.address}:${nodePort(node.name, options, defaultPort)}`).join(',');

export default defineSystem({
  name: 'raft-kv',
  description: 'Raft consensus over a key-value map: reads and writes go through the replicated log.',
  // Linearizability implies every weaker model the checkers know (checkers/modelHierarchy.ts). A txn is one
  // log entry, so txns are strict serializable; the isolation levels are not in that hierarchy, so each is named.
  guarantees: [
    'linearizable',
    'strict-serializable',
    'strong-session-serializable',
    'serializable',
    'strong-session-snapshot-isolation',
    'snapshot-isolation',
    'repeatable-read',
    'transactional-causal',
    'read-atomic',
    'read-committed',
    'read-uncommitted',
  ],
  ...serverLifecycle({
    system: 'raft-kv',
    entry: fileURLToPath(new URL('./server.ts', import.meta.url)),
    defaultPort,
    args: (ctx) => [
      '--id',
      ctx.node.name,
      '--port',
      String(nodePort(ctx.node.name, ctx.options, defaultPort)),
      '--peers',
      peerList(ctx.nodes, ctx.options),
      '--data',
      ctx.dataDir,
    ],
  }),
  /** The node that says it leads in the highest term. */
  async primary(nodes, options) {
    let best: { name: string; term: number } | undefined;
    for (const node of nodes) {
      const reply = await requestJson(`${nodeUrl(node, options, defaultPort)}/health`, undefined, { timeoutMs: 1000 });
      if (reply.kind !== 'reply' || reply.status !== 200) continue;
      const health = reply.body as { role?: unknown; term?: unknown };
      if (
        health.role === 'leader' &&
        typeof health.term === 'number' &&
        (best === undefined || health.term > best.term)
      ) {
        best = { name: node.name, term: health.term };
      }
    }
    return best?.name;
  },
  client({ node, options }) {
    return Promise.resolve(httpOpClient(nodeUrl(node, options, defaultPort)));
  },
});
