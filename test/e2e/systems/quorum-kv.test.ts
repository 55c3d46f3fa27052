// quorum-kv on real containers through the plug-in API: ABD replicates and stays linearizable with a node
// killed; the last-writer-wins variant, started with the nemesis's libfaketime environment, loses an
// acknowledged write once one node's clock is set 10 s back. Skips when no Docker engine answers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { checkLinearizableSync } from '../../../checkers/linearizable/index.ts';
import type { Client, ClientOp, NodeContext, NodeInfo, SystemDefinition } from '../../../harness/plugin.ts';
import { createDockerCluster } from '../../../harness/remote/cluster.ts';
import type { DockerCluster } from '../../../harness/remote/cluster.ts';
import { engineAnswers } from '../../../harness/remote/docker-engine.ts';
import { clockEnv, defaultClockFile, formatOffset } from '../../../nemesis/faults/clock.ts';
import { quorumKvAbd, quorumKvLww } from '../../../systems-under-test/quorum-kv/index.ts';
import { RecordedHistory } from '../../../systems-under-test/primary-backup/recordedHistory.ts';

const engine = await engineAnswers();
const skip = engine ? false : 'no Docker engine answers (start one: docker/ensure-engine.sh)';
if (skip !== false) process.stdout.write(`skipping quorum-kv e2e: ${skip}\n`);

const infos = (cluster: DockerCluster): NodeInfo[] => cluster.nodes.map((n) => ({ name: n.name, address: n.address }));

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Installs and starts `system` on every node; returns a context maker and clients by node name. */
async function bringUp(
  cluster: DockerCluster,
  system: SystemDefinition,
  dataDir: string,
  env: Record<string, string>,
): Promise<{ ctx: (name: string) => NodeContext; client: (name: string) => Promise<Client> }> {
  const ctx = (name: string): NodeContext => ({
    node: cluster.nodes.find((n) => n.name === name)!,
    nodes: infos(cluster),
    options: {},
    clockEnv: env,
    dataDir,
    log: () => undefined,
  });
  const names = cluster.nodes.map((n) => n.name);
  await Promise.all(names.map((n) => system.install!(ctx(n))));
  await Promise.all(names.map((n) => system.start(ctx(n))));
  for (const n of names) await eventually(`${n} ready`, async () => ((await system.ready!(ctx(n))) ? true : undefined));
  const client = (name: string): Promise<Client> =>
    system.client({ node: infos(cluster).find((n) => n.name === name)!, nodes: infos(cluster), options: {} });
  return { ctx, client };
}

const op = (f: string, value: ClientOp['value']): ClientOp => ({ f, key: 'x', value });

test(
  'quorum-kv on three containers: ABD stays linearizable with a node killed; LWW under clock skew loses a write',
  { skip },
  async (t) => {
    const cluster = await createDockerCluster({
      runId: `fl-sys2-quorum-${randomBytes(3).toString('hex')}`,
      nodes: 3,
      namePrefix: 'fl-sys2',
    });
    t.after(() => cluster.destroy());

    const abd = await bringUp(cluster, quorumKvAbd, '/var/lib/faultline/quorum-kv-abd', {});
    const h = new RecordedHistory();
    const c1 = await abd.client('n1');
    const c3 = await abd.client('n3');
    assert.equal((await h.run(c1, 1, op('write', 1))).type, 'ok');
    await quorumKvAbd.kill(abd.ctx('n2'));
    assert.deepEqual(await h.run(c3, 2, op('read', null)), { type: 'ok', value: 1 });
    assert.equal((await h.run(c3, 2, op('write', 2))).type, 'ok');
    await quorumKvAbd.start(abd.ctx('n2'));
    await eventually('n2 ready', async () => ((await quorumKvAbd.ready!(abd.ctx('n2'))) ? true : undefined));
    assert.deepEqual(await h.run(await abd.client('n2'), 3, op('read', null)), { type: 'ok', value: 2 });
    assert.equal(checkLinearizableSync(h.operations()).valid, true);
    await Promise.all(cluster.nodes.map((n) => quorumKvAbd.stop(abd.ctx(n.name))));

    // The same processes' clocks, moved the way the nemesis moves them: a control file libfaketime re-reads.
    for (const node of cluster.nodes) await node.writeFile(defaultClockFile, `${formatOffset(0)}\n`);
    const lww = await bringUp(cluster, quorumKvLww, '/var/lib/faultline/quorum-kv-lww', clockEnv());
    await cluster.nodes.find((n) => n.name === 'n2')!.writeFile(defaultClockFile, `${formatOffset(-10_000)}\n`);
    const skewed = new RecordedHistory();
    assert.equal((await skewed.run(await lww.client('n1'), 1, op('write', 10))).type, 'ok');
    assert.equal((await skewed.run(await lww.client('n2'), 2, op('write', 20))).type, 'ok');
    assert.deepEqual(await skewed.run(await lww.client('n3'), 3, op('read', null)), { type: 'ok', value: 10 });
    const verdict = checkLinearizableSync(skewed.operations());
    assert.equal(verdict.valid, false, JSON.stringify(verdict));
  },
);
