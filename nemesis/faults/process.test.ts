import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScriptedRemote } from '../testing/scriptedRemote.ts';
import { healAll } from '../healAll.ts';
import { killedMarkerFile, killNodes, pausedPidsFile, pauseNodes, restartNodes, type ProcessHooks } from './process.ts';

/** A node whose processes' states follow SIGSTOP/SIGCONT, so `ps` answers as a real one would. */
function nodeWithProcesses(states: Map<number, string>) {
  return new ScriptedRemote('n1', '10.0.0.1', (argv) => {
    if (argv[0] === 'ps') return { stdout: [...states].map(([pid, s]) => `${pid} ${s}`).join('\n') + '\n' };
    if (argv[0] === 'kill' && argv[2] === 'CONT') for (const p of argv.slice(3)) states.set(Number(p), 'S');
    return {};
  });
}

/** Hooks that do nothing but what the test overrides. */
function hooksWith(overrides: Partial<ProcessHooks>): ProcessHooks {
  const none = () => Promise.resolve();
  return { kill: none, start: none, pause: none, resume: none, ...overrides };
}

test('a pause cut short between SIGSTOP and the pid list is still healed: only the processes it stopped resume', async () => {
  // 100 was stopped before the pause (not faultline's doing); 200 and 300 are the system's.
  const states = new Map([
    [1, 'Ss'],
    [100, 'T'],
    [200, 'S'],
    [300, 'Sl'],
  ]);
  const remote = nodeWithProcesses(states);
  const hooks = hooksWith({
    // SIGSTOP, then the harness dies: the hook never returns, so no pid list is ever written.
    pause: () => {
      states.set(200, 'T');
      states.set(300, 'Tl');
      return new Promise<void>(() => undefined);
    },
  });
  void pauseNodes(hooks, [remote], ['n1']);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(remote.files.has(pausedPidsFile), false, 'killed before the pid list');
  // What `faultline clean --heal` runs, with only the node's files to go on.
  const [report] = await healAll([remote]);
  assert.ok(report?.healed.includes('pause'));
  assert.deepEqual(remote.callsOf('kill', '-s', 'CONT'), [['kill', '-s', 'CONT', '200', '300']]);
  assert.equal(states.get(100), 'T', 'a process stopped before the pause is left alone');
  const [again] = await healAll([remote]);
  assert.ok(!again?.healed.includes('pause'), 'nothing paused the second time');
  assert.equal(remote.callsOf('kill', '-s', 'CONT').length, 1);
});

test('a kill leaves a marker before it acts, heal reports the system down, a restart removes the marker', async () => {
  const remote = nodeWithProcesses(new Map([[1, 'Ss']]));
  let markedWhenKilled = false;
  const hooks = hooksWith({
    kill: () => {
      markedWhenKilled = remote.files.has(killedMarkerFile);
      return Promise.resolve();
    },
  });
  await killNodes(hooks, ['n1'], [remote]);
  assert.ok(markedWhenKilled);
  assert.deepEqual((await healAll([remote]))[0]?.left, ['kill']);
  await restartNodes(hooks, ['n1'], {}, [remote]);
  assert.deepEqual((await healAll([remote]))[0]?.left, []);
});

test('a SIGSTOP that shows in ps only after the hook returned is still noted, and healed after a crash', async () => {
  const states = new Map([
    [1, 'Ss'],
    [200, 'S'],
  ]);
  const remote = nodeWithProcesses(states);
  const hooks = hooksWith({
    // As on a loaded machine: kill returned, the stop is in force a moment later.
    pause: () => {
      setTimeout(() => states.set(200, 'T'), 300);
      return Promise.resolve();
    },
  });
  await pauseNodes(hooks, [remote], ['n1']);
  assert.equal(remote.files.get(pausedPidsFile)?.toString(), '200\n');
  const [report] = await healAll([remote]);
  assert.ok(report?.healed.includes('pause'), JSON.stringify(report));
  assert.equal(states.get(200), 'S');
});

test('a pause whose stop never shows keeps its intent: heal resumes what stopped since it began', async () => {
  const states = new Map([
    [1, 'Ss'],
    [200, 'S'],
  ]);
  const remote = nodeWithProcesses(states);
  const hooks = hooksWith({});
  await pauseNodes(hooks, [remote], ['n1']);
  assert.equal(remote.files.has(pausedPidsFile), false);
  states.set(200, 'T'); // the stop lands after the pause gave up looking
  const [report] = await healAll([remote]);
  assert.ok(report?.healed.includes('pause'), JSON.stringify(report));
  assert.equal(states.get(200), 'S');
});
