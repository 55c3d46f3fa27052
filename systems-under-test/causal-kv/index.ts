// causal-kv as a system under test. Each client talks to the node the harness bound it to, and only to it:
// the session stays with one replica, which is what makes the session guarantees and causality hold.
import { fileURLToPath } from 'node:url';
import type { NodeInfo } from '../../harness/plugin.ts';
import { defineSystem } from '../../harness/plugin.ts';
import { httpOpClient, nodeUrl, peerServerConfig, positiveOption, serverLifecycle } from '../common/index.ts';
import type { CausalKvConfig } from './server.ts';

export const causalKvPort = 7400;
export const causalKvEntry = fileURLToPath(new URL('./server.ts', import.meta.url));

/** The server's command line on one node. Options: port/ports, antiEntropyMs (default 100). */
export function causalKvArgs(node: NodeInfo, nodes: readonly NodeInfo[], options: Record<string, unknown>): string[] {
  const config: CausalKvConfig = {
    ...peerServerConfig(node, nodes, options, causalKvPort),
    antiEntropyMs: positiveOption(options, 'antiEntropyMs', 100),
  };
  return [JSON.stringify(config)];
}

export default defineSystem({
  name: 'causal-kv',
  description:
    'causal store: local reads and writes, vector-clock causal delivery, last-writer-wins by Lamport time (read/write only)',
  guarantees: ['causal-cc', 'causal-ccv', 'session'],
  ...serverLifecycle({
    system: 'causal-kv',
    entry: causalKvEntry,
    defaultPort: causalKvPort,
    args: (ctx) => causalKvArgs(ctx.node, ctx.nodes, ctx.options),
  }),
  client: ({ node, options }) => Promise.resolve(httpOpClient(nodeUrl(node, options, causalKvPort))),
});
