// `faultline matrix` end to end on local nodes with an in-memory register (testing/memoryRegister.ts): a
// correct one and one whose reads are a write behind, each run ~1 s of traffic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../../bin/faultline.js', import.meta.url));
const register = fileURLToPath(new URL('./testing/memoryRegister.ts', import.meta.url));

function campaign(
  name: string,
  options: { stale?: boolean; expect?: string; warmup?: string; seed?: number; stopDelayMs?: number },
): string {
  const systemOptions = [
    ...(options.stale === true ? ['stale: true'] : []),
    ...(options.stopDelayMs === undefined ? [] : [`stopDelayMs: ${options.stopDelayMs}`]),
  ];
  const system = systemOptions.length === 0 ? register : `{name: ${register}, options: {${systemOptions.join(', ')}}}`;
  return [
    `name: ${name}`,
    `system: ${system}`,
    'nodes: {backend: local, count: 1}',
    'workload: {name: register, mix: {read: 1, write: 1}}',
    'clients: {concurrency: 2, rate: 100}',
    `phases: {warmup: ${options.warmup ?? '300ms'}, faults: 300ms, heal: 0s, recovery: 0s, finalReads: 1s}`,
    'checkers: [linearizable, sequential]',
    ...(options.seed === undefined ? [] : [`seed: ${options.seed}`]),
    ...(options.expect === undefined ? [] : [`expect:\n${options.expect}`]),
    '',
  ].join('\n');
}

interface MatrixJson {
  state: string;
  exitCode: number;
  runs: { campaign: string; index: number; seed: number; runDir: string; status: string; hasReport: boolean }[];
  summary: { rows: { name: string; cells: { checker: string; role: string; outcome?: string; summary: string }[] }[] };
}

function project(t: { after(fn: () => void): void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-matrix-cli-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

function matrix(dir: string, args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [cli, 'matrix', ...args, '--store', 'store', '--progress', 'plain'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** `faultline matrix` in the background, with its output so far and a wait for a line in it. */
function spawnMatrix(dir: string, args: string[]) {
  const child = spawn(process.execPath, [cli, 'matrix', ...args, '--store', 'store', '--progress', 'plain'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (c) => {
      resolve(c);
    }),
  );
  return {
    exit,
    output: () => out,
    kill: (signal: NodeJS.Signals) => child.kill(signal),
    async waitFor(pattern: RegExp, what: string): Promise<void> {
      const deadline = Date.now() + 60_000;
      while (!pattern.test(out)) {
        assert.ok(Date.now() < deadline, `${what}:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

function readMatrix(dir: string): MatrixJson {
  const matrices = readdirSync(join(dir, 'store', '_matrix'));
  assert.equal(matrices.length, 1, `one matrix: ${matrices.join(', ')}`);
  return JSON.parse(readFileSync(join(dir, 'store', '_matrix', matrices[0]!, 'matrix.json'), 'utf8')) as MatrixJson;
}

test('claims that hold and a weakness caught: exit 0, the table, matrix.json, the page and the store index link', (t) => {
  const dir = project(t, {
    'good.yaml': campaign('mem-good', { expect: '  holds: [linearizable, sequential]' }),
    'stale.yaml': campaign('mem-stale', {
      stale: true,
      expect: '  violates: [linearizable]\n  anomalies: [nonlinearizable]',
    }),
    'plain.yaml': campaign('mem-plain', { stale: true }),
  });
  const { code, out } = matrix(dir, ['good.yaml', 'stale.yaml', 'plain.yaml', '--runs', '2', '--seeds', '11,12']);
  assert.equal(code, 0, out);
  assert.match(out, /\[1\/6\] mem-good run 1 of 2, seed 11 \(--seeds\)/);
  assert.match(out, /\[6\/6\] mem-plain #2 seed 12: linearizable ✗/);
  assert.match(out, /linearizable\s+holds\s+✓ valid in 2 of 2 runs/);
  assert.match(out, /linearizable\s+violates\s+✓ nonlinearizable caught in 2 of 2 runs; seen: nonlinearizable ×2/);
  // Without an expectation the verdicts are shown and nothing is judged (its violation does not fail the matrix).
  assert.match(out, /mem-plain \(no expect: nothing judged\)/);
  const m = readMatrix(dir);
  assert.equal(m.state, 'finished');
  assert.equal(m.exitCode, 0);
  assert.deepEqual(
    m.runs.map((r) => [r.campaign, r.index, r.seed, r.status, r.hasReport]),
    [
      ['mem-good', 1, 11, 'passed', true],
      ['mem-good', 2, 12, 'passed', true],
      ['mem-stale', 1, 11, 'passed', true],
      ['mem-stale', 2, 12, 'passed', true],
      ['mem-plain', 1, 11, 'passed', true],
      ['mem-plain', 2, 12, 'passed', true],
    ],
  );
  for (const r of m.runs) assert.ok(existsSync(join(dir, 'store', r.runDir, 'report.html')), r.runDir);
  const page = /matrix page: (.*)$/m.exec(out)?.[1];
  assert.ok(page !== undefined && existsSync(page), out);
  assert.match(readFileSync(page, 'utf8'), /nonlinearizable caught in 2 of 2 runs/);
  assert.match(readFileSync(join(dir, 'store', 'index.html'), 'utf8'), /href="_matrix\/[^"]+\/index.html"/);
});

test('a claim a run contradicts exits 1 and is reported with its runs', (t) => {
  const dir = project(t, { 'stale.yaml': campaign('mem-claims', { stale: true, expect: '  holds: [linearizable]' }) });
  const { code, out } = matrix(dir, ['stale.yaml']);
  assert.equal(code, 1, out);
  assert.match(out, /linearizable\s+holds\s+✗ valid in 0 of 1 run, violated in 1/);
  assert.match(out, /claim not shown: mem-claims linearizable: .*runs: mem-claims\/\d{8}T/);
  assert.equal(readMatrix(dir).exitCode, 1);
});

test('a weakness never caught fails only with --require-catch; a campaign that fixes its seed says so', (t) => {
  const dir = project(t, {
    'good.yaml': campaign('mem-weak', { seed: 5, expect: '  violates: [linearizable]' }),
  });
  const lenient = matrix(dir, ['good.yaml', '--runs', '2', '--no-report']);
  assert.equal(lenient.code, 0, lenient.out);
  assert.match(lenient.out, /mem-weak: the campaign fixes seed 5, so its 2 runs repeat one schedule/);
  assert.match(lenient.out, /weakness missed \(not failed\): mem-weak linearizable: violation caught in 0 of 2 runs/);
  rmSync(join(dir, 'store'), { recursive: true });
  const strict = matrix(dir, ['good.yaml', '--require-catch', '--no-report']);
  assert.equal(strict.code, 1, strict.out);
  assert.match(strict.out, /weakness not caught: mem-weak linearizable/);
});

test('an expect naming a checker the campaign does not run is a usage error naming file, line and field', (t) => {
  const dir = project(t, {
    'ok.yaml': campaign('mem-ok', {}),
    'bad.yaml': campaign('mem-bad', { expect: '  holds: [sequential]\n  violates: [causal-cc]' }),
  });
  const { code, out } = matrix(dir, ['ok.yaml', 'bad.yaml']);
  assert.equal(code, 64, out);
  assert.match(
    out,
    /bad\.yaml:10:14 expect\.violates\.0: "causal-cc" is not a checker this campaign runs \(it runs linearizable, sequential\)/,
  );
  assert.ok(!existsSync(join(dir, 'store')), 'no run started');
  const usage = matrix(dir, ['ok.yaml', '--runs', '2', '--seeds', '1']);
  assert.equal(usage.code, 64, usage.out);
  assert.match(usage.out, /--seeds gives 1 seeds for --runs 2/);
});

test(
  'Ctrl-C tears the run in progress down, starts no other and keeps the matrix so far (exit 130)',
  { timeout: 120_000 },
  async (t) => {
    const dir = project(t, {
      'first.yaml': campaign('mem-first', { expect: '  holds: [linearizable]' }),
      'long.yaml': campaign('mem-long', { warmup: '60s', expect: '  holds: [linearizable]' }),
      'never.yaml': campaign('mem-never', {}),
    });
    const child = spawnMatrix(dir, ['first.yaml', 'long.yaml', 'never.yaml']);
    await child.waitFor(/phase: warm-up[\s\S]*phase: warm-up/, 'the second run never got going');
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGINT');
    const exit = child.exit;
    const out = (): string => child.output();
    assert.equal(await exit, 130, out());
    const m = readMatrix(dir);
    assert.equal(m.state, 'interrupted');
    assert.equal(m.exitCode, 130);
    assert.deepEqual(
      m.runs.map((r) => [r.campaign, r.status]),
      [
        ['mem-first', 'passed'],
        ['mem-long', 'interrupted'],
      ],
    );
    assert.ok(!existsSync(join(dir, 'store', 'mem-never')), 'no run started after the interrupt');
    assert.match(out(), /interrupted: faults healed and nodes torn down/);
    assert.match(out(), /interrupted: the finished runs and the matrix so far are kept/);
  },
);

test(
  'a second Ctrl-C during teardown ends at once, saying what may be left, and the matrix so far is still kept',
  { timeout: 120_000 },
  async (t) => {
    const dir = project(t, {
      'first.yaml': campaign('mem-done', { expect: '  holds: [linearizable]' }),
      'slow.yaml': campaign('mem-slow-stop', { warmup: '60s', stopDelayMs: 30_000 }),
    });
    const child = spawnMatrix(dir, ['first.yaml', 'slow.yaml']);
    await child.waitFor(/phase: warm-up[\s\S]*phase: warm-up/, 'the second run never got going');
    child.kill('SIGINT');
    // The watcher ignores a repeat within 1 s (npm sends two); after that a second signal forces the exit.
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    assert.equal(await child.exit, 130, child.output());
    assert.match(child.output(), /stopped before teardown finished \(second Ctrl-C\)/);
    const runId = /faultline clean --run (mem-slow-stop-\S+)/.exec(child.output())?.[1];
    assert.ok(runId !== undefined, child.output());
    // What the notice says to do removes what the cut-short teardown left (the local nodes' folder).
    const clean = spawnSync(process.execPath, [cli, 'clean', '--run', runId], { encoding: 'utf8' });
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
    assert.ok(!existsSync(join(tmpdir(), `faultline-local-${runId}`)), 'nothing left behind after clean');
    const m = readMatrix(dir);
    assert.equal(m.state, 'interrupted');
    assert.deepEqual(
      m.runs.map((r) => [r.campaign, r.status]),
      [['mem-done', 'passed']],
    );
  },
);
