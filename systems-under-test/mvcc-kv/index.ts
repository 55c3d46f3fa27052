// mvcc-kv as systems under test: one definition per isolation mode, because what it guarantees depends on the
// mode (see README.md), as quorum-kv's and primary-backup's variants do.
import { fileURLToPath } from 'node:url';
import type { SystemDefinition } from '../../harness/plugin.ts';
import { defineSystem } from '../../harness/plugin.ts';
import { httpOpClient, nodePort, nodeUrl, requestJson, serverLifecycle } from '../common/index.ts';
import type { MvccMode } from './mvccStore.ts';

export const mvccKvPort = 7300;

const modeInfo: Record<MvccMode, { description: string; guarantees: string[] }> = {
  si: {
    description:
      'MVCC store on one primary, snapshot isolation: snapshot reads, first committer wins; allows write skew',
    guarantees: [
      'strong-session-snapshot-isolation',
      'snapshot-isolation',
      'transactional-causal',
      'read-atomic',
      'read-committed',
      'read-uncommitted',
    ],
  },
  rc: {
    description: 'MVCC store on one primary, read committed: each read sees the latest commit; allows read skew',
    guarantees: ['read-committed', 'read-uncommitted'],
  },
  serializable: {
    description:
      'MVCC store on one primary, snapshot isolation plus read-set validation at commit: strict serializable',
    guarantees: [
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
  },
};

function stepDelayMs(options: Record<string, unknown>): number {
  const value = options.stepDelayMs ?? 5;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new Error(`mvcc-kv option stepDelayMs must be a number of milliseconds >= 0, got ${JSON.stringify(value)}`);
  return value;
}

export function defineMvccKv(name: string, mode: MvccMode): SystemDefinition {
  return defineSystem({
    name,
    description: modeInfo[mode].description,
    guarantees: modeInfo[mode].guarantees,
    ...serverLifecycle({
      system: 'mvcc-kv',
      entry: fileURLToPath(new URL('./server.ts', import.meta.url)),
      defaultPort: mvccKvPort,
      args: (ctx) => {
        if (ctx.options.mode !== undefined && ctx.options.mode !== mode)
          throw new Error(
            `${name} runs mode ${mode}; choose the variant for mode ${JSON.stringify(ctx.options.mode)} instead (see systems-under-test/mvcc-kv/README.md)`,
          );
        return [
          '--id',
          ctx.node.name,
          '--port',
          String(nodePort(ctx.node.name, ctx.options, mvccKvPort)),
          '--nodes',
          ctx.nodes.map((n) => `${n.name}=${n.address}:${nodePort(n.name, ctx.options, mvccKvPort)}`).join(','),
          '--mode',
          mode,
          '--step-delay-ms',
          String(stepDelayMs(ctx.options)),
          '--data',
          ctx.dataDir,
        ];
      },
    }),
    /** The first node, which holds the store, when it answers. */
    async primary(nodes, options) {
      const first = nodes[0];
      if (first === undefined) return undefined;
      const reply = await requestJson(`${nodeUrl(first, options, mvccKvPort)}/health`, undefined, { timeoutMs: 1000 });
      return reply.kind === 'reply' && reply.status === 200 ? first.name : undefined;
    },
    client({ node, options }) {
      return Promise.resolve(httpOpClient(nodeUrl(node, options, mvccKvPort)));
    },
  });
}

export const mvccKvSi = defineMvccKv('mvcc-kv-si', 'si');
export const mvccKvRc = defineMvccKv('mvcc-kv-rc', 'rc');
export const mvccKvSerializable = defineMvccKv('mvcc-kv-serializable', 'serializable');
