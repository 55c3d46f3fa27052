import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import {
  escapeControl,
  integerRanges,
  opAt,
  seconds,
  secondsSpan,
  showValue,
  summariseSteps,
  valueList,
} from './explanationText.ts';

test('times are seconds from the start of the run, never raw nanoseconds', () => {
  assert.equal(seconds(25_900_179_356), '25.900 s');
  assert.equal(secondsSpan(26_512_000_000, 38_249_000_000), '26.5-38.2 s');
  assert.equal(secondsSpan(1_000_000_000, 1_010_000_000), '1.0 s');
  assert.equal(opAt({ id: 360, call: 3_000_000_000 }), 'op 360 at 3.000 s');
  assert.equal(seconds(Infinity), 'never');
});

test('control and direction characters in returned values are escaped; nothing raw reaches the reader', () => {
  assert.equal(escapeControl('a\nb\u001b[2Jc\u202ed'), 'a\\nb\\u001b[2Jc\\u202ed');
  assert.equal(showValue('x\ty'), 'x\\ty');
  assert.equal(showValue({ k: '\u0085' }), '{"k":"\\u0085"}');
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
      const out = showValue(s);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(out, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    }),
  );
});

test('a long value is cut and its length named', () => {
  const big = Array.from({ length: 5000 }, (_, i) => i);
  const out = showValue(big);
  assert.ok(out.length < 200, out);
  assert.match(out, /… \(2\d,\d{3} characters\)$/);
});

test('integer ranges cover exactly the given integers (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -50, max: 200 }), { maxLength: 80 }), (values) => {
      const text = integerRanges(values, 1000);
      const back = new Set<number>();
      if (text !== '') {
        for (const part of text.split(', ')) {
          const m = /^(-?\d+)(?:-(-?\d+))?$/.exec(part);
          assert.ok(m, part);
          const lo = Number(m[1]);
          const hi = m[2] === undefined ? lo : Number(m[2]);
          for (let v = lo; v <= hi; v++) back.add(v);
        }
      }
      assert.deepEqual(
        [...back].sort((a, b) => a - b),
        [...new Set(values)].sort((a, b) => a - b),
      );
    }),
  );
  assert.equal(integerRanges([666, 667, 668, 1000, 3, 1, 2]), '1-3, 666-668, 1000');
  assert.equal(integerRanges([1, 3, 5, 7], 2), '1, 3, … and 2 more ranges');
  assert.equal(valueList(['a', 'b\n']), 'a, b\\n');
});

test('a cycle longer than a dozen steps keeps its first and last steps and counts the rest', () => {
  const steps = Array.from({ length: 200 }, (_, i) => `step ${i}`);
  const text = summariseSteps(steps);
  assert.match(text, /^step 0; /);
  assert.match(text, /; step 199$/);
  assert.match(text, /188 more steps/);
  assert.doesNotMatch(text, /step 100;/);
  assert.equal(summariseSteps(steps.slice(0, 12)), steps.slice(0, 12).join('; '));
});

test('register checkers name ops by id with seconds and escape what the system returned', async () => {
  const { pairOperations } = await import('./history.ts');
  const { checkSequential } = await import('./sequential/sequential.ts');
  const { checkSessionGuarantees } = await import('./session/sessionGuarantees.ts');
  const hostile = 'x\u001b[2J\u202e';
  const ops = pairOperations([
    { index: 0, time: 1_500_000_000, type: 'invoke', process: 0, f: 'write', value: 'a', key: 'k\n' },
    { index: 1, time: 1_600_000_000, type: 'ok', process: 0, f: 'write', value: 'a', key: 'k\n' },
    { index: 2, time: 2_500_000_000, type: 'invoke', process: 1, f: 'read', value: null, key: 'k\n' },
    { index: 3, time: 2_600_000_000, type: 'ok', process: 1, f: 'read', value: hostile, key: 'k\n' },
  ]);
  for (const result of [checkSequential(ops), checkSessionGuarantees(['monotonic-reads'], ops)]) {
    assert.equal(result.valid, false);
    const text = result.anomalies[0]!.explanation;
    assert.match(text, /process 1 read k\\n=x\\u001b\[2J\\u202e \(op 1 at 2\.500 s\)/);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(text, /[\u0000-\u001f\u202e]/);
  }
});
