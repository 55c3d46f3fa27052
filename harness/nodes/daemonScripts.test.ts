// The daemon and kill scripts are plain sh: run them here, on this machine, as they run on a node.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NOT_RUNNING_EXIT, daemonPaths, killCommandArgv, signalDaemonArgv, startDaemonArgv } from './daemonScripts.ts';

function run(argv: string[]): { status: number | null; stdout: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

describe('daemon scripts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-daemon-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('default paths derive from the name', () => {
    assert.deepEqual(daemonPaths({ name: 'raft' }), {
      pidFile: '/var/run/faultline/raft.pid',
      logFile: '/var/log/faultline/raft.log',
    });
  });

  it('starts a detached daemon with env and cwd, logs its output, and signals its group', async () => {
    const spec = {
      name: 'test',
      argv: ['sh', '-c', 'echo "hi $FL_X from $(pwd)"; sleep 60 & sleep 61'],
      env: { FL_X: 'there' },
      cwd: dir,
      pidFile: join(dir, 'run', 'test.pid'),
      logFile: join(dir, 'log', 'test.log'),
    };
    const started = run(startDaemonArgv(spec));
    assert.equal(started.status, 0);
    const pid = Number(started.stdout.trim());
    assert.equal(readFileSync(spec.pidFile, 'utf8').trim(), String(pid));
    assert.ok(alive(pid));
    // Its own session: the pid leads its process group.
    assert.equal(execFileSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).trim(), String(pid));
    assert.equal(Number(run(startDaemonArgv(spec)).stdout.trim()), pid, 'a second start finds the running one');
    for (let i = 0; i < 40 && !readFileSync(spec.logFile, 'utf8').includes('hi'); i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(readFileSync(spec.logFile, 'utf8'), `hi there from ${dir}\n`);

    assert.equal(run(signalDaemonArgv(spec.pidFile, 'SIGKILL')).status, 0);
    // The daemon may linger as our zombie child's child; reaping is the init's job on a node. Check the group.
    const group = execFileSync('sh', ['-c', `ps -eo pgid=,stat= | awk '$1 == ${pid} && $2 !~ /Z/' | wc -l`], {
      encoding: 'utf8',
    });
    for (let i = 0; i < 40 && group.trim() !== '0'; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(
      execFileSync('sh', ['-c', `ps -eo pgid=,stat= | awk '$1 == ${pid} && $2 !~ /Z/' | wc -l`], {
        encoding: 'utf8',
      }).trim(),
      '0',
      'every process of the group is gone',
    );
  });

  it('signalling a daemon that is not running exits NOT_RUNNING_EXIT', () => {
    assert.equal(run(signalDaemonArgv(join(dir, 'missing.pid'), 'SIGTERM')).status, NOT_RUNNING_EXIT);
  });

  it('killCommandArgv kills a process and the rest of its group', async () => {
    const child = spawnSync(
      'sh',
      ['-c', 'setsid sh -c "sleep 70 & sleep 71" >/dev/null 2>&1 & sleep 0.2; pgrep -n -f "^sleep 71$"'],
      { encoding: 'utf8' },
    );
    const pid = Number(child.stdout.trim());
    assert.ok(pid > 0 && alive(pid));
    assert.equal(run(killCommandArgv(pid)).status, 0);
    assert.ok(await waitGone(pid), 'the process is gone');
    assert.equal(spawnSync('pgrep', ['-f', '^sleep 70$']).status, 1, 'its group sibling is gone too');
  });
});
