// Command-line mistakes exit 64 with commander's message, never 1 (which means "violated" to every script
// that calls faultline); help and version asked for exit 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));
const env = { ...process.env, NO_COLOR: '1' };

function faultline(...args: string[]): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

test('usage errors exit 64 and say what was wrong', () => {
  const cases: [string[], RegExp][] = [
    [['check', '--no-such-option', 'x'], /unknown option '--no-such-option'/],
    [['run', 'a.yaml', 'b.yaml'], /too many arguments for 'run'/],
    [['check'], /missing required argument 'paths'/],
    [['no-such-command'], /unknown command 'no-such-command'/],
    [['run', 'a.yaml', '--seed', 'abc'], /--seed must be an integer/],
  ];
  for (const [args, message] of cases) {
    const r = faultline(...args);
    assert.equal(r.status, 64, `faultline ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

test('help and version exit 0', () => {
  assert.equal(faultline('--help').status, 0);
  assert.match(faultline('--version').stdout, /^\d+\.\d+\.\d+/);
  assert.equal(faultline('check', '--help').status, 0);
});
