import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ScriptedRemote } from '../testing/scriptedRemote.ts';
import { applyClockFault, clockEnv, clockLoopArgv, defaultClockFile, formatOffset, resetClock } from './clock.ts';

describe('clock faults (libfaketime)', () => {
  test('clockEnv points libfaketime at the control file and leaves monotonic clocks real', () => {
    const env = clockEnv({ timestampFile: '/tmp/f' });
    assert.equal(env.FAKETIME_TIMESTAMP_FILE, '/tmp/f');
    assert.equal(env.FAKETIME_DONT_FAKE_MONOTONIC, '1');
    assert.equal(env.FAKETIME_NO_CACHE, '1');
    // Timed waits on monotonic condition variables keep their deadlines (the JVM spins otherwise).
    assert.equal(env.FAKETIME_FORCE_MONOTONIC_FIX, '0');
    assert.match(env.LD_PRELOAD ?? '', /libfaketime\.so\.1$/);
  });

  test('formatOffset writes seconds as libfaketime reads them, and round-trips to the millisecond', () => {
    assert.equal(formatOffset(30_000), '+30');
    assert.equal(formatOffset(-600_000), '-600');
    assert.equal(formatOffset(1500), '+1.5');
    assert.equal(formatOffset(-5), '-0.005');
    assert.equal(formatOffset(0), '+0');
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), (ms) => {
        const s = formatOffset(ms);
        assert.match(s, /^[+-]\d+(\.\d{1,3})?$/);
        assert.equal(Math.round(Number(s) * 1000), ms);
      }),
    );
  });

  test('the loop carries every value as an argument, after a constant script', () => {
    const a = clockLoopArgv({ kind: 'strobe', deltaMs: 200, periodMs: 50, durationMs: 1000 }, '/x;rm -rf /');
    const b = clockLoopArgv({ kind: 'strobe', deltaMs: 9, periodMs: 7, durationMs: 3 }, '/y');
    assert.equal(a[2], b[2], 'the script does not depend on the values');
    assert.deepEqual(a.slice(4), ['strobe', '/x;rm -rf /', '200', '50', '1000']);
    assert.deepEqual(clockLoopArgv({ kind: 'drift', rate: 1.5 }, '/f').slice(4), ['drift', '/f', '500000', '100']);
    assert.throws(() => clockLoopArgv({ kind: 'drift', rate: 0 }, '/f'), /rate/);
  });

  test('bump writes the offset; strobe starts the loop; reset kills the loop and writes +0', async () => {
    const r = new ScriptedRemote('n1', '10.0.0.1');
    await applyClockFault(r, { kind: 'bump', offsetMs: -10_000 });
    assert.equal(r.files.get(defaultClockFile), '-10\n');
    await applyClockFault(r, { kind: 'strobe', deltaMs: 100, periodMs: 10, durationMs: 100 });
    assert.equal(r.daemons.length, 1);
    await resetClock(r);
    assert.equal(r.files.get(defaultClockFile), '+0\n');
    assert.ok(r.signals.every((s) => s.signal === 'SIGKILL' && s.name === 'faultline-clock'));
    assert.equal(r.signals.length, 3);
    assert.equal(r.calls.filter((c) => c[0] === 'date').length, 0, 'never touches the real clock');
  });
});
