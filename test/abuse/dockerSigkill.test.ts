// Item 4 of issue 16 on the Docker backend: the harness SIGKILLed during setup, during the fault window with a
// partition on, and during final reads; each time `faultline clean --heal --run RUNDIR` leaves no faultline
// rule on the nodes, and `faultline clean --run ID` then leaves no container or network with the run's label.
// The system is the in-process buggy register (nothing to start on the nodes), so each run costs little more
// than its containers. Last, a kill fault holding the tutorial system down on n2 when the harness dies:
// `clean --heal` starts it again with the run's own hooks and it serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attachDockerCluster } from '../../harness/nodes/cluster.ts';
import { dockerSkip } from '../e2e/dockerEngine.ts';

const skip = dockerSkip('the Docker SIGKILL points of the abuse suite');
const cli = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));
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

const text = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');

/** Polls until `ready(runDir, runId)` holds; the run directory once it does. */
async function until(
  what: string,
  s: Started,
  ready: (runDir: string, runId: string) => Promise<boolean>,
  // The first Docker run of a fresh checkout builds the node image first.
  timeoutMs = 240_000,
): Promise<{ runDir: string; runId: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = existsSync(s.campaignDir) ? readdirSync(s.campaignDir).find((d) => d !== 'latest') : undefined;
    if (run !== undefined) {
      const runDir = realpathSync(join(s.campaignDir, run));
      const runId = `${basename(s.campaignDir)}-${run}`;
      if (await ready(runDir, runId)) return { runDir, runId };
    }
    assert.ok(Date.now() < deadline, `never reached ${what}:\n${s.output()}`);
    assert.equal(s.child.exitCode, null, `the run ended before ${what}:\n${s.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether any node of the run has a faultline iptables chain. */
async function faultlineRules(runId: string): Promise<string[]> {
  const cluster = await attachDockerCluster(runId);
  if (cluster === undefined) return [];
  const found: string[] = [];
  for (const node of cluster.nodes) {
    const saved = await node.exec(['iptables-save']);
    if (saved.stdout.includes('FAULTLINE')) found.push(node.name);
  }
  return found;
}

// Reads fail from 1 s after start: final reads (at 1.9 s at the earliest in the last campaign) then retry for
// their whole budget, whatever the machine's speed.
const system = `system: {name: ${buggy}, options: {failReadsAfterMs: 1000}}\nnodes: {backend: docker, count: 3}\n`;
const workload = `workload: {name: register}\nclients: {concurrency: 2, timeout: 1s}\ncheckers: [linearizable]\n`;

const killPoints: {
  point: string;
  campaign: string;
  ready: (runDir: string, runId: string) => Promise<boolean>;
}[] = [
  {
    point: 'during setup',
    // install never returns: the run stays in setup, its containers up, until the SIGKILL.
    campaign:
      `system: {name: ${buggy}, options: {bug: hang-install}}\nnodes: {backend: docker, count: 3}\n` +
      `${workload}phases: {warmup: 60s}\n`,
    ready: async (runDir, runId) =>
      text(join(runDir, 'harness.log')).includes('setup: install and start') &&
      (await attachDockerCluster(runId))?.nodes.length === 3,
  },
  {
    point: 'during the fault window with a partition on',
    campaign:
      `${system}${workload}phases: {warmup: 500ms, faults: 60s}\n` +
      `nemesis: {faults: [{kind: partition, topologies: [one]}], interval: 200ms, hold: 60s}\n`,
    // The start is recorded before the rules go in: wait for a rule on a node.
    ready: async (runDir, runId) =>
      text(join(runDir, 'history.jsonl')).includes('start-partition') && (await faultlineRules(runId)).length > 0,
  },
  {
    point: 'during final reads',
    campaign:
      `${system}${workload}phases: {warmup: 500ms, faults: 1s, heal: 200ms, recovery: 200ms, finalReads: 60s}\n` +
      `nemesis: {faults: [{kind: partition, topologies: [one]}], interval: 200ms}\n`,
    // Reads fail by then, so final reads retry for their whole budget.
    ready: (runDir) => Promise.resolve(text(join(runDir, 'harness.log')).includes('phase: final reads')),
  },
];

for (const [i, { point, campaign, ready }] of killPoints.entries()) {
  test(
    `Docker: a SIGKILL ${point}: clean --heal leaves no rule, clean --run no container or network`,
    { skip, timeout: 300_000 },
    async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'faultline-abuse-docker-kill-'));
      const run = start(dir, `docker-kill-${i}`, campaign);
      // Known as soon as the run directory is, so a test that fails still removes what its run made.
      const seen: { runId?: string } = {};
      t.after(async () => {
        if (run.child.exitCode === null) {
          run.child.kill('SIGKILL');
          await run.exit;
        }
        if (seen.runId !== undefined)
          spawnSync(process.execPath, [cli, 'clean', '--run', seen.runId], { encoding: 'utf8' });
        rmSync(dir, { recursive: true, force: true });
      });
      const reached = await until(point, run, (runDir, id) => {
        seen.runId = id;
        return ready(runDir, id);
      });
      const { runId } = reached;
      run.child.kill('SIGKILL');
      await run.exit;
      // Killed where it was aimed: the run never got past that point.
      const log = text(join(reached.runDir, 'harness.log'));
      assert.doesNotMatch(log, /phase: (done|interrupted)/);
      if (point === 'during setup') assert.doesNotMatch(log, /phase: warm-up/);
      if (point.includes('partition')) assert.doesNotMatch(log, /phase: heal/);
      const heal = spawnSync(process.execPath, [cli, 'clean', '--heal', '--run', reached.runDir], {
        encoding: 'utf8',
      });
      assert.equal(heal.status, 0, heal.stdout + heal.stderr);
      assert.deepEqual(await faultlineRules(runId), [], `rules left after heal:\n${heal.stdout}`);
      if (point.includes('partition')) assert.match(heal.stdout, /healed partition/);
      const clean = spawnSync(process.execPath, [cli, 'clean', '--run', runId], { encoding: 'utf8' });
      assert.equal(clean.status, 0, clean.stdout + clean.stderr);
      assert.match(clean.stdout, /removed container/);
      assert.equal(await attachDockerCluster(runId), undefined, 'no container or network with the run label');
    },
  );
}

test(
  'Docker: a SIGKILL while a kill fault holds a node down: clean --heal starts its system again and it serves',
  { skip, timeout: 300_000 },
  async (t) => {
    const tutorial = fileURLToPath(new URL('../../examples/tutorial-kv/system.ts', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'faultline-abuse-docker-killfault-'));
    const run = start(
      dir,
      'docker-kill-fault',
      `system: ${tutorial}\nnodes: {backend: docker, count: 3}\n${workload}phases: {warmup: 500ms, faults: 60s}\n` +
        `nemesis: {faults: [{kind: kill, targets: [[n2]]}], interval: 200ms, hold: 60s}\n`,
    );
    const seen: { runId?: string } = {};
    t.after(async () => {
      if (run.child.exitCode === null) {
        run.child.kill('SIGKILL');
        await run.exit;
      }
      if (seen.runId !== undefined)
        spawnSync(process.execPath, [cli, 'clean', '--run', seen.runId], { encoding: 'utf8' });
      rmSync(dir, { recursive: true, force: true });
    });
    const health = async (runId: string): Promise<boolean> => {
      const n2 = (await attachDockerCluster(runId))?.nodes.find((n) => n.name === 'n2');
      if (n2 === undefined) return false;
      try {
        return (await fetch(`http://${n2.address}:7000/health`, { signal: AbortSignal.timeout(2000) })).ok;
      } catch {
        return false;
      }
    };
    const marked = async (runId: string): Promise<boolean> => {
      const n2 = (await attachDockerCluster(runId))?.nodes.find((n) => n.name === 'n2');
      return n2 !== undefined && (await n2.exec(['test', '-e', '/var/run/faultline/killed'])).exitCode === 0;
    };
    // The marker is written before the kill: wait until n2 no longer answers too.
    const { runDir, runId } = await until('a kill fault under way', run, async (d, id) => {
      seen.runId = id;
      return text(join(d, 'history.jsonl')).includes('start-kill') && (await marked(id)) && !(await health(id));
    });
    run.child.kill('SIGKILL');
    await run.exit;
    assert.equal(await health(runId), false, 'n2 is down after the crash');
    const heal = spawnSync(process.execPath, [cli, 'clean', '--heal', '--run', runDir], { encoding: 'utf8' });
    assert.equal(heal.status, 0, heal.stdout + heal.stderr);
    assert.match(heal.stdout, /^n2: restarted the system a kill fault left down; it is ready$/m);
    assert.doesNotMatch(heal.stdout, /^n[13]: restarted/m);
    assert.equal(await health(runId), true, 'n2 serves again');
    assert.equal(await marked(runId), false, 'the marker is removed');
  },
);
