// One set of Remote tests, run against every backend (docker containers and ssh hosts), so both keep the
// same contract. Register it inside a describe whose `before` has set the remotes up.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { createInterface } from 'node:readline';
import { uploadFiles } from '../../../harness/nodes/remote.ts';
import type { AttachedProcess, Remote } from '../../../harness/nodes/remote.ts';

/** The next line `stream` gives, or a rejection after 10 s. */
function nextLine(lines: AsyncIterator<string>): Promise<string> {
  return Promise.race([
    lines.next().then((r) => (r.done === true ? '<ended>' : r.value)),
    new Promise<string>((_, reject) =>
      setTimeout(() => {
        reject(new Error('no line within 10 s'));
      }, 10_000).unref(),
    ),
  ]);
}

function linesOf(stream: NodeJS.ReadableStream): AsyncIterator<string> {
  return createInterface({ input: stream })[Symbol.asyncIterator]();
}

/** `remote()` gives the node under test; it is called inside the tests, after the suite's setup. */
export function remoteConformanceTests(remote: () => Remote): void {
  let localDir: string | undefined;
  after(async () => {
    if (localDir !== undefined) await rm(localDir, { recursive: true, force: true });
  });

  it('exec keeps stdout, stderr and the exit code apart', async () => {
    const r = await remote().exec(['sh', '-c', 'echo out; echo err >&2; exit 7']);
    assert.deepEqual(r, { exitCode: 7, signal: null, stdout: 'out\n', stderr: 'err\n', timedOut: false });
  });

  it('exec passes argv literally: spaces, quotes and $ are not interpreted', async () => {
    const tricky = `a b 'c' "d" $HOME; \`x\` \\ * \n end`;
    const r = await remote().exec(['printf', '%s|%s', tricky, '']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, `${tricky}|`);
  });

  it('exec sets env and cwd', async () => {
    const r = await remote().exec(['sh', '-c', 'echo "$FL_A:$(pwd)"'], { env: { FL_A: 'x y' }, cwd: '/tmp' });
    assert.equal(r.stdout, 'x y:/tmp\n');
  });

  it('a missing command fails with a non-zero exit code', async () => {
    const r = await remote().exec(['faultline-no-such-command']);
    assert.notEqual(r.exitCode, 0);
    assert.equal(r.timedOut, false);
  });

  it('a timeout kills the command and its children', async () => {
    const marker = `fl-timeout-${randomBytes(4).toString('hex')}`;
    const started = Date.now();
    const r = await remote().exec(['sh', '-c', `sleep 30 & sleep 31; echo ${marker}`], { timeoutMs: 500 });
    assert.equal(r.timedOut, true);
    assert.equal(r.exitCode, null);
    assert.ok(Date.now() - started < 10_000, 'the timeout returned promptly');
    // The background child was in the command's process group, so it is gone too.
    await new Promise((res) => setTimeout(res, 300));
    const ps = await remote().exec(['sh', '-c', 'ps -eo args | grep -c "^sleep 3[01]$" || true']);
    assert.equal(ps.stdout.trim(), '0', 'no sleep survived the timeout');
  });

  it('an abort signal cancels a running command', async () => {
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 300);
    const r = await remote().exec(['sleep', '20'], { signal: controller.signal });
    assert.equal(r.timedOut, true);
  });

  it('twenty concurrent commands all complete', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => remote().exec(['sh', '-c', `sleep 0.2; echo ${i}`])),
    );
    assert.deepEqual(
      results.map((r) => r.stdout.trim()),
      Array.from({ length: 20 }, (_, i) => String(i)),
    );
  });

  it('writeFile then readFile round-trips every byte value, in a new folder, with the mode asked', async () => {
    const dir = `/tmp/fl-conf-${randomBytes(4).toString('hex')}`;
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    await remote().writeFile(`${dir}/a/b/data.bin`, bytes, { mode: 0o750 });
    assert.deepEqual(await remote().readFile(`${dir}/a/b/data.bin`), bytes);
    const mode = await remote().exec(['stat', '-c', '%a', `${dir}/a/b/data.bin`]);
    assert.equal(mode.stdout.trim(), '750');
    await remote().writeFile(`${dir}/a/b/data.bin`, 'replaced');
    assert.equal((await remote().readFile(`${dir}/a/b/data.bin`)).toString(), 'replaced');
    await remote().exec(['rm', '-rf', dir]);
  });

  it('readFile of a missing file rejects', async () => {
    await assert.rejects(remote().readFile('/tmp/faultline-does-not-exist'));
  });

  it('upload then download round-trips a 2 MB file', async () => {
    localDir ??= await mkdtemp(join(tmpdir(), 'fl-conf-'));
    const content = randomBytes(2 * 1024 * 1024);
    const src = join(localDir, `up-${remote().name}.bin`);
    const back = join(localDir, `down-${remote().name}`, 'back.bin');
    await writeFile(src, content);
    const remotePath = `/tmp/fl-up-${randomBytes(4).toString('hex')}/file.bin`;
    await remote().upload(src, remotePath);
    await remote().download(remotePath, back);
    assert.ok(content.equals(await readFile(back)), 'downloaded bytes equal the uploaded ones');
    await remote().exec(['rm', '-rf', remotePath.replace(/\/file\.bin$/, '')]);
  });

  it('a daemon starts detached, logs, is found again, and is killed by signal', async () => {
    const name = `fl-conf-${randomBytes(3).toString('hex')}`;
    const spec = {
      name,
      argv: ['node', '-e', 'console.log("hello from " + process.env.FL_WHO); setInterval(() => {}, 1000)'],
      env: { FL_WHO: 'daemon' },
      cwd: '/tmp',
    };
    const handle = await remote().startDaemon(spec);
    assert.ok(handle.pid > 0);
    assert.equal(handle.pidFile, `/var/run/faultline/${name}.pid`);
    // It outlives the exec that started it and writes to its log.
    let log = '';
    for (let i = 0; i < 50 && !log.includes('hello from daemon'); i++) {
      await new Promise((res) => setTimeout(res, 100));
      log = (await remote().exec(['cat', handle.logFile])).stdout;
    }
    assert.match(log, /hello from daemon/);
    assert.equal((await remote().exec(['kill', '-0', String(handle.pid)])).exitCode, 0);
    // Starting it again while it runs gives the same pid rather than a second copy.
    assert.equal((await remote().startDaemon(spec)).pid, handle.pid);
    assert.equal(await remote().signalDaemon(name, 'SIGSTOP'), true);
    const state = await remote().exec(['ps', '-o', 'stat=', '-p', String(handle.pid)]);
    assert.match(state.stdout.trim(), /^T/);
    assert.equal(await remote().signalDaemon(name, 'SIGKILL'), true);
    let alive = true;
    for (let i = 0; i < 50 && alive; i++) {
      alive = (await remote().exec(['kill', '-0', String(handle.pid)])).exitCode === 0;
      if (alive) await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(alive, false, 'the daemon is gone (and reaped) after SIGKILL');
    assert.equal(await remote().signalDaemon(name, 'SIGTERM'), false);
    assert.equal(await remote().signalDaemon('fl-never-started', 'SIGTERM'), false);
  });

  it('spawnAttached streams stdin, stdout and stderr while the process runs, and signals it by its pid', async (t) => {
    const spawn = remote().spawnAttached?.bind(remote());
    if (spawn === undefined) {
      t.skip('this backend has no spawnAttached');
      return;
    }
    const p: AttachedProcess = await spawn(
      ['sh', '-c', 'echo "ready $FL_A in $(pwd)"; while read l; do echo "got $l"; echo "err $l" >&2; done'],
      { env: { FL_A: 'x y' }, cwd: '/tmp' },
    );
    const out = linesOf(p.stdout);
    const err = linesOf(p.stderr);
    assert.equal(await nextLine(out), 'ready x y in /tmp');
    p.write('one\n');
    assert.equal(await nextLine(out), 'got one');
    assert.equal(await nextLine(err), 'err one', 'the wrapper pid line is not on stderr');
    // The pid is the command's own on the node: stopped by SIGSTOP, then killed.
    assert.equal(await p.signal('SIGSTOP'), true);
    const state = await remote().exec(['ps', '-o', 'stat=', '-p', String(p.pid)]);
    assert.match(state.stdout.trim(), /^T/);
    assert.equal(await p.signal('SIGKILL'), true);
    const end = await p.exited;
    assert.ok(end.exitCode === 137 || end.signal === 'SIGKILL', JSON.stringify(end));
    assert.equal(await p.signal('SIGTERM'), false, 'an ended process is not signalled');
  });

  it('spawnAttached reports a command that cannot run by its exit code', async (t) => {
    const spawn = remote().spawnAttached?.bind(remote());
    if (spawn === undefined) {
      t.skip('this backend has no spawnAttached');
      return;
    }
    const p = await spawn(['/tmp/faultline-no-such-binary', '--x']);
    const stderr = linesOf(p.stderr);
    assert.match(await nextLine(stderr), /faultline-no-such-binary/);
    assert.deepEqual(await p.exited, { exitCode: 127, signal: null });
  });

  it('uploadFiles puts files in new nested folders with their modes', async () => {
    localDir ??= await mkdtemp(join(tmpdir(), 'fl-conf-'));
    const a = join(localDir, `a-${remote().name}.sh`);
    const b = join(localDir, `b-${remote().name}.txt`);
    await writeFile(a, '#!/bin/sh\necho a\n', { mode: 0o755 });
    await writeFile(b, 'b\n', { mode: 0o640 });
    const dir = `/tmp/fl-files-${randomBytes(4).toString('hex')}`;
    await uploadFiles(remote(), [
      { localPath: a, remotePath: `${dir}/bin/a.sh` },
      { localPath: b, remotePath: `${dir}/deep/er/b.txt` },
    ]);
    const r = await remote().exec([
      'sh',
      '-c',
      `${dir}/bin/a.sh; cat ${dir}/deep/er/b.txt; stat -c %a ${dir}/deep/er/b.txt`,
    ]);
    assert.equal(r.stdout, 'a\nb\n640\n', r.stderr);
    await remote().exec(['rm', '-rf', dir]);
  });
}
