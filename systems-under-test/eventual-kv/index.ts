// eventual-kv as a system under test. Its client does what clients of such stores often do: it spreads its
// operations over the replicas (the next op goes to the next node), so nothing ties a session to one replica.
import { fileURLToPath } from 'node:url';
import type { Client, NodeInfo } from '../../harness/plugin.ts';
import { defineSystem } from '../../harness/plugin.ts';
import { httpOpClient, nodeUrl, peerServerConfig, positiveOption, serverLifecycle } from '../common/index.ts';
import type { EventualKvConfig } from './server.ts';

export const eventualKvPort = 7500;
export const eventualKvEntry = fileURLToPath(new URL('./server.ts', import.meta.url));

/** The server's command line on one node. Options: port/ports, gossipMs (default 500). */
export function eventualKvArgs(node: NodeInfo, nodes: readonly NodeInfo[], options: Record<string, unknown>): string[] {
  const config: EventualKvConfig = {
    ...peerServerConfig(node, nodes, options, eventualKvPort),
    gossipMs: positiveOption(options, 'gossipMs', 500),
  };
  return [JSON.stringify(config)];
}

/** A client that starts at its own node and sends each next op to the next node, round robin. */
export function rotatingClient(node: NodeInfo, nodes: readonly NodeInfo[], options: Record<string, unknown>): Client {
  const start = Math.max(
    0,
    nodes.findIndex((n) => n.name === node.name),
  );
  const order = [...nodes.slice(start), ...nodes.slice(0, start)];
  const clients = order.map((n) => httpOpClient(nodeUrl(n, options, eventualKvPort)));
  let next = 0;
  return {
    invoke(op, signal) {
      const client = clients[next % clients.length]!;
      next++;
      return client.invoke(op, signal);
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}

export default defineSystem({
  name: 'eventual-kv',
  description:
    'eventually consistent store: local reads and writes at whichever replica, last-writer-wins gossip (read/write only)',
  guarantees: [],
  ...serverLifecycle({
    system: 'eventual-kv',
    entry: eventualKvEntry,
    defaultPort: eventualKvPort,
    args: (ctx) => eventualKvArgs(ctx.node, ctx.nodes, ctx.options),
  }),
  client: ({ node, nodes, options }) => Promise.resolve(rotatingClient(node, nodes, options)),
});
