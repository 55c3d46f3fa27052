// quorum-kv on a local cluster of real processes. The same provocation (a write that reaches only some
// replicas, then reads at different coordinators) is linearizable under ABD and is caught in each weaker mode.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { checkLinearizableSync } from '../../checkers/linearizable/index.ts';
import type { Client } from '../../harness/plugin.ts';
import { launchLocalCluster } from '../common/index.ts';
import type { LocalCluster } from '../common/index.ts';
import { RecordedHistory, concurrentSessions } from '../testing/recordedHistory.ts';
import { defineQuorumKv, quorumKvArgs, quorumKvEntry, quorumKvModes } from './index.ts';
import type { QuorumKvMode } from './index.ts';

async function cluster(mode: QuorumKvMode, options: Record<string, unknown> = {}): Promise<LocalCluster> {
  return launchLocalCluster({
    entry: quorumKvEntry,
    count: 3,
    args: (node, { nodes, ports }) => quorumKvArgs(node, nodes, { ports, ...options }, mode),
  });
}

async function clients(c: LocalCluster, mode: QuorumKvMode): Promise<Record<string, Client>> {
  const system = defineQuorumKv('quorum-kv-test', 'test', mode, []);
  const out: Record<string, Client> = {};
  for (const node of c.nodes) out[node.name] = await system.client({ node, nodes: c.nodes, options: c.options });
  return out;
}

test('ABD: writes are readable through every coordinator, with a minority down too', async (t) => {
  const c = await cluster(quorumKvModes.abd);
  t.after(() => c.stop());
  const client = await clients(c, quorumKvModes.abd);
  const h = new RecordedHistory();
  assert.deepEqual(await h.run(client.n1!, 1, { f: 'read', key: 'x', value: null }), { type: 'ok', value: null });
  assert.equal((await h.run(client.n1!, 1, { f: 'write', key: 'x', value: 1 })).type, 'ok');
  for (const node of ['n1', 'n2', 'n3']) {
    assert.deepEqual(await h.run(client[node]!, 2, { f: 'read', key: 'x', value: null }), { type: 'ok', value: 1 });
  }
  await c.kill('n1');
  assert.equal((await h.run(client.n2!, 3, { f: 'write', key: 'x', value: 2 })).type, 'ok');
  assert.deepEqual(await h.run(client.n3!, 4, { f: 'read', key: 'x', value: null }), { type: 'ok', value: 2 });
  assert.equal((await h.run(client.n3!, 4, { f: 'cas', key: 'x', value: [2, 3] })).type, 'fail');
  assert.equal(checkLinearizableSync(h.operations()).valid, true);
});

test('ABD: concurrent clients on every coordinator, with a node killed and restarted, stay linearizable', async (t) => {
  const c = await cluster(quorumKvModes.abd);
  t.after(() => c.stop());
  const client = await clients(c, quorumKvModes.abd);
  const h = new RecordedHistory();
  const sessions = c.nodes.map((node, i) => ({ client: client[node.name]!, node: node.name, process: i + 1 }));
  await Promise.all([
    concurrentSessions(h, sessions, 60),
    (async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await c.kill('n2');
      await c.start('n2');
    })(),
  ]);
  const ops = h.operations();
  assert.ok(ops.filter((o) => o.status === 'ok').length >= 100, 'the workload ran');
  const verdict = checkLinearizableSync(ops);
  assert.equal(verdict.valid, true, JSON.stringify(verdict.anomalies));
});

/**
 * With R=1, W=3 (R + W > N): n3 is down while 2 is written, so the write reaches n1 and n2 only and stays
 * indeterminate. n2 then reads 2; n3 comes back and is read after.
 */
async function readAfterIncompleteWrite(mode: QuorumKvMode): Promise<RecordedHistory> {
  const c = await cluster(mode, { r: 1, w: 3 });
  try {
    const client = await clients(c, mode);
    const h = new RecordedHistory();
    assert.equal((await h.run(client.n1!, 1, { f: 'write', key: 'x', value: 1 })).type, 'ok');
    await c.kill('n3');
    assert.equal((await h.run(client.n1!, 1, { f: 'write', key: 'x', value: 2 })).type, 'info');
    await c.start('n3');
    assert.deepEqual(await h.run(client.n2!, 2, { f: 'read', key: 'x', value: null }), { type: 'ok', value: 2 });
    await h.run(client.n3!, 3, { f: 'read', key: 'x', value: null });
    return h;
  } finally {
    await c.stop();
  }
}

test('ABD: the read write-back carries an incomplete write to the replicas a later read asks: linearizable', async () => {
  const h = await readAfterIncompleteWrite(quorumKvModes.abd);
  const last = h.events.at(-1);
  assert.equal(last?.value, 2);
  assert.equal(checkLinearizableSync(h.operations()).valid, true);
});

test('R + W > N without write-back: a later read goes back in time: not linearizable', async () => {
  const h = await readAfterIncompleteWrite(quorumKvModes.noWriteBack);
  assert.equal(h.events.at(-1)?.value, 1);
  const verdict = checkLinearizableSync(h.operations());
  assert.equal(verdict.valid, false, JSON.stringify(verdict));
});

test('R = W = 1: a replica that missed an acknowledged write serves a stale read', async (t) => {
  const c = await cluster(quorumKvModes.partialQuorums);
  t.after(() => c.stop());
  const client = await clients(c, quorumKvModes.partialQuorums);
  const h = new RecordedHistory();
  await c.kill('n3');
  assert.equal((await h.run(client.n1!, 1, { f: 'write', key: 'x', value: 1 })).type, 'ok');
  await c.start('n3');
  assert.deepEqual(await h.run(client.n3!, 2, { f: 'read', key: 'x', value: null }), { type: 'ok', value: null });
  const verdict = checkLinearizableSync(h.operations());
  assert.equal(verdict.valid, false, JSON.stringify(verdict));
});

const libfaketime = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

test(
  'last-writer-wins: a node whose clock is 10 s behind loses its acknowledged write',
  { skip: existsSync(libfaketime) ? false : `libfaketime is not installed here (${libfaketime})` },
  async (t) => {
    const c = await cluster(quorumKvModes.lww);
    t.after(() => c.stop());
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fl-faketime-'));
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const offsetFile = path.join(dir, 'n2');
    writeFileSync(offsetFile, '-10s');
    // The local cluster passes this process's environment to the nodes it starts: restart n2 under libfaketime.
    const skew = {
      LD_PRELOAD: libfaketime,
      FAKETIME_TIMESTAMP_FILE: offsetFile,
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    };
    Object.assign(process.env, skew);
    try {
      await c.start('n2');
    } finally {
      for (const name of Object.keys(skew)) Reflect.deleteProperty(process.env, name);
    }
    const client = await clients(c, quorumKvModes.lww);
    const h = new RecordedHistory();
    assert.equal((await h.run(client.n1!, 1, { f: 'write', key: 'x', value: 1 })).type, 'ok');
    assert.equal((await h.run(client.n2!, 2, { f: 'write', key: 'x', value: 2 })).type, 'ok');
    assert.deepEqual(await h.run(client.n3!, 3, { f: 'read', key: 'x', value: null }), { type: 'ok', value: 1 });
    const verdict = checkLinearizableSync(h.operations());
    assert.equal(verdict.valid, false, JSON.stringify(verdict));
  },
);
