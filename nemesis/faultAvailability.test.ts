import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeUnavailable, faultAvailability, faultNames } from './faultAvailability.ts';
import { kernelWithoutNetem } from './testing/kernels.ts';

const thisKernel = kernelWithoutNetem;

test('on this kernel: loss and rate fall back, delay/duplicate/corrupt/reorder are unavailable with the reason', () => {
  const a = faultAvailability(thisKernel, [...faultNames]);
  const by = new Map(a.map((x) => [x.fault, x]));
  assert.match(by.get('loss')?.via ?? '', /statistic/);
  assert.match(by.get('rate')?.via ?? '', /tbf/);
  for (const f of ['delay', 'duplicate', 'corrupt', 'reorder'] as const) {
    assert.equal(by.get(f)?.available, false);
    assert.match(by.get(f)?.reason ?? '', /netem/);
  }
  assert.equal(by.get('partition')?.available, true);
  assert.deepEqual(describeUnavailable(a).length, 4);
});

test('with netem all packet faults use it; without iptables nothing network-level is possible', () => {
  const netem = faultAvailability({ ...thisKernel, netem: true }, ['delay', 'loss', 'rate']);
  assert.ok(netem.every((x) => x.available && x.via === 'tc netem'));
  const bare = faultAvailability({ ...thisKernel, iptables: false, statistic: false, tbf: false }, [
    'partition',
    'loss',
    'rate',
  ]);
  assert.ok(bare.every((x) => !x.available && (x.reason ?? '').length > 0));
});

test('clock: libfaketime in docker, the real clock on ssh hosts', () => {
  assert.equal(faultAvailability({ ...thisKernel, faketime: false }, ['clock'])[0]?.available, false);
  assert.match(
    faultAvailability({ ...thisKernel, faketime: false }, ['clock'], { backend: 'ssh' })[0]?.via ?? '',
    /date -s/,
  );
});
