// The exec agent's program, run here on the host with this machine's Node and spoken to over pipes exactly
// as the harness speaks to it in a container: its replies, exit codes, timeouts, cancels and clean exit.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parseAgentMessage } from './execAgent.ts';
import { EXEC_AGENT_SOURCE } from './execAgentSource.ts';

interface Done {
  exitCode: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
}

/** A local agent and a tiny client for it. */
class LocalAgent {
  readonly child: ChildProcessWithoutNullStreams;
  readonly ready: Promise<number>;
  readonly started = new Map<number, number>();
  readonly errors: string[] = [];
  private readonly waiting = new Map<number, (d: Done) => void>();
  private nextId = 1;
  private rest = '';
  private onReady: ((pid: number) => void) | undefined;

  constructor() {
    this.child = spawn(process.execPath, ['-e', EXEC_AGENT_SOURCE]);
    this.ready = new Promise((resolve) => (this.onReady = resolve));
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (text: string) => {
      this.rest += text;
      for (let nl = this.rest.indexOf('\n'); nl >= 0; nl = this.rest.indexOf('\n')) {
        this.receive(this.rest.slice(0, nl));
        this.rest = this.rest.slice(nl + 1);
      }
    });
  }

  private receive(line: string): void {
    const m = parseAgentMessage(line);
    assert.ok(m, `a message the harness understands: ${line}`);
    if (m.t === 'ready') this.onReady?.(m.pid);
    else if (m.t === 'started') this.started.set(m.id, m.pid);
    else if (m.t === 'error') this.errors.push(m.message);
    else
      this.waiting.get(m.id)?.({
        exitCode: m.exitCode,
        signal: m.signal,
        stdout: Buffer.from(m.stdout, 'base64'),
        stderr: Buffer.from(m.stderr, 'base64'),
        timedOut: m.timedOut,
      });
  }

  send(message: object | string): void {
    this.child.stdin.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
  }

  run(
    argv: string[],
    extra: { timeoutMs?: number; env?: Record<string, string>; cwd?: string } = {},
  ): {
    id: number;
    done: Promise<Done>;
  } {
    const id = this.nextId++;
    const done = new Promise<Done>((resolve) => this.waiting.set(id, resolve));
    this.send({ t: 'run', id, argv, timeoutMs: 10_000, ...extra });
    return { id, done };
  }
}

/** Whether a pid is a live (not zombie) process on this machine. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 50 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(check(), what);
}

describe('the exec agent program', () => {
  let agent: LocalAgent;
  before(async () => {
    agent = new LocalAgent();
    await agent.ready;
  });
  after(() => {
    agent.child.kill('SIGKILL');
  });

  it('keeps stdout, stderr and the exit code apart, byte for byte', async () => {
    const r = await agent.run(['sh', '-c', 'printf "out\\377\\000"; echo err >&2; exit 7']).done;
    assert.deepEqual(r.stdout, Buffer.from([0x6f, 0x75, 0x74, 0xff, 0x00]));
    assert.equal(r.stderr.toString(), 'err\n');
    assert.equal(r.exitCode, 7);
    assert.equal(r.signal, null);
    assert.equal(r.timedOut, false);
  });

  it('passes argv literally and sets env (over its own) and cwd', async () => {
    const r = await agent.run(
      ['sh', '-c', 'printf "%s|%s|%s" "$1" "$FL_A" "$(pwd)"; [ -n "$PATH" ]', 'x', `a 'b' $HOME`],
      {
        env: { FL_A: 'x y' },
        cwd: '/tmp',
      },
    ).done;
    assert.equal(r.exitCode, 0, r.stderr.toString());
    assert.equal(r.stdout.toString(), `a 'b' $HOME|x y|/tmp`);
  });

  it('answers like a shell for a missing command (127) and a missing cwd (126)', async () => {
    const missing = await agent.run(['faultline-no-such-command']).done;
    assert.equal(missing.exitCode, 127);
    assert.match(missing.stderr.toString(), /faultline-no-such-command: not found/);
    const noDir = await agent.run(['true'], { cwd: '/faultline-no-such-dir' }).done;
    assert.equal(noDir.exitCode, 126);
  });

  it('reports a command killed by a signal with its signal and no exit code', async () => {
    const r = await agent.run(['sh', '-c', 'kill -s KILL $$']).done;
    assert.deepEqual([r.exitCode, r.signal, r.timedOut], [null, 'SIGKILL', false]);
  });

  it('a timeout kills the command and its process group', async () => {
    const started = Date.now();
    const r = await agent.run(['sh', '-c', 'sleep 30 & echo $!; sleep 31'], { timeoutMs: 300 }).done;
    assert.deepEqual([r.exitCode, r.signal, r.timedOut], [null, 'SIGKILL', true]);
    assert.ok(Date.now() - started < 5000);
    const background = Number(r.stdout.toString().trim());
    assert.ok(background > 0, 'the background sleep said its pid');
    await eventually(() => !alive(background), 'the background sleep is gone');
  });

  it('a cancel kills a running command', async () => {
    const { id, done } = agent.run(['sleep', '20']);
    await eventually(() => agent.started.has(id), 'it said the command started');
    agent.send({ t: 'cancel', id });
    const r = await done;
    assert.equal(r.timedOut, true);
    assert.ok(!alive(agent.started.get(id)!));
  });

  it('runs commands concurrently and answers each by its id', async () => {
    const started = Date.now();
    const runs = Array.from({ length: 10 }, (_, i) => agent.run(['sh', '-c', `sleep 0.${9 - i}; echo ${i}`]).done);
    const results = await Promise.all(runs);
    assert.deepEqual(
      results.map((r) => r.stdout.toString().trim()),
      Array.from({ length: 10 }, (_, i) => String(i)),
    );
    assert.ok(Date.now() - started < 3000, 'they ran side by side');
  });

  it('says so when a request is unreadable, and keeps going', async () => {
    agent.send('{not json');
    await eventually(() => agent.errors.length > 0, 'an error message came back');
    assert.equal((await agent.run(['true']).done).exitCode, 0);
  });
});

describe('the exec agent when its channel ends', () => {
  it('ignores a polite SIGTERM, but kills what it runs and exits when its stdin ends', async () => {
    const agent = new LocalAgent();
    const agentPid = await agent.ready;
    const { id } = agent.run(['sleep', '30']);
    await eventually(() => agent.started.has(id), 'the command started');
    const sleepPid = agent.started.get(id)!;
    process.kill(agentPid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(agent.child.exitCode, null, 'SIGTERM did not stop it');
    const exited = new Promise((r) => agent.child.on('exit', r));
    agent.child.stdin.end();
    await exited;
    await eventually(() => !alive(sleepPid), 'its command was killed');
  });
});
