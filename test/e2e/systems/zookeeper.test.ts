// ZooKeeper on three containers, end to end through `faultline run`: the real-systems row where a partition
// cuts off a follower whose clients keep reading from it. Sequential consistency must hold every time;
// linearizability is caught violated when the cut-off follower served a stale read (a miss is printed).
// Skips when no Docker engine answers.
import { test } from 'node:test';
import { dockerSkip } from '../dockerEngine.ts';
import { runRealSystemRow } from './realSystemRow.ts';

const skip = dockerSkip('zookeeper e2e');

test(
  'zookeeper, a partitioned follower: stays sequentially consistent, stale reads caught not linearizable',
  { skip, timeout: 600_000 },
  async (t) => {
    await runRealSystemRow(t, 'examples/real/zookeeper-partitioned-follower.yaml');
  },
);
