// `clean --heal` loads a run's system from its run directory to start what a kill fault left down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { healAll } from '../../../nemesis/index.ts';
import { ScriptedRemote } from '../../../nemesis/testing/scriptedRemote.ts';
import { localRunPorts, recordedCampaignFile, runRestart } from './cleanRestart.ts';

/** A plug-in whose start runs `probe-start <node> <port>` on the node, and is ready at once. */
const probeSystem = `
const none = async () => {};
export default {
  name: 'probe',
  async start(ctx) { await ctx.node.exec(['probe-start', ctx.node.name, String(ctx.options.ports?.[ctx.node.name]), String(ctx.options.flavour)]); },
  async ready() { return true; },
  stop: none, kill: none, pause: none, resume: none,
  async client() { return { invoke: async () => ({ type: 'ok' }), close: none }; },
};
`;

/** A run directory whose campaign names the system `system(root)`, under a fresh temporary root. */
function runDirWith(system: (root: string) => string): { root: string; runDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'faultline-clean-restart-'));
  const runDir = join(root, 'store', 'probe', '20261204T120000Z-abcd');
  mkdirSync(runDir, { recursive: true });
  writeFileSync(
    join(runDir, 'campaign.yaml'),
    `name: probe\nsystem: {name: ${system(root)}, options: {flavour: mint}}\nnodes: {backend: local, count: 2}\n` +
      `workload: {name: register}\nnemesis: {faults: [{kind: kill}]}\n`,
  );
  return { root, runDir };
}

test("the run's own system starts a killed node again, with the campaign's options and the run's ports", async (t) => {
  // The run's copy names the plug-in by its absolute path, as a campaign may.
  const { root, runDir } = runDirWith((dir) => join(dir, 'probe.mjs'));
  t.after(() => {
    rmSync(root, { recursive: true, force: true });
  });
  writeFileSync(join(root, 'probe.mjs'), probeSystem);
  const n1 = new ScriptedRemote('n1', '127.0.0.1');
  const n2 = new ScriptedRemote('n2', '127.0.0.1');
  await n2.writeFile('/var/run/faultline/killed', 'killed\n');
  const restart = await runRestart(runDir, [n1, n2], { ports: { n1: 4101, n2: 4102 } });
  assert.ok('restart' in restart, JSON.stringify(restart));
  const reports = await healAll([n1, n2], { restart: restart.restart });
  assert.deepEqual(n2.callsOf('probe-start'), [['probe-start', 'n2', '4102', 'mint']]);
  assert.deepEqual(n1.callsOf('probe-start'), []);
  assert.deepEqual(
    reports.map((r) => r.restarted === true),
    [false, true],
  );
});

test('a plug-in path that is gone is reported with why; the campaign file it came from resolves a relative one', async (t) => {
  const { root, runDir } = runDirWith(() => './probe.mjs');
  t.after(() => {
    rmSync(root, { recursive: true, force: true });
  });
  const gone = await runRestart(runDir, [new ScriptedRemote('n1', '127.0.0.1')]);
  assert.ok('problem' in gone);
  assert.match(gone.problem, /probe\.mjs does not exist/);
  // The campaign's own folder holds the plug-in: given the campaign file, it loads.
  const campaignDir = join(root, 'campaigns');
  mkdirSync(campaignDir);
  writeFileSync(join(campaignDir, 'probe.mjs'), probeSystem);
  const found = await runRestart(runDir, [new ScriptedRemote('n1', '127.0.0.1')], {}, join(campaignDir, 'c.yaml'));
  assert.ok('restart' in found, JSON.stringify(found));
});

test('a relative plug-in path resolves next to the campaign file the run recorded, with no --campaign', async (t) => {
  const { root, runDir } = runDirWith(() => './probe.mjs');
  t.after(() => {
    rmSync(root, { recursive: true, force: true });
  });
  const campaignDir = join(root, 'campaigns');
  mkdirSync(campaignDir);
  writeFileSync(join(campaignDir, 'probe.mjs'), probeSystem);
  const campaignFile = join(campaignDir, 'c.yaml');
  writeFileSync(campaignFile, readFileSync(join(runDir, 'campaign.yaml')));
  // A record naming a file that is gone is passed over, as no record is.
  writeFileSync(join(runDir, 'campaign-source'), `${join(root, 'moved.yaml')}\n`);
  assert.equal(recordedCampaignFile(runDir), undefined);
  assert.ok('problem' in (await runRestart(runDir, [new ScriptedRemote('n1', '127.0.0.1')])));
  writeFileSync(join(runDir, 'campaign-source'), `${campaignFile}\n`);
  assert.equal(recordedCampaignFile(runDir), campaignFile);
  const n1 = new ScriptedRemote('n1', '127.0.0.1');
  await n1.writeFile('/var/run/faultline/killed', 'killed\n');
  const restart = await runRestart(runDir, [n1]);
  assert.ok('restart' in restart, JSON.stringify(restart));
  await healAll([n1], { restart: restart.restart });
  assert.deepEqual(n1.callsOf('probe-start'), [['probe-start', 'n1', 'undefined', 'mint']]);
});

test("the local backend's ports are read back from the nodes' folder; none when absent or unreadable", (t) => {
  const root = mkdtempSync(join(tmpdir(), 'faultline-ports-'));
  t.after(() => {
    rmSync(root, { recursive: true, force: true });
  });
  assert.equal(localRunPorts(root), undefined);
  writeFileSync(join(root, 'ports.json'), '{"n1": 4101}\n');
  assert.deepEqual(localRunPorts(root), { n1: 4101 });
  writeFileSync(join(root, 'ports.json'), '{"n1": 41');
  assert.equal(localRunPorts(root), undefined);
});
