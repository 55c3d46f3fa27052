// The plug-in API is public: user modules and the reference systems build against it. Pinning its runtime
// exports makes any change show up as a diff in review (types are pinned by the systems that compile against it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as plugin from './plugin.ts';
import { UserError } from './errors.ts';
import { checkSystemServesWorkload, systemDefinitionProblems } from './run/resolveSystem.ts';

test('the runtime exports of harness/plugin.ts', () => {
  assert.deepEqual(Object.keys(plugin).sort(), [
    'RemoteCommandError',
    'defineSystem',
    'execOrThrow',
    'freePorts',
    'shellQuote',
    'uploadFiles',
  ]);
});

const minimalSystem = (): plugin.SystemDefinition => ({
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

test('defineSystem returns its definition, which the loader accepts', () => {
  const system = plugin.defineSystem(minimalSystem());
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

test("a system's workloads and network are checked when given; one that names its workloads refuses another", () => {
  const system = { ...plugin.defineSystem(minimalSystem()), workloads: ['list-append'] };
  assert.deepEqual(systemDefinitionProblems(system), []);
  assert.deepEqual(systemDefinitionProblems({ ...system, workloads: 'list-append' }), [
    '"workloads" must be a list of workload names when given',
  ]);
  assert.deepEqual(systemDefinitionProblems({ ...system, network: { partition: () => undefined } }), [
    '"network.shape" must be a function',
    '"network.heal" must be a function',
    '"network.packetBehaviors" must be a list of behaviour names',
  ]);
  checkSystemServesWorkload(system, 'list-append', 'c.yaml');
  checkSystemServesWorkload(minimalSystem(), 'set', 'c.yaml');
  assert.throws(
    () => {
      checkSystemServesWorkload(system, 'set', 'c.yaml', { line: 4, column: 18 });
    },
    (e: unknown) =>
      e instanceof UserError &&
      e.exitCode === 64 &&
      e.message === 'c.yaml:4:18 workload.name: x does not serve the set workload' &&
      e.hint === 'x serves list-append (see `faultline list`)',
  );
});
