// A seeded schedule carried out on real containers: every start and stop lands in history.jsonl as a nemesis
// op naming what was done to which node, every window is closed, and when the window ends (or the run is
// aborted midway, as on Ctrl-C) the cluster is healed: no rules, every process up, clocks back to 0.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { faultWindows } from '../../../checkers/history.ts';
import { readHistoryJsonl } from '../../../harness/history/jsonl.ts';
import { HistoryRecorder } from '../../../harness/history/recorder.ts';
import type { NodeContext, NodeInfo } from '../../../harness/plugin.ts';
import type { DockerCluster } from '../../../harness/nodes/cluster.ts';
import { clockEnv, defaultClockFile } from '../../../nemesis/faults/clock.ts';
import { processHooksFor } from '../../../nemesis/faults/process.ts';
import { runNemesisSchedule } from '../../../nemesis/nemesisRunner.ts';
import { planSchedule, type ScheduleSpec } from '../../../nemesis/schedule.ts';
import { dockerSkip, echoDaemonSystem, eventually, hostReaches, nemesisCluster, tcpReaches } from './nemesisCluster.ts';
import { kernelWithoutNetem } from '../../../nemesis/testing/kernels.ts';

const skip = dockerSkip('nemesis schedule e2e');
const port = 7441;
const features = kernelWithoutNetem;

const echoSystem = echoDaemonSystem(port);

const spec: ScheduleSpec = {
  faults: [
    { kind: 'partition', topologies: ['one', 'majorities-ring'] },
    { kind: 'clock', modes: ['bump'], maxOffsetMs: 30_000 },
    { kind: 'kill', targets: ['one'] },
    { kind: 'pause', targets: ['one'] },
  ],
  intervalMs: 700,
  holdMs: 1000,
  durationMs: 5000,
};

describe('a seeded schedule on containers', { skip }, () => {
  let cluster: DockerCluster;
  let infos: NodeInfo[];
  let hooks: ReturnType<typeof processHooksFor>;
  before(async () => {
    cluster = await nemesisCluster('sched');
    infos = cluster.nodes.map((n) => ({ name: n.name, address: n.address }));
    const ctxFor = (name: string): NodeContext => ({
      node: cluster.nodes.find((n) => n.name === name)!,
      nodes: infos,
      options: {},
      clockEnv: clockEnv(),
      dataDir: '/tmp',
      log: () => undefined,
    });
    hooks = processHooksFor(echoSystem, ctxFor, infos);
    for (const n of cluster.nodes) await n.writeFile(defaultClockFile, '+0\n');
    await Promise.all(infos.map((n) => hooks.start(n.name)));
    for (const n of cluster.nodes) {
      await eventually(`${n.name} up`, async () => ((await hostReaches(n.address, port)) ? true : undefined));
    }
  });
  after(async () => {
    await cluster?.destroy();
  });

  async function assertHealed(): Promise<void> {
    for (const n of cluster.nodes) {
      assert.doesNotMatch((await n.exec(['iptables', '-w', '-S'])).stdout, /FAULTLINE/, `rules left on ${n.name}`);
      assert.equal((await n.readFile(defaultClockFile)).toString().trim(), '+0', `clock skew left on ${n.name}`);
      assert.ok(await hostReaches(n.address, port, 3000), `${n.name}'s process does not answer after the window`);
    }
    assert.ok(await tcpReaches(cluster.nodes[0]!, cluster.nodes[1]!, port));
  }

  test('runs to the end of the window, records every start and stop, and leaves the cluster healed', async () => {
    const names = infos.map((n) => n.name);
    const schedule = planSchedule(spec, names, xoroshiro128plus(42));
    assert.deepEqual(schedule, planSchedule(spec, names, xoroshiro128plus(42)), 'same seed, same schedule');
    const path = join(mkdtempSync(join(tmpdir(), 'fl-nem-')), 'history.jsonl');
    const recorder = new HistoryRecorder(path);
    const summary = await runNemesisSchedule({
      schedule,
      remotes: cluster.nodes,
      recorder,
      features,
      processes: hooks,
    });
    recorder.close();
    assert.deepEqual(summary.errors, []);
    assert.equal(summary.aborted, false);

    const history = readHistoryJsonl(path).ops;
    const starts = history.filter((o) => o.f.startsWith('start-'));
    assert.equal(starts.length, schedule.filter((e) => e.action === 'start').length);
    assert.ok(history.every((o) => o.process === 'nemesis' && o.type === 'info'));
    for (const s of starts) {
      const value = JSON.stringify(s.value);
      assert.match(value, /n[123]/, `${s.f} does not say which node: ${value}`);
    }
    const windows = faultWindows(history);
    assert.ok(windows.length >= 3);
    assert.ok(
      windows.every((w) => w.endIndex !== null),
      'a fault window was never closed',
    );
    await assertHealed();
  });

  test('an abort midway (Ctrl-C) stops at once, closes every window and heals', async () => {
    const schedule = planSchedule(
      { ...spec, durationMs: 60_000, holdMs: 20_000, intervalMs: 100 },
      infos.map((n) => n.name),
      xoroshiro128plus(7),
    );
    const path = join(mkdtempSync(join(tmpdir(), 'fl-nem-')), 'history.jsonl');
    const recorder = new HistoryRecorder(path);
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 1500);
    const began = Date.now();
    const summary = await runNemesisSchedule({
      schedule,
      remotes: cluster.nodes,
      recorder,
      features,
      processes: hooks,
      signal: controller.signal,
    });
    recorder.close();
    assert.equal(summary.aborted, true);
    assert.ok(Date.now() - began < 30_000, 'the abort did not stop the schedule');
    const history = readHistoryJsonl(path).ops;
    assert.ok(
      history.some((o) => o.f.startsWith('start-')),
      'some fault started before the abort',
    );
    assert.ok(
      faultWindows(history).every((w) => w.endIndex !== null),
      'a window left open after abort',
    );
    assert.ok(history.filter((o) => o.f.startsWith('stop-')).some((o) => JSON.stringify(o.value).includes('aborted')));
    await assertHealed();
  });
});
