import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faultWindows, type HistoryOp } from '../checkers/history.ts';
import type { RecordInput } from '../harness/history/recorder.ts';
import type { ProcessHooks } from './faults/process.ts';
import { ScriptedRemote } from './testing/scriptedRemote.ts';
import { runNemesisSchedule } from './nemesisRunner.ts';
import type { ScheduledEvent } from './schedule.ts';
import { kernelWithoutNetem } from './testing/kernels.ts';

const features = kernelWithoutNetem;

function cluster() {
  // iptables -C (is the jump there?) and -F of a missing chain answer 1, as the real tool does.
  const answer = (argv: readonly string[]) => (argv[0] === 'iptables' && argv[2] === '-C' ? { exitCode: 1 } : {});
  return ['n1', 'n2', 'n3'].map((n, i) => new ScriptedRemote(n, `10.0.0.${i + 1}`, answer));
}

function memoryRecorder() {
  const ops: HistoryOp[] = [];
  return {
    ops,
    record: (input: RecordInput) => ops.push({ ...input, index: ops.length, time: input.time ?? ops.length }),
  };
}

function fakeHooks(log: string[], primary = 'n2'): ProcessHooks {
  const h = (what: string) => (node: string) => {
    log.push(`${what} ${node}`);
    return Promise.resolve();
  };
  return {
    kill: h('kill'),
    start: h('start'),
    pause: h('pause'),
    resume: h('resume'),
    ready: () => Promise.resolve(true),
    primary: () => Promise.resolve(primary),
  };
}

test('runs the timeline, records each start and stop with what was done to which node', async () => {
  const remotes = cluster();
  const recorder = memoryRecorder();
  const log: string[] = [];
  const schedule: ScheduledEvent[] = [
    { atMs: 0, action: 'start', id: 0, fault: { kind: 'partition', topology: 'primary' } },
    { atMs: 5, action: 'start', id: 1, fault: { kind: 'kill', targets: { nodes: ['n3'] } } },
    { atMs: 10, action: 'stop', id: 1, fault: { kind: 'kill', targets: { nodes: ['n3'] } } },
    { atMs: 15, action: 'stop', id: 0, fault: { kind: 'partition', topology: 'primary' } },
  ];
  const summary = await runNemesisSchedule({ schedule, remotes, recorder, features, processes: fakeHooks(log) });
  assert.deepEqual(summary.errors, []);
  assert.deepEqual(
    recorder.ops.map((o) => o.f),
    ['start-partition', 'start-kill', 'stop-kill', 'stop-partition'],
  );
  assert.ok(recorder.ops.every((o) => o.process === 'nemesis' && o.type === 'info'));
  const partition = recorder.ops[0]!.value as { grudge: Record<string, string[]> };
  assert.deepEqual(partition.grudge.n2, ['n1', 'n3'], 'the primary (n2) was isolated');
  assert.deepEqual(log, ['kill n3', 'start n3']);
  // The primary's node dropped both peers' addresses.
  assert.ok(remotes[1]!.calls.some((c) => c.join(' ') === 'iptables -w -A FAULTLINE -s 10.0.0.1,10.0.0.3 -j DROP'));
  const windows = faultWindows(recorder.ops);
  assert.deepEqual(
    windows.map((w) => [w.fault, w.end > w.start || w.endIndex !== null]),
    [
      ['partition', true],
      ['kill', true],
    ],
  );
});

test('an abort stops every active fault (newest first), records why, and heals everything', async () => {
  const remotes = cluster();
  const recorder = memoryRecorder();
  const log: string[] = [];
  const controller = new AbortController();
  const schedule: ScheduledEvent[] = [
    {
      atMs: 0,
      action: 'start',
      id: 0,
      fault: { kind: 'clock', targets: { nodes: ['n1'] }, clock: { kind: 'bump', offsetMs: 5000 } },
    },
    { atMs: 0, action: 'start', id: 1, fault: { kind: 'pause', targets: { nodes: ['n2'] } } },
    { atMs: 60_000, action: 'stop', id: 1, fault: { kind: 'pause', targets: { nodes: ['n2'] } } },
    {
      atMs: 60_000,
      action: 'stop',
      id: 0,
      fault: { kind: 'clock', targets: { nodes: ['n1'] }, clock: { kind: 'bump', offsetMs: 5000 } },
    },
  ];
  // Aborted once both faults are in place (not after a fixed delay, which a loaded machine can outrun).
  const hooks = fakeHooks(log);
  const plain = fakeHooks(log);
  hooks.pause = async (node) => {
    await plain.pause(node);
    setTimeout(() => {
      controller.abort();
    }, 30);
  };
  const began = Date.now();
  const summary = await runNemesisSchedule({
    schedule,
    remotes,
    recorder,
    features,
    processes: hooks,
    signal: controller.signal,
  });
  assert.ok(Date.now() - began < 5000, 'did not wait for the schedule');
  assert.equal(summary.aborted, true);
  assert.deepEqual(
    recorder.ops.map((o) => o.f),
    ['start-clock', 'start-pause', 'stop-pause', 'stop-clock'],
  );
  assert.equal((recorder.ops[2]!.value as { reason: string }).reason, 'aborted');
  assert.deepEqual(log, ['pause n2', 'resume n2']);
  assert.equal(remotes[0]!.files.get('/var/run/faultline/faketime'), '+0\n');
  assert.equal(summary.heal.length, 3, 'healAll ran on every node');
});

test('a fault that cannot start is recorded with its error, its window closed, and the run goes on', async () => {
  const remotes = cluster();
  const recorder = memoryRecorder();
  const schedule: ScheduledEvent[] = [
    { atMs: 0, action: 'start', id: 0, fault: { kind: 'kill', targets: { primary: true } } },
    { atMs: 1, action: 'stop', id: 0, fault: { kind: 'kill', targets: { primary: true } } },
    {
      atMs: 2,
      action: 'start',
      id: 1,
      fault: { kind: 'packet', targets: { nodes: ['n1'] }, behaviors: { delay: { ms: 10 } } },
    },
    {
      atMs: 3,
      action: 'stop',
      id: 1,
      fault: { kind: 'packet', targets: { nodes: ['n1'] }, behaviors: { delay: { ms: 10 } } },
    },
  ];
  const summary = await runNemesisSchedule({ schedule, remotes, recorder, features });
  assert.equal(summary.errors[0]?.kind, 'kill');
  assert.match(recorder.ops[0]?.error ?? '', /system hooks/);
  const packet = recorder.ops.find((o) => o.f === 'start-packet')!.value as {
    unavailable: { fault: string; reason: string }[];
  };
  assert.equal(packet.unavailable[0]?.fault, 'delay', 'an unavailable behaviour is recorded, not skipped silently');
  assert.equal(faultWindows(recorder.ops).length, 2);
  assert.ok(faultWindows(recorder.ops).every((w) => w.endIndex !== null));
});

test('events carry the label in words and the kind colour; a packet fault mixing loss and delay runs the loss here', async () => {
  const answer = (argv: readonly string[]) =>
    argv[0] === 'iptables' && argv[2] === '-C'
      ? { exitCode: 1 }
      : argv[0] === 'ip'
        ? { stdout: 'x dev eth0 src y' }
        : {};
  const remotes = ['n1', 'n2', 'n3'].map((n, i) => new ScriptedRemote(n, `10.0.0.${i + 1}`, answer));
  const recorder = memoryRecorder();
  const mixed = {
    kind: 'packet' as const,
    targets: { nodes: ['n3'] },
    behaviors: { loss: { percent: 50 }, delay: { ms: 10 } },
  };
  const schedule: ScheduledEvent[] = [
    { atMs: 0, action: 'start', id: 0, fault: mixed },
    { atMs: 1, action: 'stop', id: 0, fault: mixed },
  ];
  const summary = await runNemesisSchedule({ schedule, remotes, recorder, features });
  assert.deepEqual(summary.errors, []);
  const [start] = faultWindows(recorder.ops);
  assert.equal(start?.label, '50 % loss on n3 (delay unavailable)');
  assert.match(start?.color ?? '', /^#[0-9a-f]{6}$/);
  const value = start?.value as { applied: string[]; unavailable: { fault: string }[] };
  assert.deepEqual(value.applied, ['loss']);
  assert.deepEqual(
    value.unavailable.map((u) => u.fault),
    ['delay'],
  );
  // The loss ran: n1 and n2 drop half their packets to n3, through iptables statistic.
  assert.ok(
    remotes[0]!.calls.some((c) => c.includes('FAULTLINE-LOSS') && c.includes('statistic') && c.includes('10.0.0.3')),
  );
});

test('a start is in the history before the fault is applied, and an apply that fails closes its window', async () => {
  const remotes = cluster();
  const recorder = memoryRecorder();
  const seen: string[] = [];
  const hooks = fakeHooks([]);
  hooks.kill = (node) => {
    seen.push(recorder.ops.map((o) => o.f).join(','));
    return Promise.reject(new Error(`no such process on ${node}`));
  };
  const kill = { kind: 'kill' as const, targets: { nodes: ['n2'] } };
  const schedule: ScheduledEvent[] = [
    { atMs: 0, action: 'start', id: 0, fault: kill },
    { atMs: 1, action: 'stop', id: 0, fault: kill },
  ];
  const summary = await runNemesisSchedule({ schedule, remotes, recorder, features, processes: hooks });
  assert.deepEqual(seen, ['start-kill'], 'the start was recorded when the kill ran');
  assert.deepEqual(
    recorder.ops.map((o) => o.f),
    ['start-kill', 'stop-kill'],
  );
  assert.match(recorder.ops[1]?.error ?? '', /could not start: no such process on n2/);
  assert.equal(summary.errors[0]?.action, 'start');
  assert.equal(faultWindows(recorder.ops)[0]?.label, 'n2 killed');
});

test('a fault that took long to start still holds its planned time once in force', async () => {
  const remotes = cluster();
  const times: { f: string; at: number }[] = [];
  const log: string[] = [];
  // Naming the primary takes 150 ms (a slow status call); the partition is planned to hold 100 ms.
  const hooks: ProcessHooks = {
    ...fakeHooks(log),
    primary: () =>
      new Promise((resolve) =>
        setTimeout(() => {
          resolve('n2');
        }, 150),
      ),
  };
  const fault = { kind: 'partition', topology: 'primary' } as const;
  await runNemesisSchedule({
    schedule: [
      { atMs: 0, action: 'start', id: 0, fault },
      { atMs: 100, action: 'stop', id: 0, fault },
    ],
    remotes,
    recorder: { record: (o) => times.push({ f: o.f, at: Date.now() }) },
    features,
    processes: hooks,
  });
  const start = times.find((t) => t.f === 'start-partition')!.at;
  const stop = times.find((t) => t.f === 'stop-partition')!.at;
  // Recorded before apply; in force a little later, then held 100 ms: never stopped at the planned 100 ms mark.
  assert.ok(stop - start >= 100, `held ${stop - start} ms`);
});

test('with minHold, a start too late to hold it before the window ends is skipped, not started and cut short', async () => {
  const remotes = cluster();
  const recorder = memoryRecorder();
  const fault = { kind: 'partition', topology: 'one', grudge: { n1: ['n2'], n2: ['n1'] } } as const;
  const summary = await runNemesisSchedule({
    schedule: [
      { atMs: 0, action: 'start', id: 0, fault },
      { atMs: 20, action: 'stop', id: 0, fault },
      { atMs: 1500, action: 'start', id: 1, fault },
      { atMs: 1600, action: 'stop', id: 1, fault },
    ],
    remotes,
    recorder,
    features,
    // The window ends 3 s from now, and a fault must hold 2 s: only the first start fits (by a second).
    minHold: { ms: 2000, windowEndsAt: Date.now() + 3000 },
  });
  assert.deepEqual(summary.skipped, [{ id: 1, kind: 'partition' }]);
  assert.deepEqual(
    recorder.ops.map((o) => o.f),
    ['start-partition', 'stop-partition'],
  );
  assert.deepEqual(summary.errors, []);
});
