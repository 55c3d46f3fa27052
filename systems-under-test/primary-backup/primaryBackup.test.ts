// primary-backup on a local cluster of real processes: it stores and replicates, survives kill -9 of a backup,
// and shows each mode's designed weakness when provoked: local reads are not linearizable (a restarted backup
// serves a value older than one already read elsewhere) and asynchronous replication loses an acknowledged
// write when the primary dies before shipping it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { ScriptedRemote } from '../../nemesis/testing/scriptedRemote.ts';
import { checkLinearizableSync } from '../../checkers/linearizable/index.ts';
import type { Client } from '../../harness/plugin.ts';
import { launchLocalCluster, requestJson } from '../common/index.ts';
import type { LocalCluster } from '../common/index.ts';
import { definePrimaryBackup, primaryBackupArgs, primaryBackupEntry } from './index.ts';
import type { PrimaryBackupMode } from './index.ts';
import { RecordedHistory, concurrentSessions, verdictOf } from '../testing/recordedHistory.ts';

async function cluster(mode: PrimaryBackupMode, extra: Record<string, unknown> = {}): Promise<LocalCluster> {
  return launchLocalCluster({
    entry: primaryBackupEntry,
    count: 3,
    args: (node, { nodes, ports }) => primaryBackupArgs(node, nodes, { ports, ...extra }, mode),
  });
}

async function clients(c: LocalCluster, mode: PrimaryBackupMode): Promise<Record<string, Client>> {
  const system = definePrimaryBackup('primary-backup-test', mode);
  const out: Record<string, Client> = {};
  for (const node of c.nodes) out[node.name] = await system.client({ node, nodes: c.nodes, options: c.options });
  return out;
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('sync, local reads: writes and cas at the primary are readable on every replica, also after kill -9 of a backup', async (t) => {
  const mode: PrimaryBackupMode = { reads: 'local', replication: 'sync' };
  const c = await cluster(mode);
  t.after(() => c.stop());
  const client = await clients(c, mode);
  const h = new RecordedHistory();
  assert.equal((await h.run(client.n2!, 1, { f: 'write', key: 'x', value: 1 }, 'n2')).type, 'ok');
  for (const node of ['n1', 'n2', 'n3']) {
    assert.deepEqual(await h.run(client[node]!, 2, { f: 'read', key: 'x', value: null }, node), {
      type: 'ok',
      value: 1,
      servedBy: node,
    });
  }
  assert.equal((await h.run(client.n3!, 3, { f: 'cas', key: 'x', value: [1, 2] }, 'n3')).type, 'ok');
  const refused = await h.run(client.n3!, 3, { f: 'cas', key: 'x', value: [1, 3] }, 'n3');
  assert.equal(refused.type, 'fail', 'a cas that finds another value is a definite fail');
  await c.kill('n3');
  await c.start('n3');
  assert.deepEqual(await h.run(client.n3!, 4, { f: 'read', key: 'x', value: null }, 'n3'), {
    type: 'ok',
    value: 2,
    servedBy: 'n3',
  });
  assert.equal((await h.run(client.n1!, 5, { f: 'write', key: 'y', value: 4 }, 'n1')).type, 'ok');
  assert.deepEqual(await h.run(client.n3!, 4, { f: 'read', key: 'y', value: null }, 'n3'), {
    type: 'ok',
    value: 4,
    servedBy: 'n3',
  });
  assert.equal(checkLinearizableSync(h.operations()).valid, true);
});

test('sync, local reads: a concurrent workload with a backup killed and restarted is sequentially consistent', async (t) => {
  const mode: PrimaryBackupMode = { reads: 'local', replication: 'sync' };
  const c = await cluster(mode);
  t.after(() => c.stop());
  const client = await clients(c, mode);
  const h = new RecordedHistory();
  const sessions = c.nodes.map((node, i) => ({ client: client[node.name]!, node: node.name, process: i + 1 }));
  await concurrentSessions(h, sessions, 40);
  await c.kill('n3');
  await c.start('n3');
  await concurrentSessions(
    h,
    sessions.map((s) => ({ ...s, process: s.process + 10 })),
    40,
  );
  const ops = h.operations();
  assert.ok(ops.filter((o) => o.status === 'ok').length >= 200, 'the workload ran');
  const sequential = await verdictOf('sequential', ops);
  assert.equal(sequential.valid, true, `${sequential.reason ?? ''} ${JSON.stringify(sequential.anomalies)}`);
});

test('sync, local reads: a restarted backup serves a value older than one already read: not linearizable', async (t) => {
  const mode: PrimaryBackupMode = { reads: 'local', replication: 'sync' };
  const c = await cluster(mode);
  t.after(() => c.stop());
  const client = await clients(c, mode);
  const h = new RecordedHistory();
  assert.equal((await h.run(client.n1!, 1, { f: 'write', key: 'x', value: 1 }, 'n1')).type, 'ok');
  await c.kill('n3');
  // The primary applies 2 and ships it to n2, but cannot acknowledge while backup n3 is down.
  const pending = h.run(client.n1!, 2, { f: 'write', key: 'x', value: 2 }, 'n1');
  await waitFor('n2 to apply 2', async () => {
    const reply = await requestJson(`${c.url('n2')}/status`, undefined);
    return reply.kind === 'reply' && (reply.body as { seq: number }).seq === 2;
  });
  assert.deepEqual(await h.run(client.n2!, 3, { f: 'read', key: 'x', value: null }, 'n2'), {
    type: 'ok',
    value: 2,
    servedBy: 'n2',
  });
  await c.kill('n1');
  assert.equal((await pending).type, 'info');
  await c.kill('n2');
  await c.start('n3');
  // n3 lacks 2 and nobody can ship it: its local read goes back in time.
  assert.deepEqual(await h.run(client.n3!, 4, { f: 'read', key: 'x', value: null }, 'n3'), {
    type: 'ok',
    value: 1,
    servedBy: 'n3',
  });
  const verdict = checkLinearizableSync(h.operations());
  assert.equal(verdict.valid, false, JSON.stringify(verdict));
  // Once the primary is back, n3 catches up: the write did happen.
  await c.start('n2');
  await c.start('n1');
  await waitFor('n3 to catch up', async () => {
    const read = await client.n3!.invoke({ f: 'read', key: 'x', value: null }, AbortSignal.timeout(1000));
    return read.type === 'ok' && read.value === 2;
  });
});

test('sync, primary reads: with the primary down a read fails rather than going back in time', async (t) => {
  const mode: PrimaryBackupMode = { reads: 'primary', replication: 'sync' };
  const c = await cluster(mode);
  t.after(() => c.stop());
  const client = await clients(c, mode);
  const h = new RecordedHistory();
  assert.equal((await h.run(client.n2!, 1, { f: 'write', key: 'x', value: 1 }, 'n2')).type, 'ok');
  assert.deepEqual(await h.run(client.n3!, 2, { f: 'read', key: 'x', value: null }, 'n3'), {
    type: 'ok',
    value: 1,
    servedBy: 'n1',
  });
  await c.kill('n1');
  const read = await h.run(client.n3!, 2, { f: 'read', key: 'x', value: null }, 'n3');
  assert.equal(read.type, 'fail', JSON.stringify(read));
  assert.equal(checkLinearizableSync(h.operations()).valid, true);
});

test('async: the primary dies before shipping an acknowledged write; the backup that takes over never had it', async (t) => {
  const mode: PrimaryBackupMode = { reads: 'local', replication: 'async' };
  const c = await cluster(mode, { replicationDelayMs: 5000, failoverMs: 1000 });
  t.after(() => c.stop());
  const client = await clients(c, mode);
  const h = new RecordedHistory();
  assert.deepEqual(await h.run(client.n1!, 1, { f: 'write', key: 'x', value: 1 }, 'n1'), {
    type: 'ok',
    value: 1,
    servedBy: 'n1',
  });
  await c.kill('n1');
  // Normally n2 (the lowest-named survivor); n3 too may claim it when heartbeats are slow on a loaded machine.
  // Both survivors must have moved on: n3 forwards the next write to whichever primary it believes in.
  await waitFor('both backups to see a new primary', async () => {
    for (const name of ['n2', 'n3']) {
      const reply = await requestJson(`${c.url(name)}/status`, undefined);
      if (reply.kind !== 'reply' || (reply.body as { claim: { primary: string } }).claim.primary === 'n1') return false;
    }
    return true;
  });
  const moved = await h.run(client.n3!, 2, { f: 'write', key: 'y', value: 2 }, 'n3');
  assert.equal(moved.type, 'ok', JSON.stringify(moved));
  assert.ok(moved.servedBy === 'n2' || moved.servedBy === 'n3', `served by the new primary: ${JSON.stringify(moved)}`);
  assert.deepEqual(await h.run(client.n2!, 3, { f: 'read', key: 'x', value: null }, 'n2'), {
    type: 'ok',
    value: null,
    servedBy: 'n2',
  });
  const verdict = checkLinearizableSync(h.operations());
  assert.equal(verdict.valid, false, JSON.stringify(verdict));
  // The old primary comes back as a backup and adopts the new primary's state: the write is gone for good.
  await c.start('n1');
  await waitFor('n1 to hold y', async () => {
    const read = await client.n1!.invoke({ f: 'read', key: 'y', value: null }, AbortSignal.timeout(1000));
    return read.type === 'ok' && read.value === 2;
  });
  assert.deepEqual(await h.run(client.n1!, 4, { f: 'read', key: 'x', value: null }, 'n1'), {
    type: 'ok',
    value: null,
    servedBy: 'n1',
  });
});

test('clusterReady once every node follows one primary; primary() asks on the node itself when the controller cannot reach it', async (t) => {
  const mode: PrimaryBackupMode = { reads: 'local', replication: 'sync' };
  const c = await cluster(mode);
  t.after(() => c.stop());
  const system = definePrimaryBackup('primary-backup-test', mode);
  // Handles whose exec runs here, as a local node's would: the node-side fetch reaches the real servers.
  const handles = c.nodes.map(
    (n) =>
      new ScriptedRemote(n.name, n.address, (argv) => {
        const run = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
        return { exitCode: run.status, stdout: run.stdout };
      }),
  );
  const logs: string[] = [];
  const ctx = { nodes: handles, options: c.options, log: (m: string) => logs.push(m) };
  await waitFor('clusterReady', () => system.clusterReady!(ctx));
  assert.ok(logs.some((m) => m.includes('every node follows n1 (epoch')));
  await c.kill('n2');
  assert.equal(await system.clusterReady!(ctx), false, 'a node that does not answer is not ready');
  await c.start('n2');
  // The controller's view has n1 on a port nothing listens on; the node-side view (the handle) is right.
  const closed = { ports: { ...(c.options.ports as Record<string, number>), n1: 1 } };
  const onlyN1 = [c.nodes[0]!];
  assert.equal(await system.primary!(onlyN1, closed, undefined), undefined, 'without handles: nobody answers at n1');
  const viaNode = handles.map(
    (h) =>
      new ScriptedRemote(h.name, h.address, (argv) => {
        // The node asks its own server: rewrite the port to the real one, as the node would reach it.
        const script = argv[2]!.replace(':1/', `:${(c.options.ports as Record<string, number>)[h.name]}/`);
        const run = spawnSync('node', ['-e', script], { encoding: 'utf8' });
        return { exitCode: run.status, stdout: run.stdout };
      }),
  );
  await waitFor('n2 back', () => system.clusterReady!(ctx));
  assert.equal(await system.primary!(onlyN1, closed, { nodes: viaNode, options: closed, log: () => undefined }), 'n1');
  assert.ok(
    viaNode[0]!.calls.some((a) => a[0] === 'node' && a[1] === '-e'),
    'asked through the handle',
  );
});
