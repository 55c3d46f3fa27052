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
