// Item 8 of issue 16: every campaign mistake that can be found without nodes is found before any node (or
// run folder) exists, with file:line:col, the field and a hint; none gives a stack trace. The figures line
// (bad campaigns rejected of tried) is what the README's status table quotes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CampaignError, parseCampaign } from '../../harness/campaign/loadCampaign.ts';
import { UserError } from '../../harness/errors.ts';
import { runCampaign } from '../../harness/run/runCampaign.ts';

const base = 'name: bad\nsystem: tutorial-kv\nnodes: {backend: local, count: 3}\nworkload: {name: key-value}\n';
const aliasBomb =
  'name: bad\nsystem: tutorial-kv\nworkload: {name: register}\n' +
  'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n' +
  ['b', 'c', 'd', 'e', 'f', 'g', 'h']
    .map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`)
    .join('\n') +
  '\n';
const deepJson =
  '{"name": "bad", "system": "tutorial-kv", "workload": {"name": "register"}, "description": ' +
  '{"a": '.repeat(100_000) +
  '1' +
  '}'.repeat(100_000) +
  '}';

/** [what, campaign text, the error expected (file:line:col field: message)] */
const malformed: [string, string, RegExp][] = [
  [
    'an unknown target node, in a fault that may never be drawn',
    `${base}nemesis: {faults: [{kind: kill, targets: [one]}, {kind: pause, targets: [[n1, n9]]}]}\n`,
    /c\.yaml:5:\d+ nemesis\.faults\.1\.targets\.0\.1: no node is named "n9" \(the nodes are n1, n2, n3\)/,
  ],
  [
    'an unknown target node on ssh hosts',
    'name: bad\nsystem: tutorial-kv\nnodes: {backend: ssh, hosts: [{host: 10.0.0.1, name: db1}]}\n' +
      'workload: {name: register}\nnemesis: {faults: [{kind: kill, targets: [[n1]]}]}\n',
    /nemesis\.faults\.0\.targets\.0\.0: no node is named "n1" \(the nodes are db1\)/,
  ],
  [
    'a duration that overflows a timer',
    `${base}phases: {faults: 1000h}\n`,
    /c\.yaml:5:\d+ phases\.faults: too long: at most 596h/,
  ],
  ['a client timeout that overflows a timer', `${base}clients: {timeout: 9999999s}\n`, /clients\.timeout: too long/],
  [
    'interval: 0ms',
    `${base}nemesis: {faults: [{kind: kill}], interval: 0ms}\n`,
    /c\.yaml:5:\d+ nemesis\.interval: must be more than 0/,
  ],
  ['a 0ms op timeout', `${base}clients: {timeout: 0ms}\n`, /clients\.timeout: must be more than 0/],
  ['a 0s hook timeout', `${base}hookTimeout: 0s\n`, /hookTimeout: must be more than 0/],
  [
    'keys on a register',
    'name: bad\nsystem: tutorial-kv\nworkload: {name: register, keys: 10}\n',
    /c\.yaml:3:\d+ workload\.keys: the register workload has a single key, so keys does nothing \(remove keys/,
  ],
  [
    'a 300-character campaign name',
    `name: ${'a'.repeat(300)}\nsystem: tutorial-kv\nworkload: {name: register}\n`,
    /c\.yaml:1:7 name: at most 100 characters/,
  ],
  ['a YAML alias bomb', aliasBomb, /c\.yaml:1:1 the file cannot be read as data: Excessive alias count/],
  ['a JSON value nested 100,000 deep', deepJson, /c\.yaml:1:\d+ values are nested too deeply to read/],
  [
    'an ssh node name that is a path',
    'name: bad\nsystem: tutorial-kv\nnodes: {backend: ssh, hosts: [{host: 10.0.0.1, name: ../../..}]}\nworkload: {name: register}\n',
    /c\.yaml:3:\d+ nodes\.hosts\.0\.name: letters, digits, dash and underscore/,
  ],
  [
    'an ssh node name with a NUL byte',
    'name: bad\nsystem: tutorial-kv\nnodes: {backend: ssh, hosts: [{host: 10.0.0.1, name: "n\\0x"}]}\nworkload: {name: register}\n',
    /nodes\.hosts\.0\.name: letters, digits, dash and underscore/,
  ],
  ['an empty file', '', /the campaign file is empty/],
  ['not YAML', 'name: [unclosed\n', /c\.yaml:\d+:\d+ .*the file is not valid YAML/],
  ['a misspelt field', `${base}clients: {concurency: 3}\n`, /c\.yaml:5:\d+ clients\.concurency: unknown field/],
];

test('malformed campaigns are rejected with file:line:col, field and hint, never a stack trace', (t) => {
  let rejected = 0;
  for (const [what, text, expected] of malformed) {
    let error: unknown;
    try {
      parseCampaign(text, 'c.yaml');
    } catch (e) {
      error = e;
    }
    assert.ok(
      error instanceof CampaignError,
      `${what}: ${error === undefined ? 'accepted' : error instanceof Error ? error.message : 'a non-error was thrown'}`,
    );
    assert.match(error.message, expected, what);
    assert.doesNotMatch(error.message, /^\s+at /m, `${what}: no stack trace`);
    rejected++;
  }
  t.diagnostic(`bad campaigns rejected before any node: ${rejected} of ${malformed.length}`);
});

const modules = fileURLToPath(new URL('./fixtures/modules/', import.meta.url));

for (const [what, system, expected] of [
  ['an unknown built-in system', 'raft-kb', /c\.yaml:2:9 system: "raft-kb" is not a built-in system/],
  ['a missing module', './nowhere.ts', /c\.yaml:2:9 system: the module .*nowhere\.ts does not exist/],
  ['a syntactically broken module', `${modules}syntaxError.ts`, /system: the module .*syntaxError\.ts failed to load/],
  ['a module that throws', `${modules}throwsAtLoad.ts`, /failed to load: this module refuses to load/],
  ['a module whose import is missing', `${modules}badImport.ts`, /badImport\.ts failed to load: .*doesNotExist/],
  ['a module with no default export', `${modules}noDefault.ts`, /noDefault\.ts is not a system definition/],
  [
    'a workload the system does not serve',
    'postgres',
    /c\.yaml:4:\d+ workload\.name: postgres does not serve the register workload$/,
  ],
] as const) {
  test(`${what} is a usage error (64) before any run folder or node`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-badsystem-'));
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const loaded = parseCampaign(
      `name: bad\nsystem: ${system}\nnodes: {backend: local, count: 1}\nworkload: {name: register}\n`,
      join(dir, 'c.yaml'),
    );
    const store = join(dir, 'store');
    await assert.rejects(runCampaign({ loaded, storeDir: store }), (e: unknown) => {
      assert.ok(e instanceof UserError, String(e));
      assert.equal(e.exitCode, 64);
      assert.match(e.message, expected);
      return true;
    });
    assert.ok(!existsSync(store), 'no run folder');
  });
}
