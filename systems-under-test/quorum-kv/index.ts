// quorum-kv as a system under test: one definition per mode, since each mode guarantees something different
// (see README.md). Campaigns may set R and W (port, replicaTimeoutMs too) but not switch the mode.
import { fileURLToPath } from 'node:url';
import type { NodeInfo, SystemDefinition } from '../../harness/plugin.ts';
import { defineSystem } from '../../harness/plugin.ts';
import { httpOpClient, nodePort, nodeUrl, serverLifecycle } from '../common/index.ts';
import type { QuorumKvConfig } from './server.ts';

export const quorumKvPort = 7300;
export const quorumKvEntry = fileURLToPath(new URL('./server.ts', import.meta.url));

export interface QuorumKvMode {
  clock: 'wall' | 'logical';
  writeBack: boolean;
  /** Default R and W for n nodes. */
  quorums(n: number): { r: number; w: number };
  /** True when this mode needs R + W > N to keep its claims. */
  intersecting: boolean;
}

const majority = (n: number): { r: number; w: number } => ({ r: Math.floor(n / 2) + 1, w: Math.floor(n / 2) + 1 });

export const quorumKvModes = {
  /** ABD: logical versions, majority quorums, read write-back. Linearizable. */
  abd: { clock: 'logical', writeBack: true, quorums: majority, intersecting: true },
  /** Majority quorums without read write-back: concurrent reads can go back in time. */
  noWriteBack: { clock: 'logical', writeBack: false, quorums: majority, intersecting: false },
  /** R = W = 1: reads miss completed writes. */
  partialQuorums: { clock: 'logical', writeBack: true, quorums: () => ({ r: 1, w: 1 }), intersecting: false },
  /** Last-writer-wins by wall-clock timestamps: clock skew reorders (and so loses) acknowledged writes. */
  lww: { clock: 'wall', writeBack: true, quorums: majority, intersecting: false },
} satisfies Record<string, QuorumKvMode>;

function quorumOption(options: Record<string, unknown>, name: 'r' | 'w', fallback: number, n: number): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > n) {
    throw new Error(`quorum-kv option ${name} must be an integer from 1 to N=${n}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The server's command line on one node. */
export function quorumKvArgs(
  node: NodeInfo,
  nodes: readonly NodeInfo[],
  options: Record<string, unknown>,
  mode: QuorumKvMode,
): string[] {
  for (const name of ['clock', 'writeBack'] as const) {
    if (options[name] !== undefined && options[name] !== mode[name]) {
      throw new Error(
        `this quorum-kv variant has ${name}: ${String(mode[name])}; choose another variant instead (see systems-under-test/quorum-kv/README.md)`,
      );
    }
  }
  const n = nodes.length;
  const defaults = mode.quorums(n);
  const r = quorumOption(options, 'r', defaults.r, n);
  const w = quorumOption(options, 'w', defaults.w, n);
  if (mode.intersecting && r + w <= n) {
    throw new Error(`this quorum-kv variant is linearizable only with R + W > N; got R=${r} W=${w} N=${n}`);
  }
  const timeout = options['replicaTimeoutMs'];
  const config: QuorumKvConfig = {
    name: node.name,
    host: node.address,
    port: nodePort(node.name, options, quorumKvPort),
    nodes: nodes.map((peer) => ({ name: peer.name, url: nodeUrl(peer, options, quorumKvPort) })),
    r,
    w,
    clock: mode.clock,
    writeBack: mode.writeBack,
    replicaTimeoutMs: typeof timeout === 'number' && timeout > 0 ? timeout : 1000,
  };
  return [JSON.stringify(config)];
}

export function defineQuorumKv(
  name: string,
  description: string,
  mode: QuorumKvMode,
  guarantees: string[],
): SystemDefinition {
  return defineSystem({
    name,
    description,
    guarantees,
    ...serverLifecycle({
      system: 'quorum-kv',
      entry: quorumKvEntry,
      defaultPort: quorumKvPort,
      args: (ctx) => quorumKvArgs(ctx.node, ctx.nodes, ctx.options, mode),
    }),
    // Each client coordinates through its own node: the node the harness bound it to.
    client: ({ node, options }) => Promise.resolve(httpOpClient(nodeUrl(node, options, quorumKvPort))),
  });
}

export const quorumKvAbd = defineQuorumKv(
  'quorum-kv',
  'quorum replication, ABD: logical versions from a majority, majority writes, read write-back (read/write only)',
  quorumKvModes.abd,
  ['linearizable', 'sequential'],
);
export const quorumKvNoWriteBack = defineQuorumKv(
  'quorum-kv-no-write-back',
  'quorum replication, majority R and W, logical versions, no read write-back: reads can go back in time',
  quorumKvModes.noWriteBack,
  [],
);
export const quorumKvPartial = defineQuorumKv(
  'quorum-kv-partial',
  'quorum replication with R + W <= N (default R = W = 1): stale reads',
  quorumKvModes.partialQuorums,
  [],
);
export const quorumKvLww = defineQuorumKv(
  'quorum-kv-lww',
  'quorum replication, last-writer-wins by wall-clock timestamps: clock skew loses acknowledged writes',
  quorumKvModes.lww,
  [],
);

export default quorumKvAbd;
