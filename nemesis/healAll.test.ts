import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScriptedRemote } from './testing/scriptedRemote.ts';
import { healAll, healedCleanly } from './healAll.ts';
import { applyGrudge } from './faults/partition.ts';

/** A node whose iptables state is simulated well enough to check apply then heal. */
function simulatedNode(name: string, address: string) {
  const chains = new Map<string, string[][]>();
  const jumps: string[] = [];
  let pausedPids: string | undefined = '101\n102\n';
  const remote = new ScriptedRemote(name, address, (argv) => {
    if (argv[0] === 'cat' && argv[1] === '/var/run/faultline/paused-pids') {
      return pausedPids === undefined ? { exitCode: 1 } : { stdout: pausedPids };
    }
    if (argv[0] === 'rm' && argv[2] === '/var/run/faultline/paused-pids') pausedPids = undefined;
    if (argv[0] === 'ps') return { stdout: '  1 Ss\n101 T\n102 S\n' };
    if (argv[0] !== 'iptables') return {};
    const [op, a, , c] = argv.slice(2);
    switch (op ?? '') {
      case '-N':
        if (chains.has(a!)) return { exitCode: 1, stderr: 'iptables: Chain already exists.' };
        chains.set(a!, []);
        return {};
      case '-F':
        if (!chains.has(a!)) return { exitCode: 1 };
        chains.set(a!, []);
        return {};
      case '-X':
        return chains.delete(a!) ? {} : { exitCode: 1 };
      case '-A':
        chains.get(a!)?.push(argv.slice(4));
        return {};
      case '-C':
        return jumps.includes(`${a} ${c}`) ? {} : { exitCode: 1 };
      case '-I':
        jumps.push(`${a} ${argv[6]}`);
        return {};
      case '-D': {
        const i = jumps.indexOf(`${a} ${c}`);
        if (i < 0) return { exitCode: 1 };
        jumps.splice(i, 1);
        return {};
      }
      default:
        return {};
    }
  });
  return { remote, chains, jumps };
}

test('healAll removes what a crashed run left (chains, jumps, paused pids, clock) and is idempotent', async () => {
  const nodes = [simulatedNode('n1', '10.0.0.1'), simulatedNode('n2', '10.0.0.2')];
  const remotes = nodes.map((n) => n.remote);
  await applyGrudge(remotes, { n1: ['n2'], n2: ['n1'] });
  assert.deepEqual(nodes[0]!.chains.get('FAULTLINE'), [['-s', '10.0.0.2', '-j', 'DROP']]);
  assert.deepEqual(nodes[0]!.jumps, ['INPUT FAULTLINE']);
  // A crashed run may have inserted the jump twice.
  nodes[1]!.jumps.push('INPUT FAULTLINE');

  const first = await healAll(remotes);
  assert.ok(healedCleanly(first));
  for (const n of nodes) {
    assert.equal(n.chains.size, 0, 'chain left behind');
    assert.deepEqual(n.jumps, [], 'jump left behind');
  }
  assert.deepEqual(
    first.map((r) => r.healed.sort()),
    [
      ['partition', 'pause'],
      ['partition', 'pause'],
    ],
  );
  // Only the pid still stopped (101) gets SIGCONT; 102 is running again (maybe reused).
  assert.deepEqual(nodes[0]!.remote.callsOf('kill', '-s', 'CONT'), [['kill', '-s', 'CONT', '101']]);
  assert.ok(
    nodes[0]!.remote.calls.every((c) => c[0] !== 'date'),
    'never sets the clock in docker mode',
  );

  const second = await healAll(remotes);
  assert.ok(healedCleanly(second));
  assert.deepEqual(
    second.map((r) => r.healed),
    [[], []],
    'nothing left the second time',
  );
});

test('healAll reports a failing step and still runs the others', async () => {
  const broken = new ScriptedRemote('n1', '10.0.0.1', (argv) =>
    argv[0] === 'iptables' ? { exitCode: null, timedOut: true } : argv[0] === 'cat' ? { exitCode: 1 } : {},
  );
  const [report] = await healAll([broken]);
  assert.ok(!healedCleanly([report!]));
  assert.match(report!.errors.join('\n'), /partition: .*timed out/);
  assert.ok(
    broken.signals.some((s) => s.name === 'faultline-clock'),
    'the clock step still ran',
  );
});

test('with the system hooks, a node a kill fault left down is started again and waited for, then its marker removed', async () => {
  const marker = '/var/run/faultline/killed';
  const down = new ScriptedRemote('n1', '10.0.0.1');
  const up = new ScriptedRemote('n2', '10.0.0.2');
  await down.writeFile(marker, 'killed by a faultline kill fault\n');
  const started: string[] = [];
  let readyChecks = 0;
  const hooks = {
    start: (node: string) => {
      started.push(node);
      return Promise.resolve();
    },
    // Ready on the second poll: heal waits for it.
    ready: () => Promise.resolve(++readyChecks >= 2),
  };
  const reports = await healAll([down, up], { restart: { hooks, readyTimeoutMs: 30_000 } });
  assert.deepEqual(started, ['n1']);
  assert.ok(readyChecks >= 2);
  assert.deepEqual(
    reports.map((r) => [r.node, r.left, r.restarted === true, r.errors]),
    [
      ['n1', [], true, []],
      ['n2', [], false, []],
    ],
  );
  assert.ok(!down.files.has(marker), 'the marker is removed');
  // Healed again: nothing is left, and nothing is started twice.
  const again = await healAll([down, up], { restart: { hooks } });
  assert.deepEqual(started, ['n1']);
  assert.ok(again.every((r) => r.restarted !== true && r.left.length === 0));
});

test('without the hooks, or when start fails, the node a kill left down is reported as left', async () => {
  const marker = '/var/run/faultline/killed';
  const node = new ScriptedRemote('n1', '10.0.0.1');
  await node.writeFile(marker, 'killed\n');
  const [unhooked] = await healAll([node]);
  assert.deepEqual([unhooked!.left, unhooked!.restarted], [['kill'], undefined]);
  assert.ok(node.files.has(marker), 'reporting removes nothing');
  const failing = { start: () => Promise.reject(new Error('no such binary')) };
  const [failed] = await healAll([node], { restart: { hooks: failing } });
  assert.deepEqual(failed!.left, ['kill']);
  assert.match(failed!.errors.join('\n'), /kill: starting the system again failed: no such binary/);
  assert.ok(!healedCleanly([failed!]));
});
