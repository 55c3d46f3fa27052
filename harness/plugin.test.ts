// The plug-in API is public: user modules and the reference systems build against it. Pinning its runtime
// exports makes any change show up as a diff in review (types are pinned by the systems that compile against it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as plugin from './plugin.ts';
import { systemDefinitionProblems } from './run/resolveSystem.ts';

test('the runtime exports of harness/plugin.ts', () => {
  assert.deepEqual(Object.keys(plugin).sort(), [
    'RemoteCommandError',
    'defineSystem',
    'execOrThrow',
    'freePorts',
    'shellQuote',
  ]);
});

test('defineSystem returns its definition, which the loader accepts', () => {
  const system = plugin.defineSystem({
    name: 'x',
    description: 'y',
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    kill: () => Promise.resolve(),
    pause: () => Promise.resolve(),
    resume: () => Promise.resolve(),
    client: () =>
      Promise.resolve({ invoke: () => Promise.resolve({ type: 'ok', value: null }), close: () => Promise.resolve() }),
  });
  assert.deepEqual(systemDefinitionProblems(system), []);
  assert.deepEqual(systemDefinitionProblems({ name: 'x', start: 1 }), [
    '"start" must be a function',
    '"stop" must be a function',
    '"kill" must be a function',
    '"pause" must be a function',
    '"resume" must be a function',
    '"client" must be a function',
  ]);
});
