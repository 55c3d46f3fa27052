import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterContext, SystemDefinition } from '../plugin.ts';
import { HookTimeoutError, waitClusterReady, withHookTimeouts } from './systemLifecycle.ts';

const noop = (): Promise<void> => Promise.resolve();

function system(clusterReady?: SystemDefinition['clusterReady']): SystemDefinition {
  return {
    name: 'fake',
    description: 'a system whose only interesting hook is clusterReady',
    start: noop,
    stop: noop,
    kill: noop,
    pause: noop,
    resume: noop,
    client: () => Promise.reject(new Error('no client')),
    ...(clusterReady !== undefined && { clusterReady }),
  };
}

const cluster: ClusterContext = { nodes: [], options: {}, log: () => undefined };

test('clusterReady is polled until it answers true; errors along the way count as not yet', async () => {
  let calls = 0;
  await waitClusterReady(
    system(() => {
      calls++;
      if (calls === 1) return Promise.reject(new Error('replica n3 unknown'));
      return Promise.resolve(calls >= 3);
    }),
    cluster,
    10_000,
    1,
  );
  assert.equal(calls, 3);
});

test('a system without clusterReady is ready at once', async () => {
  await waitClusterReady(system(), cluster, 0);
});

test('a clusterReady that never answers true fails naming the system and its last error', async () => {
  await assert.rejects(
    waitClusterReady(
      system(() => Promise.reject(new Error('n3 not replicating'))),
      cluster,
      20,
      1,
    ),
    /fake: every node was ready, but clusterReady did not answer true within 0.02 s \(last error: n3 not replicating\)/,
  );
});

test('a clusterReady that hangs is cut by the hook timeout, named', async () => {
  const timed = withHookTimeouts(
    system(() => new Promise<boolean>(() => undefined)),
    20,
  );
  await assert.rejects(timed.clusterReady!(cluster), (e: unknown) => {
    assert.ok(e instanceof HookTimeoutError);
    assert.match(e.message, /clusterReady/);
    return true;
  });
});

test('primary gets the cluster handles through the hook-timeout wrapper', async () => {
  let seen: ClusterContext | undefined;
  const timed = withHookTimeouts(
    {
      ...system(),
      primary: (_nodes, _options, c) => {
        seen = c;
        return Promise.resolve('n2');
      },
    },
    1000,
  );
  assert.equal(await timed.primary!([], {}, cluster), 'n2');
  assert.equal(seen, cluster);
});
