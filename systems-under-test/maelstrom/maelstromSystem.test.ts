// The maelstrom system's hooks on real local nodes (processes on this machine), driven by hand: init and
// init_ok, clients through the router, kill and restart with a fresh init, pause, the message log, and the
// errors for a binary that is missing, crashes or never answers init.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalCluster } from '../../harness/nodes/localNodes.ts';
import type { LocalCluster } from '../../harness/nodes/localNodes.ts';
import type { Client, ClientContext, NodeContext } from '../../harness/plugin.ts';
import maelstrom from './index.ts';
import { clusterOf, nodePaths } from './maelstromCluster.ts';

const linKvNode = fileURLToPath(new URL('../../examples/maelstrom/lin_kv_primary.py', import.meta.url));

interface Harness {
  cluster: LocalCluster;
  options: Record<string, unknown>;
  ctx(node: string): NodeContext;
  client(node: string, workload?: string): Promise<Client>;
  logs: string[];
}

async function harness(
  t: { after(fn: () => Promise<void>): void },
  options: Record<string, unknown>,
): Promise<Harness> {
  const root = mkdtempSync(join(tmpdir(), 'faultline-maelstrom-test-'));
  const cluster = await createLocalCluster(root, 3);
  const all: Record<string, unknown> = { ...options, ports: cluster.ports };
  const infos = cluster.nodes.map((n) => ({ name: n.name, address: n.address }));
  const logs: string[] = [];
  const h: Harness = {
    cluster,
    options: all,
    logs,
    ctx: (node) => ({
      node: cluster.nodes.find((n) => n.name === node)!,
      nodes: infos,
      options: all,
      clockEnv: {},
      dataDir: '/var/lib/faultline/maelstrom',
      log: (m) => logs.push(`[${node}] ${m}`),
    }),
    client: (node, workload = 'key-value') => {
      const ctx: ClientContext = {
        node: infos.find((n) => n.name === node)!,
        nodes: infos,
        options: all,
        workload: { name: workload, model: workload === 'key-value' ? 'register' : workload },
      };
      return maelstrom.client(ctx);
    },
  };
  t.after(async () => {
    await Promise.all(infos.map((n) => maelstrom.stop(h.ctx(n.name)).catch(() => undefined)));
    await cluster.destroy();
    rmSync(root, { recursive: true, force: true });
  });
  return h;
}

const never = new AbortController().signal;

/** A temporary folder for the test's own binaries, removed after it. */
function binDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-maelstrom-bins-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

test('a lin-kv node cluster: ops through the router, kill and restart with a fresh init, pause, message log', async (t) => {
  const h = await harness(t, { bin: linKvNode, rpcTimeoutMs: 300, initTimeoutMs: 5000 });
  for (const n of ['n1', 'n2', 'n3']) await maelstrom.start(h.ctx(n));
  for (const n of ['n1', 'n2', 'n3']) assert.equal(await maelstrom.ready!(h.ctx(n)), true);

  const viaN2 = await h.client('n2');
  assert.deepEqual(await viaN2.invoke({ f: 'read', key: 'k1', value: null }, never), { type: 'ok', value: null });
  assert.deepEqual(await viaN2.invoke({ f: 'write', key: 'k1', value: 5 }, never), { type: 'ok', value: 5 });
  assert.deepEqual(await viaN2.invoke({ f: 'cas', key: 'k1', value: [5, 6] }, never), { type: 'ok', value: [5, 6] });
  const failedCas = await viaN2.invoke({ f: 'cas', key: 'k1', value: [5, 7] }, never);
  assert.equal(failedCas.type, 'fail');
  const viaN3 = await h.client('n3');
  assert.deepEqual(await viaN3.invoke({ f: 'read', key: 'k1', value: null }, never), { type: 'ok', value: 6 });

  // n1 holds the data: killed, a forwarded write may or may not have happened (info), a read fails.
  await maelstrom.kill(h.ctx('n1'));
  assert.equal(await maelstrom.ready!(h.ctx('n1')), false);
  assert.equal((await viaN2.invoke({ f: 'write', key: 'k1', value: 8 }, never)).type, 'info');
  assert.equal((await viaN3.invoke({ f: 'read', key: 'k1', value: null }, never)).type, 'fail');
  await maelstrom.start(h.ctx('n1'));
  assert.equal(await maelstrom.ready!(h.ctx('n1')), true);
  // The restarted n1 was initialised again, and forgot everything (kept in memory).
  assert.deepEqual(await viaN3.invoke({ f: 'read', key: 'k1', value: null }, never), { type: 'ok', value: null });

  await maelstrom.pause(h.ctx('n1'));
  assert.equal((await viaN2.invoke({ f: 'write', key: 'k2', value: 1 }, never)).type, 'info');
  await maelstrom.resume(h.ctx('n1'));
  assert.deepEqual(await viaN2.invoke({ f: 'write', key: 'k2', value: 2 }, never), { type: 'ok', value: 2 });
  await viaN2.close();
  await viaN3.close();

  for (const n of ['n1', 'n2', 'n3']) await maelstrom.stop(h.ctx(n));
  const node2 = h.cluster.nodes[1]!;
  const lines = readFileSync(node2.hostPath(nodePaths.messageLog), 'utf8').trim().split('\n');
  const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(events.some((e) => e.event === 'send' && e.type === 'init' && e.dest === 'n2'));
  const forward = events.find((e) => e.event === 'send' && e.src === 'n2' && e.dest === 'n1' && e.type === 'forward');
  assert.ok(forward !== undefined && typeof forward.time === 'number' && typeof forward.msg_id === 'number');
  assert.ok(events.some((e) => e.event === 'deliver' && e.src === 'n2' && e.type === 'forward'));
  assert.ok(events.some((e) => e.event === 'send' && e.src === 'c1' && e.dest === 'n2' && e.type === 'write'));
  assert.ok(events.some((e) => e.in_reply_to !== undefined && e.src === 'n2' && e.dest === 'c1'));
  // The node's stderr and the harness's notes about its process are in its log.
  const n1Log = readFileSync(h.cluster.nodes[0]!.hostPath(nodePaths.logFile), 'utf8');
  assert.match(n1Log, /n1 initialised; primary n1/);
  assert.match(n1Log, /was killed by SIGKILL/);
  assert.deepEqual(maelstrom.logFiles!(h.ctx('n1')), [nodePaths.logFile, nodePaths.messageLog]);
});

test('partitions and packet faults act on the router: cut off from n1, a follower cannot serve; healed, it can', async (t) => {
  const h = await harness(t, { bin: linKvNode, rpcTimeoutMs: 300 });
  for (const n of ['n1', 'n2', 'n3']) await maelstrom.start(h.ctx(n));
  const viaN2 = await h.client('n2');
  const cluster = clusterOf(h.options);
  assert.deepEqual(await viaN2.invoke({ f: 'write', key: 'k1', value: 1 }, never), { type: 'ok', value: 1 });

  // n1 cut off from n2 and n3 (both ways), as the partition fault's 'one' topology draws it.
  cluster.partition({ n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] });
  assert.equal((await viaN2.invoke({ f: 'write', key: 'k1', value: 2 }, never)).type, 'info');
  assert.equal((await viaN2.invoke({ f: 'read', key: 'k1', value: null }, never)).type, 'fail');
  // Clients are not part of the grudge: n1's own clients still get through.
  const viaN1 = await h.client('n1');
  assert.equal((await viaN1.invoke({ f: 'read', key: 'k1', value: null }, never)).type, 'ok');
  cluster.healNetwork();
  assert.deepEqual(await viaN2.invoke({ f: 'write', key: 'k1', value: 3 }, never), { type: 'ok', value: 3 });

  // One-way: n2 drops what n1 sends it, so the forward arrives but its answer never comes back.
  cluster.partition({ n2: ['n1'] });
  assert.equal((await viaN2.invoke({ f: 'write', key: 'k1', value: 4 }, never)).type, 'info');
  cluster.healNetwork();
  // The write n1 applied while the answer was cut is there: the info was right to say "may have happened".
  assert.deepEqual(await viaN2.invoke({ f: 'read', key: 'k1', value: null }, never), { type: 'ok', value: 4 });

  // A packet fault losing everything on n1's links, then healed.
  assert.deepEqual(cluster.shapeLinks(['n1'], { loss: { percent: 100 } }), []);
  assert.equal((await viaN2.invoke({ f: 'read', key: 'k1', value: null }, never)).type, 'fail');
  cluster.healNetwork();
  assert.deepEqual(await viaN2.invoke({ f: 'read', key: 'k1', value: null }, never), { type: 'ok', value: 4 });
  await viaN1.close();
  await viaN2.close();
});

function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

test('a missing, crashing or silent binary is named with its node, its exit and its stderr', async (t) => {
  const dir = binDir(t);
  const missing = await harness(t, { bin: join(dir, 'no-such-node') });
  await assert.rejects(maelstrom.start(missing.ctx('n1')), /node n1: the binary .*no-such-node does not exist/);

  const notExecutable = join(dir, 'plain.txt');
  writeFileSync(notExecutable, 'not a program');
  const plain = await harness(t, { bin: notExecutable });
  await assert.rejects(maelstrom.start(plain.ctx('n1')), /is not executable/);

  const crash = script(dir, 'crash.sh', 'echo "cannot parse config" >&2\nexit 3');
  const crashing = await harness(t, { bin: crash });
  await assert.rejects(
    maelstrom.start(crashing.ctx('n2')),
    (e: Error) =>
      /node n2 \(.*crash\.sh\) exited with code 3 before answering init/.test(e.message) &&
      e.message.includes('cannot parse config'),
  );

  const silent = script(dir, 'silent.sh', 'echo "waiting forever" >&2\nexec cat > /dev/null');
  const quiet = await harness(t, { bin: silent, initTimeoutMs: 300 });
  await assert.rejects(
    maelstrom.start(quiet.ctx('n3')),
    (e: Error) => /did not answer init within 300 ms/.test(e.message) && e.message.includes('waiting forever'),
  );
});

test('a node that crashes after init: its clients time out, and ready names the exit and the stderr', async (t) => {
  const dir = binDir(t);
  // Answers init, then dies on the first request it gets.
  const bin = join(dir, 'fragile.mjs');
  writeFileSync(
    bin,
    `#!/usr/bin/env node
import { createInterface } from 'node:readline';
createInterface({ input: process.stdin }).on('line', (line) => {
  const m = JSON.parse(line);
  if (m.body.type !== 'init') { process.stderr.write('segfault in handler\\n'); process.exit(5); }
  process.stdout.write(JSON.stringify({ src: m.dest, dest: m.src, body: { type: 'init_ok', in_reply_to: m.body.msg_id } }) + '\\n');
});
`,
  );
  chmodSync(bin, 0o755);
  const h = await harness(t, { bin, rpcTimeoutMs: 300 });
  await maelstrom.start(h.ctx('n1'));
  assert.equal(await maelstrom.ready!(h.ctx('n1')), true);
  const client = await h.client('n1');
  assert.equal((await client.invoke({ f: 'write', key: 'k1', value: 1 }, never)).type, 'info');
  await assert.rejects(
    maelstrom.ready!(h.ctx('n1')),
    (e: Error) =>
      /node n1 \(.*fragile\.mjs\) exited with code 5/.test(e.message) && /segfault in handler/.test(e.message),
  );
  assert.ok(h.logs.some((l) => l.startsWith('[n1] node n1') && l.includes('exited with code 5')));
  await client.close();
});

test('a set workload on a g-set node: add with element, read returns the list', async (t) => {
  const bin = join(binDir(t), 'g-set.mjs');
  // One node's g-set, enough to see the bodies: add {element} -> add_ok, read -> read_ok {value: [...]}.
  writeFileSync(
    bin,
    `#!/usr/bin/env node
import { createInterface } from 'node:readline';
const elements = [];
createInterface({ input: process.stdin }).on('line', (line) => {
  const { src, dest, body } = JSON.parse(line);
  const answer = (b) => process.stdout.write(JSON.stringify({ src: dest, dest: src, body: { ...b, in_reply_to: body.msg_id } }) + '\\n');
  if (body.type === 'init') answer({ type: 'init_ok' });
  else if (body.type === 'add') { elements.push(body.element); answer({ type: 'add_ok' }); }
  else if (body.type === 'read') answer({ type: 'read_ok', value: elements });
});
`,
  );
  chmodSync(bin, 0o755);
  const h = await harness(t, { bin });
  await maelstrom.start(h.ctx('n1'));
  const client = await h.client('n1', 'set');
  assert.deepEqual(await client.invoke({ f: 'add', key: 'k0', value: 3 }, never), { type: 'ok', value: 3 });
  assert.deepEqual(await client.invoke({ f: 'add', key: 'k0', value: 4 }, never), { type: 'ok', value: 4 });
  assert.deepEqual(await client.invoke({ f: 'read', key: 'k0', value: null }, never), { type: 'ok', value: [3, 4] });
  assert.equal((await client.invoke({ f: 'add', key: 'k1', value: 5 }, never)).type, 'fail');
  await client.close();
});

test('options and backends it cannot serve are refused, named', async (t) => {
  const h = await harness(t, { bin: linKvNode });
  await assert.rejects(h.client('n1', 'queue'), /queue workload has no Maelstrom mapping/);
  const badOptions = { ...h.ctx('n1'), options: { bin: linKvNode, network: { loss: 2 } } };
  await assert.rejects(maelstrom.start(badOptions), /maelstrom option network: network loss must be a probability/);
  await assert.rejects(maelstrom.start({ ...h.ctx('n1'), options: {} }), /maelstrom option bin: the node executable/);
  // Without the local backend's ports it is taken for another backend, which must stream a process's stdio.
  const notLocal = { ...h.ctx('n1'), options: { bin: linKvNode } };
  await assert.rejects(maelstrom.start(notLocal), /cannot run a process with its stdio attached/);
});
