// What the nemesis end-to-end tests share: a throwaway cluster named fl-nem-*, tiny node programs (a TCP echo
// server, a UDP sink, a TCP time server) and probes that observe effects (did the bytes arrive?) rather than
// check commands. Traffic goes only between the test's own containers, and from this host to them.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { createDockerCluster, type DockerCluster } from '../../../harness/nodes/cluster.ts';
import type { SystemDefinition } from '../../../harness/plugin.ts';
import type { Remote } from '../../../harness/nodes/remote.ts';
import { eventually } from '../dockerEngine.ts';

export { dockerSkip, eventually } from '../dockerEngine.ts';

export async function nemesisCluster(kind: string, nodes = 3): Promise<DockerCluster> {
  const cluster = await createDockerCluster({
    runId: `${kind}-${randomBytes(3).toString('hex')}`,
    nodes,
    namePrefix: 'fl-nem',
  });
  try {
    await Promise.all(cluster.nodes.map(installScripts));
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return cluster;
}

const scripts: Record<string, string> = {
  // argv: port. Echoes every byte back.
  'echo.js': `require('net').createServer((s) => { s.on('data', (d) => s.write(d)); s.on('error', () => {}); }).listen(Number(process.argv[2]), '0.0.0.0');`,
  // argv: port file. Appends one line per datagram.
  'udp-sink.js': `const fs = require('fs'); const s = require('dgram').createSocket('udp4'); s.on('message', (m) => fs.appendFileSync(process.argv[3], m.toString() + '\\n')); s.bind(Number(process.argv[2]), '0.0.0.0');`,
  // argv: host port count. Sends count datagrams, 10 ms apart.
  'udp-send.js': `const s = require('dgram').createSocket('udp4'); let i = 0; const n = Number(process.argv[4]); const t = setInterval(() => { s.send('d' + i, Number(process.argv[3]), process.argv[2]); if (++i >= n) { clearInterval(t); setTimeout(() => s.close(), 100); } }, 10);`,
  // argv: port. Answers each connection with its Date.now() and closes.
  'time.js': `require('net').createServer((s) => { s.end(String(Date.now())); s.on('error', () => {}); }).listen(Number(process.argv[2]), '0.0.0.0');`,
  // argv: host port timeout-ms. Exit 0 when 'ping' is echoed back in time; 1 otherwise.
  'ping.js': `const c = require('net').connect(Number(process.argv[3]), process.argv[2]); const t = setTimeout(() => { console.log('timeout'); process.exit(1); }, Number(process.argv[4])); c.on('connect', () => c.write('ping')); c.on('data', (d) => { if (d.toString().includes('ping')) { clearTimeout(t); console.log('ok'); process.exit(0); } }); c.on('error', (e) => { console.log('error ' + e.message); process.exit(1); });`,
};

export const scriptDir = '/opt/fl-nem';

async function installScripts(remote: Remote): Promise<void> {
  await remote.exec(['mkdir', '-p', scriptDir]);
  for (const [name, body] of Object.entries(scripts)) await remote.writeFile(`${scriptDir}/${name}`, body);
}

/** Whether `from` gets an echo from `to`'s echo server on `port` within timeoutMs. */
export async function tcpReaches(from: Remote, to: Remote, port: number, timeoutMs = 1500): Promise<boolean> {
  const r = await from.exec(['node', `${scriptDir}/ping.js`, to.address, String(port), String(timeoutMs)], {
    timeoutMs: timeoutMs + 10_000,
  });
  return r.exitCode === 0;
}

/** From this host (the controller) to a node: an echo within timeoutMs. */
export function hostReaches(address: string, port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, address);
    const timer = setTimeout(() => {
      finish(false);
    }, timeoutMs);
    function finish(ok: boolean) {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    }
    socket.on('connect', () => socket.write('ping'));
    socket.on('data', (d) => {
      if (d.toString().includes('ping')) finish(true);
    });
    socket.on('error', () => {
      finish(false);
    });
  });
}

/** Reads one whole answer from a TCP server on a node (from this host). */
export function hostRead(address: string, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, address);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${address}:${port} in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (d) => (text += d.toString()));
    socket.on('end', () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Starts the echo server on every node. */
export async function startEchoServers(nodes: readonly Remote[], port: number): Promise<void> {
  await Promise.all(
    nodes.map((n) => n.startDaemon({ name: 'fl-nem-echo', argv: ['node', `${scriptDir}/echo.js`, String(port)] })),
  );
  await Promise.all(
    nodes.map((n) =>
      eventually(`echo on ${n.name}`, async () => ((await hostReaches(n.address, port)) ? true : undefined)),
    ),
  );
}

/** A "system" of one TCP echo server per node, run as a daemon (under the clock hook), with pidfile-based hooks. */
export function echoDaemonSystem(
  port: number,
): Pick<SystemDefinition, 'start' | 'ready' | 'kill' | 'pause' | 'resume'> {
  const name = 'fl-nem-sys';
  return {
    async start(ctx) {
      await ctx.node.startDaemon({ name, argv: ['node', `${scriptDir}/echo.js`, String(port)], env: ctx.clockEnv });
    },
    ready: (ctx) => hostReaches(ctx.node.address, port, 500),
    async kill(ctx) {
      await ctx.node.signalDaemon(name, 'SIGKILL');
    },
    async pause(ctx) {
      await ctx.node.signalDaemon(name, 'SIGSTOP');
    },
    async resume(ctx) {
      await ctx.node.signalDaemon(name, 'SIGCONT');
    },
  };
}
