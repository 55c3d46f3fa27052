// The program of the exec agent: one resident process per docker node that runs the harness's commands, so a
// command costs a child_process spawn (a few ms) instead of an engine exec (containerd + runc, 50-100 ms). It
// is started by one long-lived engine exec and talks over that exec's stdin and stdout, never over the
// container's network, so partitions and iptables rules cannot cut it off. The harness side is execAgent.ts.
//
// Protocol, one JSON object per line:
//   harness -> agent  {"t":"run","id":1,"argv":[...],"timeoutMs":60000,"env":{...}?,"cwd":"/tmp"?}
//                     {"t":"cancel","id":1}
//   agent -> harness  {"t":"ready","pid":42}
//                     {"t":"started","id":1,"pid":43}
//                     {"t":"done","id":1,"exitCode":0|null,"signal":"SIGKILL"|null,"stdout":b64,"stderr":b64,
//                      "timedOut":false}
//                     {"t":"error","message":"..."}  (a request it could not read)
// When its stdin ends (the harness closed the channel or went away) it kills what it runs and exits.
//
// Plain CommonJS for the node image's Node (Debian's v18), passed as `node -e`: no file to upload first.
// Kept to String.raw without `${` or backticks so the text below is exactly the program.

export const EXEC_AGENT_TITLE = 'faultline-exec-agent';

export const EXEC_AGENT_SOURCE = String.raw`'use strict';
const { spawn } = require('child_process');
const { statSync } = require('fs');

// A title of its own: pkill/pgrep for "node" (the reference systems are Node programs) do not match it.
process.title = 'faultline-exec-agent';
// The agent is the harness's, not the system's: broad polite kills (pkill -f ..., kill -TERM -1) pass it by.
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => {});

// Like the engine's exec: once the command has exited, a background process still holding its output open
// gets this long before the output is cut and the result reported.
const OUTPUT_GRACE_MS = 2000;

const jobs = new Map();
let closing = false;

function send(message) {
  if (!closing) process.stdout.write(JSON.stringify(message) + '\n');
}

function killGroup(pid) {
  // Every command leads its own process group (detached), so its children go with it.
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (e) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (e2) {}
  }
}

function stop(id) {
  const job = jobs.get(id);
  if (job === undefined || job.timedOut) return;
  job.timedOut = true;
  if (job.pid !== undefined) killGroup(job.pid);
}

function run(req) {
  const id = req.id;
  const out = [];
  const err = [];
  const job = { pid: undefined, timedOut: false, timer: undefined, grace: undefined, reported: false };
  jobs.set(id, job);
  const report = (exitCode, signal) => {
    if (job.reported) return;
    job.reported = true;
    jobs.delete(id);
    clearTimeout(job.timer);
    clearTimeout(job.grace);
    send({
      t: 'done',
      id,
      exitCode: job.timedOut ? null : exitCode,
      signal: job.timedOut ? 'SIGKILL' : signal,
      stdout: Buffer.concat(out).toString('base64'),
      stderr: Buffer.concat(err).toString('base64'),
      timedOut: job.timedOut,
    });
  };
  // The exit codes and words a shell's exec would give, so callers see the same as with the engine's exec.
  const fail = (exitCode, message) => {
    err.push(Buffer.from('faultline-exec: ' + message + '\n'));
    report(exitCode, null);
  };
  if (!Array.isArray(req.argv) || req.argv.length === 0) return fail(127, 'no command');
  if (typeof req.cwd === 'string') {
    let isDir = false;
    try {
      isDir = statSync(req.cwd).isDirectory();
    } catch (e) {}
    if (!isDir) return fail(126, 'chdir to cwd ("' + req.cwd + '"): no such directory');
  }
  let child;
  try {
    child = spawn(req.argv[0], req.argv.slice(1), {
      cwd: typeof req.cwd === 'string' ? req.cwd : undefined,
      env: req.env ? Object.assign({}, process.env, req.env) : process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
  } catch (e) {
    return fail(126, req.argv[0] + ': ' + e.message);
  }
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => err.push(d));
  child.on('error', (e) => {
    // Only a failed spawn is reported here; errors of a running child (a kill that raced its exit) are not.
    if (child.pid === undefined) fail(e.code === 'ENOENT' ? 127 : 126, req.argv[0] + ': ' + (e.code === 'ENOENT' ? 'not found' : e.message));
  });
  if (child.pid === undefined) return;
  job.pid = child.pid;
  send({ t: 'started', id, pid: child.pid });
  // Clamped: setTimeout treats anything above 2^31-1 ms as 1 ms.
  job.timer = setTimeout(() => stop(id), Math.min(Math.max(0, Number(req.timeoutMs) || 0), 2147483647));
  child.on('exit', () => {
    clearTimeout(job.timer);
    job.grace = setTimeout(() => {
      child.stdout.destroy();
      child.stderr.destroy();
    }, OUTPUT_GRACE_MS);
  });
  child.on('close', (code, signal) => report(code, signal));
}

function handle(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    send({ t: 'error', message: 'unreadable request: ' + e.message });
    return;
  }
  if (req.t === 'run') run(req);
  else if (req.t === 'cancel') stop(req.id);
  else send({ t: 'error', message: 'unknown request ' + JSON.stringify(req.t) });
}

function shutdown() {
  if (closing) return;
  closing = true;
  for (const job of jobs.values()) if (job.pid !== undefined) killGroup(job.pid);
  process.exit(0);
}

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => {
  buffered += text;
  for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
    const line = buffered.slice(0, nl);
    buffered = buffered.slice(nl + 1);
    if (line.trim() !== '') handle(line);
  }
});
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
process.stdout.on('error', shutdown);
send({ t: 'ready', pid: process.pid });
`;
