import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { planSchedule, scheduleProblems, type FaultKind, type FaultPlan, type ScheduleSpec } from './schedule.ts';

const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];
const allFaults: FaultPlan[] = [
  {
    kind: 'partition',
    topologies: ['one', 'halves', 'majorities-ring', 'bridge', 'primary', { grudge: { n1: ['n2'] } }],
  },
  { kind: 'packet' },
  { kind: 'clock' },
  { kind: 'kill', targets: ['one', 'primary'] },
  { kind: 'pause', targets: ['minority'] },
];
const specs = fc
  .record({
    faults: fc.subarray(allFaults, { minLength: 1 }),
    intervalMs: fc.integer({ min: 50, max: 20_000 }),
    holdMs: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: undefined }),
    durationMs: fc.integer({ min: 1, max: 120_000 }),
    overlap: fc.option(fc.boolean(), { nil: undefined }),
  })
  .map((s) => {
    const spec: ScheduleSpec = { faults: s.faults, intervalMs: s.intervalMs, durationMs: s.durationMs };
    if (s.holdMs !== undefined) spec.holdMs = s.holdMs;
    if (s.overlap !== undefined) spec.overlap = s.overlap;
    return spec;
  });
const lane = (k: FaultKind) => (k === 'kill' || k === 'pause' ? 'process' : k);

test('the same seed gives the same schedule', () => {
  fc.assert(
    fc.property(specs, fc.integer(), (spec, seed) => {
      assert.deepEqual(
        planSchedule(spec, nodes, xoroshiro128plus(seed)),
        planSchedule(spec, nodes, xoroshiro128plus(seed)),
      );
    }),
  );
});

test('every start has one later stop inside the window, and lanes never overlap themselves', () => {
  fc.assert(
    fc.property(specs, fc.integer(), (spec, seed) => {
      const events = planSchedule(spec, nodes, xoroshiro128plus(seed));
      const open = new Map<number, string>();
      const busy = new Map<string, number>();
      let last = 0;
      for (const e of events) {
        assert.ok(e.atMs >= last, 'sorted by time');
        last = e.atMs;
        assert.ok(e.atMs >= 0 && e.atMs <= spec.durationMs, 'inside the window');
        const l = spec.overlap === false ? 'all' : lane(e.fault.kind);
        if (e.action === 'start') {
          assert.ok(!busy.has(l), `two ${l} faults at once at ${e.atMs}`);
          busy.set(l, e.id);
          open.set(e.id, l);
        } else {
          assert.equal(open.get(e.id), l, 'a stop without its start');
          open.delete(e.id);
          busy.delete(l);
        }
      }
      assert.equal(open.size, 0, 'a fault left running at the end of the window');
      assert.ok(
        spec.faults.every((f) => f.kind) && events.every((e) => spec.faults.some((f) => f.kind === e.fault.kind)),
      );
    }),
  );
});

test('faults of different kinds may overlap when allowed', () => {
  const events = planSchedule(
    { faults: [{ kind: 'partition' }, { kind: 'clock' }], intervalMs: 100, holdMs: 1000, durationMs: 60_000 },
    nodes,
    xoroshiro128plus(7),
  );
  let active = 0;
  let most = 0;
  for (const e of events) {
    active += e.action === 'start' ? 1 : -1;
    most = Math.max(most, active);
  }
  assert.equal(most, 2);
  const partitions = events.filter((e) => e.fault.kind === 'partition' && e.action === 'start');
  assert.ok(partitions.length > 10);
  assert.ok(
    partitions.every((e) => e.fault.kind === 'partition' && e.fault.grudge !== undefined),
    'grudges are fixed at plan time',
  );
});

test('a bad interval or duration is refused', () => {
  assert.throws(
    () => planSchedule({ faults: [{ kind: 'kill' }], intervalMs: 0, durationMs: 10 }, nodes, xoroshiro128plus(1)),
    /intervalMs/,
  );
});

test('scheduleProblems collects every problem, naming the fault', () => {
  const problems = scheduleProblems(
    {
      faults: [
        { kind: 'partition', topologies: ['minority-third', { grudge: { n9: [] } }] },
        { kind: 'kill', targets: ['minority'] },
      ],
      intervalMs: 0,
      durationMs: 1000,
    },
    ['n1', 'n2'],
  );
  assert.equal(problems.length, 4, problems.join('\n'));
  assert.match(problems.join('\n'), /interval/);
  assert.match(problems.join('\n'), /partition: .*minority-third/);
  assert.match(problems.join('\n'), /n9/);
  assert.match(problems.join('\n'), /kill: 'minority' of 2/);
  assert.deepEqual(scheduleProblems({ faults: allFaults, intervalMs: 10, durationMs: 10 }, nodes), []);
});

test('with minHold, every fault stays at least that long, inside the window; a minHold no draw is under changes nothing', () => {
  fc.assert(
    fc.property(specs, fc.integer({ min: 1, max: 30_000 }), fc.integer(), (spec, minHoldMs, seed) => {
      const events = planSchedule({ ...spec, minHoldMs }, nodes, xoroshiro128plus(seed));
      const starts = new Map(events.filter((e) => e.action === 'start').map((e) => [e.id, e.atMs]));
      for (const e of events.filter((x) => x.action === 'stop')) {
        const held = e.atMs - starts.get(e.id)!;
        assert.ok(held >= minHoldMs, `fault ${e.id} held ${held} ms < minHold ${minHoldMs}`);
        assert.ok(e.atMs <= spec.durationMs);
      }
      // Every drawn hold is at least 1 ms: minHold 1 binds nothing, so the seed gives the schedule it always gave.
      assert.deepEqual(
        planSchedule({ ...spec, minHoldMs: 1 }, nodes, xoroshiro128plus(seed)),
        planSchedule(spec, nodes, xoroshiro128plus(seed)),
      );
    }),
  );
});

test('a fixed schedule starts and stops each fault exactly when given, the named fault or one drawn from the seed', () => {
  const faults: FaultPlan[] = [
    { kind: 'partition', topologies: ['primary'] },
    { kind: 'kill', targets: ['one'] },
  ];
  const fixed = [
    { startMs: 1000, stopMs: 7000, fault: 0 },
    { startMs: 2000, stopMs: 3000, fault: 1 },
    { startMs: 9000, stopMs: 12_000 },
  ];
  fc.assert(
    fc.property(fc.integer(), (seed) => {
      const spec: ScheduleSpec = { faults, intervalMs: 500, durationMs: 15_000, fixed };
      const events = planSchedule(spec, nodes, xoroshiro128plus(seed));
      assert.deepEqual(
        events.map((e) => [e.atMs, e.action, e.id]),
        [
          [1000, 'start', 0],
          [2000, 'start', 1],
          [3000, 'stop', 1],
          [7000, 'stop', 0],
          [9000, 'start', 2],
          [12_000, 'stop', 2],
        ],
      );
      assert.equal(events[0]!.fault.kind, 'partition');
      assert.equal(events[1]!.fault.kind, 'kill');
      assert.ok(['partition', 'kill'].includes(events[4]!.fault.kind));
      assert.deepEqual(events, planSchedule(spec, nodes, xoroshiro128plus(seed)));
      assert.deepEqual(scheduleProblems(spec, nodes), []);
    }),
  );
});

test('fixed times that cannot run are named by entry: reversed, past the window, unknown fault, two partitions at once', () => {
  const faults: FaultPlan[] = [{ kind: 'partition' }, { kind: 'kill' }];
  const spec = (fixed?: ScheduleSpec['fixed']): ScheduleSpec => ({
    faults,
    intervalMs: 500,
    durationMs: 10_000,
    ...(fixed !== undefined && { fixed }),
  });
  assert.deepEqual(scheduleProblems(spec([{ startMs: 3000, stopMs: 2000, fault: 0 }]), nodes), [
    'schedule.0: stop (2000 ms) must be after start (3000 ms)',
  ]);
  assert.match(scheduleProblems(spec([{ startMs: 0, stopMs: 11_000 }]), nodes).join(), /after the fault window ends/);
  assert.match(scheduleProblems(spec([{ startMs: 0, stopMs: 1000, fault: 2 }]), nodes).join(), /fault 2 is not in/);
  const twoPartitions = spec([
    { startMs: 0, stopMs: 5000, fault: 0 },
    { startMs: 4000, stopMs: 6000, fault: 0 },
  ]);
  assert.deepEqual(scheduleProblems(twoPartitions, nodes), [
    'schedule.1 overlaps schedule.0, and both may be partition faults, which cannot run at once',
  ]);
  // A partition during a kill is fine (different lanes), unless overlap is off.
  const mixed = spec([
    { startMs: 0, stopMs: 5000, fault: 0 },
    { startMs: 1000, stopMs: 2000, fault: 1 },
  ]);
  assert.deepEqual(scheduleProblems(mixed, nodes), []);
  assert.equal(scheduleProblems({ ...mixed, overlap: false }, nodes).length, 1);
  assert.match(scheduleProblems({ ...spec(), minHoldMs: 20_000 }, nodes).join(), /minHold must be/);
});
