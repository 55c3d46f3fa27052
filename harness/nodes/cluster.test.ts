import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { cidrRange, nodeAddress, owner, ownerAlive } from './cluster.ts';

describe('cluster addressing', () => {
  it('cidrRange gives the first and last address of a block, ignoring host bits', () => {
    assert.deepEqual(cidrRange('10.213.7.0/24'), [0x0ad50700, 0x0ad507ff]);
    assert.deepEqual(cidrRange('10.213.7.99/24'), [0x0ad50700, 0x0ad507ff]);
    assert.deepEqual(cidrRange('172.16.0.0/12'), [0xac100000, 0xac1fffff]);
    assert.deepEqual(cidrRange('0.0.0.0/0'), [0, 0xffffffff]);
  });

  it('rejects what is not an IPv4 CIDR', () => {
    assert.throws(() => cidrRange('10.213.7.0/33'));
    assert.throws(() => cidrRange('10.213.300.0/24'));
    assert.throws(() => cidrRange('fd00::/64'));
  });

  it('node i sits at .10+i of its subnet', () => {
    assert.equal(nodeAddress('10.213.7.0/24', 1), '10.213.7.11');
    assert.equal(nodeAddress('10.213.7.0/24', 5), '10.213.7.15');
    assert.equal(nodeAddress('192.168.200.0/24', 100), '192.168.200.110');
  });
});

describe('run ownership (what `clean` leaves alone)', () => {
  it('a run made by a process still running on this machine is live', () => {
    assert.equal(owner(), `${hostname()}:${process.pid}`);
    assert.equal(ownerAlive(owner()), true);
  });

  it('a run whose process has exited, or from another machine, or unlabelled, is not', () => {
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    assert.equal(ownerAlive(`${hostname()}:${exited.stdout}`), false);
    assert.equal(ownerAlive(`some-other-host:${process.pid}`), false);
    assert.equal(ownerAlive(undefined), false);
    assert.equal(ownerAlive('garbage'), false);
  });
});
