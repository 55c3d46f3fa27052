// `faultline cluster up|ls|exec|logs|down` and `faultline clean --run`, driven through their commander
// definitions (as main.ts wires them), on the real engine. Skips (saying why) without an engine.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { removeRunResources } from '../../../harness/nodes/cluster.ts';
import { engineAnswers } from '../../../harness/nodes/dockerEngine.ts';
import { ensureNodeImage } from '../../../harness/nodes/nodeImage.ts';

const skip = (await engineAnswers()) ? false : 'no Docker engine answers (run: bash docker/ensure-engine.sh)';
if (skip) process.stdout.write(`# skipping cluster CLI tests: ${skip}\n`);

// In a child process (as the CLI really runs, exit code included) with only these commands registered, so
// the test does not depend on every other command loading; errors are printed as main.ts prints them.
const entry = `
import { Command } from '@commander-js/extra-typings';
import { registerClean } from './harness/cli/commands/clean.ts';
import { registerCluster } from './harness/cli/commands/cluster.ts';
import { UserError } from './harness/errors.ts';
const program = new Command().name('faultline');
let code = 0;
const requestExit = (r) => { code = r.code; };
registerCluster(program, requestExit);
registerClean(program, requestExit);
try {
  await program.parseAsync(process.argv.slice(1), { from: 'user' });
  process.exitCode = code;
} catch (e) {
  process.stderr.write('error: ' + (e instanceof Error ? e.message : String(e)) + '\\n');
  process.exitCode = e instanceof UserError ? e.exitCode : 255;
}
`;
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs one CLI command; returns what it printed and its exit code. */
async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const r = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', entry, ...args], {
    cwd: root,
    reject: false,
  });
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? 255 };
}

describe('faultline cluster commands', { skip, timeout: 300_000 }, () => {
  const run = `test-cli-${randomBytes(4).toString('hex')}`;
  after(async () => {
    await removeRunResources({ runId: run });
  });

  it('up prints the nodes and their addresses; exec, logs and ls work on them; down removes them', async () => {
    const up = await cli('cluster', 'up', '--nodes', '2', '--run', run, '--image', await ensureNodeImage());
    assert.match(up.stdout, new RegExp(`^${run} `));
    assert.match(up.stdout, /\n {2}n1 +10\.213\.\d+\.11 /);
    assert.match(up.stdout, /\n {2}n2 +10\.213\.\d+\.12 /);

    const exec = await cli('cluster', 'exec', '--run', run, 'n2', '--', 'sh', '-c', 'hostname; echo oops >&2; exit 3');
    assert.equal(exec.stdout, 'n2');
    assert.equal(exec.stderr, 'oops');
    assert.equal(exec.exitCode, 3, 'the command exit code becomes the CLI exit code');

    await cli(
      'cluster',
      'exec',
      '--run',
      run,
      'n1',
      '--',
      'sh',
      '-c',
      'echo from-the-daemon > /var/log/faultline/app.log',
    );
    const logs = await cli('cluster', 'logs', '--run', run, 'n1');
    assert.match(logs.stdout, /==> \/var\/log\/faultline\/app\.log <==\nfrom-the-daemon/);

    const ls = await cli('cluster', 'ls');
    assert.ok(ls.stdout.includes(`${run}  network faultline-${run}`));

    const missing = await cli('cluster', 'exec', '--run', run, 'n7', '--', 'true');
    assert.match(missing.stderr, /has no node 'n7'/);
    assert.equal(missing.exitCode, 64);

    const down = await cli('cluster', 'down', '--run', run);
    assert.equal(down.stdout, `removed 2 containers and 1 network(s) of '${run}'`);
    const clean = await cli('clean', '--run', run);
    assert.equal(clean.stdout, `nothing left behind by run '${run}'`);
  });

  it('exec on a cluster that is not up says how to bring one up', async () => {
    const r = await cli('cluster', 'exec', '--run', `${run}-absent`, 'n1', '--', 'true');
    assert.match(r.stderr, /No cluster .* is up/);
    assert.equal(r.exitCode, 64);
  });
});
