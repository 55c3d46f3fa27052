import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskRunner } from './taskRunner.ts';

function push(events: string[], event: string): () => Promise<void> {
  return () => {
    events.push(event);
    return Promise.resolve();
  };
}

test('teardowns run newest first, including the one whose setup threw, and not later tasks', async () => {
  const events: string[] = [];
  const runner = new TaskRunner<null>()
    .addTask({
      title: 'a',
      setup: push(events, 'setup a'),
      teardown: push(events, 'teardown a'),
    })
    .addTask({
      title: 'b',
      setup: () => {
        events.push('setup b');
        return Promise.reject(new Error('b broke halfway'));
      },
      teardown: push(events, 'teardown b'),
    })
    .addTask({
      title: 'c',
      setup: push(events, 'setup c'),
      teardown: push(events, 'teardown c'),
    });
  const result = await runner.run(null);
  assert.equal(result.status, 'failed');
  assert.deepEqual(events, ['setup a', 'setup b', 'teardown b', 'teardown a']);
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0]!.task, 'b');
});

test('a teardown error is soft: the other teardowns still run and the cause is kept', async () => {
  const events: string[] = [];
  const runner = new TaskRunner<null>()
    .addTask({ title: 'nodes', teardown: push(events, 'destroy nodes') })
    .addTask({
      title: 'faults',
      teardown: () => Promise.reject(new Error('heal failed')),
    })
    .addTask({ title: 'work', setup: () => Promise.reject(new Error('root cause')) });
  const result = await runner.run(null);
  assert.deepEqual(events, ['destroy nodes']);
  assert.match(String(result.errors[0]!.error), /root cause/);
  assert.match(String(result.softErrors[0]!.error), /heal failed/);
});

test('an interrupt aborts the running setup and still tears everything down', async () => {
  const events: string[] = [];
  let interrupt!: () => void;
  const interrupted = new Promise<void>((r) => (interrupt = r));
  const runner = new TaskRunner<null>({ interrupted })
    .addTask({ title: 'nodes', setup: () => Promise.resolve(), teardown: push(events, 'destroy nodes') })
    .addTask({
      title: 'workload',
      setup: (_c, signal) =>
        new Promise<void>((resolve) => {
          setTimeout(interrupt, 20);
          signal.addEventListener('abort', () => {
            events.push('workload saw abort');
            resolve();
          });
        }),
      teardown: push(events, 'stop clients'),
    })
    .addTask({ title: 'never', setup: push(events, 'never ran') });
  const result = await runner.run(null);
  assert.equal(result.status, 'interrupted');
  assert.deepEqual(events, ['workload saw abort', 'stop clients', 'destroy nodes']);
});

test('a hung teardown times out on its own budget and the rest continue', async () => {
  const events: string[] = [];
  const runner = new TaskRunner<null>({ teardownTimeoutMs: 30 })
    .addTask({ title: 'first', teardown: push(events, 'first') })
    .addTask({ title: 'hangs', teardown: () => new Promise<void>(() => undefined) });
  const result = await runner.run(null);
  assert.equal(result.status, 'passed');
  assert.deepEqual(events, ['first']);
  assert.match(String(result.softErrors[0]!.error), /did not finish within 30 ms/);
});

test('a failure from outside the setups (an unhandled rejection) fails the run at once and tears down', async () => {
  const events: string[] = [];
  let fail!: (e: Error) => void;
  const failed = new Promise<Error>((r) => (fail = r));
  const runner = new TaskRunner<null>({ failed })
    .addTask({ title: 'nodes', setup: () => Promise.resolve(), teardown: push(events, 'destroy nodes') })
    .addTask({
      title: 'workload',
      setup: (_c, signal) =>
        new Promise<void>((resolve) => {
          setTimeout(() => {
            fail(new Error('a plug-in promise rejected'));
          }, 20);
          signal.addEventListener('abort', () => {
            events.push('workload saw abort');
            resolve();
          });
        }),
      teardown: push(events, 'stop clients'),
    })
    .addTask({ title: 'never', setup: push(events, 'never ran') });
  const result = await runner.run(null);
  assert.equal(result.status, 'failed');
  assert.equal(result.errors[0]!.task, 'workload');
  assert.match(String(result.errors[0]!.error), /a plug-in promise rejected/);
  assert.deepEqual(events, ['workload saw abort', 'stop clients', 'destroy nodes']);
});
