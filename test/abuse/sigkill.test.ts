// Items 5 and 6 of issue 16: a harness SIGKILLed at any point of a local run leaves a readable history, and
// `clean --heal --run RUNDIR` then `clean --run ID` resume and remove every process and the nodes' folder; a
// second Ctrl-C exits 130 naming what is left and the commands that remove it. Local nodes: no Docker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readHistoryJsonl } from '../../harness/history/jsonl.ts';
import { localRunProcesses, localRunRoot } from '../../harness/nodes/localNodes.ts';

const cli = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));
const tutorial = fileURLToPath(new URL('../../examples/tutorial-kv/system.ts', import.meta.url));
const buggy = fileURLToPath(new URL('./fixtures/buggySystem.ts', import.meta.url));

interface Started {
  child: ChildProcess;
  output(): string;
  exit: Promise<number | null>;
  campaignDir: string;
}

function start(dir: string, name: string, body: string): Started {
  writeFileSync(join(dir, 'campaign.yaml'), `name: ${name}\n${body}`);
  const child = spawn(process.execPath, [cli, 'run', 'campaign.yaml', '--progress', 'plain', '--no-report'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
  return { child, output: () => out, exit, campaignDir: join(dir, 'store', name) };
}

function runDirOf(s: Started): string | undefined {
  if (!existsSync(s.campaignDir)) return undefined;
  const run = readdirSync(s.campaignDir).find((d) => d !== 'latest');
  return run === undefined ? undefined : join(s.campaignDir, run);
}

async function until(what: string, s: Started, ready: (runDir: string) => boolean): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const runDir = runDirOf(s);
    if (runDir !== undefined && ready(runDir)) return realpathSync(runDir);
    assert.ok(Date.now() < deadline, `never reached ${what}:\n${s.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const fileHas = (path: string, test: (text: string) => boolean): boolean =>
  existsSync(path) && test(readFileSync(path, 'utf8'));

/** A pause fault under way: the last nemesis event in the history is a start-pause. */
function pauseActive(history: string): boolean {
  const nemesis = history.split('\n').filter((l) => l.includes('"nemesis"'));
  return nemesis.length > 0 && nemesis.at(-1)!.includes('start-pause');
}

const campaign =
  `system: ${tutorial}\nnodes: {backend: local, count: 3}\nworkload: {name: register}\n` +
  `phases: {warmup: 500ms, faults: 60s}\nnemesis: {faults: [{kind: pause, targets: [one]}], interval: 200ms, hold: 3s}\n` +
  `checkers: [linearizable]\n`;

const killPoints: [string, (runDir: string) => boolean][] = [
  ['while provisioning', (d) => fileHas(join(d, 'harness.log'), (t) => t.includes('setup: provision local nodes'))],
  ['while starting the system', (d) => fileHas(join(d, 'harness.log'), (t) => t.includes('setup: install and start'))],
  ['during traffic', (d) => fileHas(join(d, 'history.jsonl'), (t) => t.split('\n').length > 100)],
  // The start-pause is recorded before the SIGSTOP (intent first), so wait for a process actually stopped.
  [
    'during a pause fault',
    (d) =>
      fileHas(join(d, 'history.jsonl'), pauseActive) &&
      localRunProcesses(`${basename(dirname(d))}-${basename(d)}`).some((p) => p.stopped),
  ],
];

let survived = 0;
let recordedOps = 0;
let tornLines = 0;
for (const [i, [point, ready]] of killPoints.entries()) {
  test(
    `a SIGKILL ${point}: clean --heal then clean --run leave no process and no folder`,
    { timeout: 120_000 },
    async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'faultline-abuse-kill-'));
      t.after(() => {
        rmSync(dir, { recursive: true, force: true });
      });
      const run = start(dir, `kill-${i}`, campaign);
      const runDir = await until(point, run, ready);
      run.child.kill('SIGKILL');
      await run.exit;
      const runId = `${basename(run.campaignDir)}-${basename(runDir)}`;
      // What was recorded stays readable (at worst the line being written is torn).
      if (existsSync(join(runDir, 'history.jsonl'))) {
        const history = readHistoryJsonl(join(runDir, 'history.jsonl'));
        recordedOps += history.ops.length;
        if (history.tornTail) tornLines++;
      }
      const stoppedBefore = localRunProcesses(runId).filter((p) => p.stopped).length;
      if (point === 'during a pause fault') assert.ok(stoppedBefore > 0, 'the kill left a paused process');
      const heal = spawnSync(process.execPath, [cli, 'clean', '--heal', '--run', runDir], { encoding: 'utf8' });
      assert.equal(heal.status, 0, heal.stdout + heal.stderr);
      if (stoppedBefore > 0) assert.match(heal.stdout, /resumed tutorial-kv/);
      assert.equal(localRunProcesses(runId).filter((p) => p.stopped).length, 0, 'nothing left stopped');
      const clean = spawnSync(process.execPath, [cli, 'clean', '--run', runId], { encoding: 'utf8' });
      assert.equal(clean.status, 0, clean.stdout + clean.stderr);
      if (existsSync(localRunRoot(runId)) || stoppedBefore > 0)
        assert.doesNotMatch(clean.stdout, /nothing left behind/);
      assert.ok(!existsSync(localRunRoot(runId)), 'the nodes folder is removed');
      await new Promise((r) => setTimeout(r, 200));
      const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
      assert.ok(!ps.includes(localRunRoot(runId)), `no process of the run is left:\n${ps}`);
      survived++;
      if (i === killPoints.length - 1)
        t.diagnostic(
          `SIGKILLs survived (clean heal and removal): ${survived} of ${killPoints.length}; ` +
            `${recordedOps} ops readable, ${tornLines} torn last line(s)`,
        );
    },
  );
}

test(
  'a second Ctrl-C during teardown exits 130 and says what is left and how to remove it',
  { timeout: 120_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-abuse-int2-'));
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    // stop() hangs, so teardown is still under way when the second Ctrl-C comes.
    const run = start(
      dir,
      'second-ctrl-c',
      `system: {name: ${buggy}, options: {bug: hang-stop}}\nnodes: {backend: local, count: 2}\nworkload: {name: register}\n` +
        `phases: {warmup: 60s}\nhookTimeout: 60s\ncheckers: [linearizable]\n`,
    );
    const runDir = await until('traffic', run, (d) =>
      fileHas(join(d, 'history.jsonl'), (t) => t.split('\n').length > 50),
    );
    run.child.kill('SIGINT');
    await until('teardown', run, (d) =>
      fileHas(join(d, 'harness.log'), (t) => t.includes('teardown: install and start')),
    );
    await new Promise((r) => setTimeout(r, 1200));
    run.child.kill('SIGINT');
    const code = await run.exit;
    assert.equal(code, 130, run.output());
    const runId = `${basename(run.campaignDir)}-${basename(runDir)}`;
    assert.match(run.output(), /stopped before teardown finished \(second Ctrl-C\)/);
    assert.ok(run.output().includes(`faultline clean --run ${runId}`), run.output());
    assert.ok(run.output().includes(`faultline clean --heal --run ${runDir}`), run.output());
    const clean = spawnSync(process.execPath, [cli, 'clean', '--run', runId], { encoding: 'utf8' });
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
    assert.ok(!existsSync(localRunRoot(runId)));
  },
);

test(
  'a SIGKILL while a kill fault holds a node down: clean --heal starts its system again and it serves',
  { timeout: 120_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-abuse-killfault-'));
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    // Named relative to the campaign file, as a user's plug-in usually is: `clean --heal`, run from elsewhere,
    // finds it through the campaign file the run recorded.
    const run = start(
      dir,
      'kill-fault',
      `system: ./${relative(dir, tutorial)}\nnodes: {backend: local, count: 3}\nworkload: {name: register}\n` +
        `phases: {warmup: 500ms, faults: 60s}\nnemesis: {faults: [{kind: kill, targets: [[n2]]}], interval: 200ms, hold: 30s}\n` +
        `checkers: [linearizable]\n`,
    );
    let runId = '';
    // The marker is written before the kill; wait until n2's system is actually gone too.
    const runDir = await until('a kill fault under way', run, (d) => {
      runId = `${basename(dirname(d))}-${basename(d)}`;
      return (
        existsSync(join(localRunRoot(runId), 'n2', 'var', 'run', 'faultline', 'killed')) &&
        localRunProcesses(runId).some((p) => p.node === 'n1') &&
        !localRunProcesses(runId).some((p) => p.node === 'n2')
      );
    });
    run.child.kill('SIGKILL');
    await run.exit;
    t.after(() => {
      spawnSync(process.execPath, [cli, 'clean', '--run', runId], { encoding: 'utf8' });
    });
    const ports = JSON.parse(readFileSync(join(localRunRoot(runId), 'ports.json'), 'utf8')) as Record<string, number>;
    const health = async (): Promise<boolean> => {
      try {
        return (await fetch(`http://127.0.0.1:${ports.n2}/health`, { signal: AbortSignal.timeout(2000) })).ok;
      } catch {
        return false;
      }
    };
    // Local nodes share 127.0.0.1: while n2 is down, another local run on this machine (a parallel test file)
    // may be given its port. Then nothing here can show the restart, and the test says so instead of failing.
    const taken = `n2's port ${ports.n2} was taken by another process while n2 was down`;
    if (await health()) {
      t.skip(taken);
      return;
    }
    const heal = spawnSync(process.execPath, [cli, 'clean', '--heal', '--run', runDir], { encoding: 'utf8' });
    // The system's own log says why a restart never became ready.
    const n2Log = join(localRunRoot(runId), 'n2', 'var', 'log', 'faultline', 'tutorial-kv.log');
    const why = existsSync(n2Log) ? `\nn2's log:\n${readFileSync(n2Log, 'utf8').slice(-2000)}` : '';
    if (heal.status !== 0 && why.includes('EADDRINUSE')) {
      // The same race, later: clean --heal reported it (exit 255, the node named), as it must.
      assert.match(heal.stderr, /n2: could not heal: kill: starting the system again failed/);
      t.skip(taken);
      return;
    }
    assert.equal(heal.status, 0, heal.stdout + heal.stderr + why);
    assert.match(heal.stdout, /^n2: restarted the system a kill fault left down; it is ready$/m);
    assert.doesNotMatch(heal.stdout, /^n[13]: restarted/m);
    assert.equal(await health(), true, 'n2 serves again');
    assert.ok(!existsSync(join(localRunRoot(runId), 'n2', 'var', 'run', 'faultline', 'killed')), 'marker removed');
    // Healed again: nothing is left down, so nothing is restarted.
    const again = spawnSync(process.execPath, [cli, 'clean', '--heal', '--run', runDir], { encoding: 'utf8' });
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.doesNotMatch(again.stdout, /restarted/);
    const clean = spawnSync(process.execPath, [cli, 'clean', '--run', runId], { encoding: 'utf8' });
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
    assert.ok(!existsSync(localRunRoot(runId)), 'the nodes folder is removed');
  },
);
