// tutorial-kv as a faultline system: how to install, start, stop, kill, pause and talk to it.
// faultline loads this file directly (TypeScript, no build step) when a campaign says `system: ./system.ts`.
import { fileURLToPath } from 'node:url';
import { defineSystem, execOrThrow, type Completion, type NodeContext, type NodeInfo } from 'faultline/plugin';

const script = fileURLToPath(new URL('./server.mjs', import.meta.url));
const remoteScript = '/opt/tutorial-kv/server.mjs';
const pidFile = '/var/run/faultline/tutorial-kv.pid';
const logFile = '/var/log/faultline/tutorial-kv.log';

// On docker or ssh nodes every node has its own address and uses port 7000. On local nodes they share
// 127.0.0.1, and faultline hands the system a distinct port per node in options.ports.
function port(node: string, options: Record<string, unknown>): number {
  const ports = options.ports as Record<string, number> | undefined;
  return ports?.[node] ?? 7000;
}

function url(node: NodeInfo, options: Record<string, unknown>): string {
  return `http://${node.address}:${port(node.name, options)}`;
}

function primaryOf(ctx: NodeContext): NodeInfo {
  return ctx.nodes[0]!;
}

export default defineSystem({
  name: 'tutorial-kv',
  description: 'a key-value store whose first node holds the data; the others forward to it',
  guarantees: ['linearizable'],

  async install(ctx) {
    await execOrThrow(ctx.node, ['mkdir', '-p', '/opt/tutorial-kv']);
    await ctx.node.upload(script, remoteScript);
  },

  async start(ctx) {
    const primary = primaryOf(ctx);
    const primaryUrl = ctx.node.name === primary.name ? 'self' : url(primary, ctx.options);
    await ctx.node.startDaemon({
      name: 'tutorial-kv',
      argv: ['node', remoteScript, String(port(ctx.node.name, ctx.options)), primaryUrl],
      env: ctx.clockEnv,
      pidFile,
      logFile,
    });
  },

  async ready(ctx) {
    const self = ctx.nodes.find((n) => n.name === ctx.node.name)!;
    try {
      return (await fetch(`${url(self, ctx.options)}/health`, { signal: AbortSignal.timeout(1000) })).ok;
    } catch {
      return false;
    }
  },

  async stop(ctx) {
    await ctx.node.signalDaemon('tutorial-kv', 'SIGTERM', { pidFile });
  },
  async kill(ctx) {
    await ctx.node.signalDaemon('tutorial-kv', 'SIGKILL', { pidFile });
  },
  async pause(ctx) {
    await ctx.node.signalDaemon('tutorial-kv', 'SIGSTOP', { pidFile });
  },
  async resume(ctx) {
    await ctx.node.signalDaemon('tutorial-kv', 'SIGCONT', { pidFile });
  },

  logFiles: () => [logFile],

  async client({ node, options }) {
    const base = url(node, options);
    return {
      async invoke(op, signal) {
        let res: Response;
        try {
          res = await fetch(`${base}/op`, { method: 'POST', body: JSON.stringify(op), signal });
        } catch (e) {
          // Refused: the request never reached the node, so it definitely did not happen.
          const code = (e as { cause?: { code?: string } }).cause?.code;
          if (code === 'ECONNREFUSED') return { type: 'fail', error: 'connection refused' };
          // Anything else (timeout, reset): it may have happened. A read changes nothing, so it can fail.
          const error = e instanceof Error ? e.message : String(e);
          return op.f === 'read' ? { type: 'fail', error } : { type: 'info', error };
        }
        return (await res.json()) as Completion;
      },
      async close() {},
    };
  },
});
