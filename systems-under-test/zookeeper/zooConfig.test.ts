import assert from 'node:assert/strict';
import { test } from 'node:test';
import { debianTiming, myid, serverMode, syncReadsOption, zooCfg, zooTiming } from './zooConfig.ts';

const nodes = [
  { name: 'n1', address: '10.0.0.11' },
  { name: 'n2', address: '10.0.0.12' },
  { name: 'n3', address: '10.0.0.13' },
];

test('zoo.cfg names every server by its myid, with the timing asked for', () => {
  const cfg = zooCfg(nodes, '/data/zk', { tickTime: 500, initLimit: 10, syncLimit: 4 }).split('\n');
  assert.ok(cfg.includes('server.1=10.0.0.11:2888:3888'));
  assert.ok(cfg.includes('server.3=10.0.0.13:2888:3888'));
  assert.ok(cfg.includes('tickTime=500'));
  assert.ok(cfg.includes('syncLimit=4'));
  assert.ok(cfg.includes('dataDir=/data/zk'));
  assert.equal(myid('n2', nodes), 2);
  assert.throws(() => myid('n9', nodes), /n9 is not in the cluster/);
});

test("timing defaults to Debian's zoo.cfg; a bad option is named", () => {
  assert.deepEqual(zooTiming({}), debianTiming);
  assert.equal(zooTiming({ syncLimit: 3 }).syncLimit, 3);
  assert.throws(() => zooTiming({ tickTime: '2s' }), /tickTime must be a positive integer/);
});

test('srvr: the Mode line, none when the server is not serving', () => {
  assert.equal(serverMode('Zookeeper version: 3.8.0\nZxid: 0x0\nMode: follower\nNode count: 5\n'), 'follower');
  assert.equal(serverMode('This ZooKeeper instance is not currently serving requests\n'), undefined);
});

test('syncReads: off unless set, and only true or false', () => {
  assert.equal(syncReadsOption({}), false);
  assert.equal(syncReadsOption({ syncReads: true }), true);
  assert.equal(syncReadsOption({ syncReads: false }), false);
  assert.throws(() => syncReadsOption({ syncReads: 'yes' }), /syncReads must be true or false/);
});
