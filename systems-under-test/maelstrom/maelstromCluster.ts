// One run's Maelstrom cluster in the harness process: the router every message goes through, each node's
// process, the clients (c1, c2, ...), the services and each node's message log. The plug-in API gives hooks per
// node, so the cluster is found again from the run's options object, which every hook and client of one run
// shares.
import { createWriteStream, mkdirSync, mkdtempSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, posix } from 'node:path';
import { uploadFiles } from '../../harness/plugin.ts';
import type { ClientOp, Completion, NodeContext, Remote } from '../../harness/plugin.ts';
import { binFolderFiles, binOnNode, nodeBinRoot } from './binFolder.ts';
import { MaelstromNetwork } from './maelstromNetwork.ts';
import type { MaelstromMessage, MessageBody } from './maelstromNetwork.ts';
import { MaelstromRouter } from './maelstromRouter.ts';
import type { MessageEvent } from './maelstromRouter.ts';
import { parseMaelstromOptions } from './maelstromOptions.ts';
import type { MaelstromOptions } from './maelstromOptions.ts';
import { NodeProcess, binProblem, spawnLocal } from './nodeProcess.ts';
import { makeServices } from './maelstromServices.ts';
import { completionOf, protocolFor, requestBody, timeoutCompletion } from './workloadBodies.ts';
import { conditionsForPacketFault, grudgeFromRecord } from './networkFaults.ts';
import type { PacketFaultBehaviors } from './networkFaults.ts';

/** Where a node's files live on the node (the local backend maps these paths into the node's folder). */
export const nodePaths = {
  logFile: '/var/log/faultline/maelstrom.log',
  messageLog: '/var/log/faultline/maelstrom-messages.jsonl',
  pidFile: '/var/run/faultline/maelstrom.pid',
} as const;

/** The harness's own sender of init messages: Maelstrom's clients are c1, c2, ..., so c0 is never a client. */
const initSender = 'c0';

const clusters = new WeakMap<Record<string, unknown>, MaelstromCluster>();

/** The run's cluster if a node has started: a heal or resume before any start has nothing to act on. */
export function existingClusterOf(options: Record<string, unknown>): MaelstromCluster | undefined {
  return clusters.get(options);
}

/** The run's cluster, made by the first start (a relative `bin` is resolved against the campaign's folder). */
export function startingClusterOf(options: Record<string, unknown>, campaignDir?: string): MaelstromCluster {
  let cluster = clusters.get(options);
  if (cluster === undefined) {
    cluster = new MaelstromCluster(parseMaelstromOptions(options, campaignDir));
    clusters.set(options, cluster);
  }
  return cluster;
}

/** The run's cluster, for what needs started nodes (ready, clients, network faults). */
export function clusterOf(options: Record<string, unknown>): MaelstromCluster {
  const cluster = clusters.get(options);
  if (cluster === undefined) throw new Error('maelstrom: no node of this run was started');
  return cluster;
}

/**
 * Makes `dir` on the node and returns its real path there: on a local node, its host path (the local backend
 * runs commands in the node's folder).
 */
async function hostPath(ctx: NodeContext, dir: string): Promise<string> {
  const made = await ctx.node.exec(['mkdir', '-p', dir]);
  if (made.exitCode !== 0) throw new Error(`node ${ctx.node.name}: mkdir ${dir} failed: ${made.stderr.trim()}`);
  const r = await ctx.node.exec(['pwd', '-P'], { cwd: dir });
  if (r.exitCode !== 0) throw new Error(`node ${ctx.node.name}: cannot resolve ${dir}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** Local nodes share 127.0.0.1 and get per-node ports from the harness; other backends have neither. */
function isLocalNode(ctx: NodeContext): boolean {
  return ctx.node.address === '127.0.0.1' && typeof ctx.options['ports'] === 'object';
}

interface NodeState {
  process: NodeProcess;
  /** A docker or ssh node: its logs are written on this machine and copied to it when it stops. */
  remote?: { node: Remote; hostLogDir: string };
  initialized: boolean;
  /** How the process ended when nobody asked it to (not a kill or a stop): ready() reports it. */
  crash?: string;
}

interface PendingRequest {
  resolve(body: MessageBody): void;
}

export class MaelstromCluster {
  readonly options: MaelstromOptions;
  readonly router: MaelstromRouter;
  private readonly nodes = new Map<string, NodeState>();
  private readonly messageLogs = new Map<string, WriteStream>();
  private nextClient = 1;
  private nextInitId = 1;
  private readonly pendingInits = new Map<string, { msgId: number; settle(body: MessageBody): void }>();
  /** Where remote nodes' logs are written until they are copied onto the nodes (made by the first remote start). */
  private hostLogRoot: string | undefined;
  /** Remote nodes that have the binary's folder copied in, with the binary's path there. */
  private readonly installedBins = new Map<string, Promise<string>>();

  constructor(options: MaelstromOptions) {
    this.options = options;
    this.router = new MaelstromRouter(new MaelstromNetwork(options.seed, options.network), {
      onEvent: (e) => {
        this.logEvent(e);
      },
    });
    this.attachServices();
  }

  /**
   * lin-kv, seq-kv, lww-kv and lin-tso as endpoints on the router, as Maelstrom runs them on its network: a
   * request and its answer each travel the network (latency, loss, packet faults on the node's links), and
   * are logged in the node's message log. The nemesis's partitions name nodes only, so a service stays
   * reachable from every side, as in Maelstrom, whose grudges are over the test's nodes.
   */
  private attachServices(): void {
    for (const [name, service] of makeServices(this.options.seed)) {
      this.router.attach(name, (m) => {
        const reply = service.handle(m.src, m.body);
        // A request without msg_id is applied but not answered: there is nothing to answer it to.
        if (m.body.msg_id !== undefined)
          this.router.send({ src: name, dest: m.src, body: { ...reply, in_reply_to: m.body.msg_id } });
      });
    }
  }

  /** Starts (or restarts, after a kill) the node's process, sends it init, and waits for init_ok. */
  async start(ctx: NodeContext): Promise<void> {
    const name = ctx.node.name;
    if (this.nodes.get(name)?.process.running === true) return;
    const existing = this.nodes.get(name);
    const nodeProcess = existing?.process ?? (await this.nodeProcessFor(ctx));
    const state: NodeState = {
      process: nodeProcess,
      initialized: false,
      ...(existing?.remote !== undefined && { remote: existing.remote }),
    };
    if (existing === undefined && !isLocalNode(ctx))
      state.remote = { node: ctx.node, hostLogDir: dirname(nodeProcess.spec.logFile) };
    this.nodes.set(name, state);
    await nodeProcess.start();
    // The pidfile lets the local backend's teardown and `faultline clean` find the process if the harness dies.
    await ctx.node.writeFile(nodePaths.pidFile, `${nodeProcess.pid ?? ''}\n`);
    ctx.log(`started maelstrom node ${this.options.bin} (pid ${nodeProcess.pid ?? '?'})`);
    this.router.attach(name, (m) => {
      nodeProcess.deliver(m);
    });
    await this.init(ctx, state);
  }

  /**
   * The node's process, made once per node: on the local backend the binary runs here, in the node's folder;
   * on docker and ssh nodes its folder is copied to the node and it runs there, its stdio streamed to the
   * router, its logs written here and copied onto the node when it stops.
   */
  private async nodeProcessFor(ctx: NodeContext): Promise<NodeProcess> {
    const name = ctx.node.name;
    const command = [this.options.bin, ...this.options.args];
    const local = isLocalNode(ctx);
    let logDir: string;
    let launch: NodeProcess['spec']['launch'];
    let runsAs: string | undefined;
    if (local) {
      const cwd = await hostPath(ctx, ctx.dataDir);
      logDir = await hostPath(ctx, '/var/log/faultline');
      await hostPath(ctx, '/var/run/faultline');
      launch = () => spawnLocal(name, this.options.bin, this.options.args, { cwd, env: ctx.clockEnv });
    } else {
      const spawnAttached = ctx.node.spawnAttached?.bind(ctx.node);
      if (spawnAttached === undefined)
        throw new Error(`node ${name}: this node backend cannot run a process with its stdio attached to faultline`);
      const bin = await this.installBin(ctx);
      await hostPath(ctx, ctx.dataDir);
      this.hostLogRoot ??= mkdtempSync(join(tmpdir(), 'faultline-maelstrom-logs-'));
      logDir = join(this.hostLogRoot, name);
      mkdirSync(logDir, { recursive: true });
      launch = () => spawnAttached([bin, ...this.options.args], { cwd: ctx.dataDir, env: ctx.clockEnv });
      runsAs = `on ${name} as ${bin}, in ${ctx.dataDir}`;
    }
    if (!this.messageLogs.has(name))
      this.messageLogs.set(name, createWriteStream(join(logDir, 'maelstrom-messages.jsonl'), { flags: 'a' }));
    return new NodeProcess({
      node: name,
      command,
      launch,
      ...(runsAs !== undefined && { runsAs }),
      logFile: join(logDir, 'maelstrom.log'),
      onMessage: (m) => {
        this.fromNode(m);
      },
      onExit: (description) => {
        ctx.log(description);
        this.router.detach(name);
        const state = this.nodes.get(name);
        if (state === undefined) return;
        state.initialized = false;
        state.crash = description;
      },
    });
  }

  /** Copies the binary's folder to a docker or ssh node (once), and returns the binary's path there. */
  private installBin(ctx: NodeContext): Promise<string> {
    const name = ctx.node.name;
    let installed = this.installedBins.get(name);
    if (installed === undefined) {
      installed = (async () => {
        const bin = this.options.bin;
        const problem = binProblem(bin);
        if (problem !== undefined) throw new Error(`node ${name}: the binary ${bin} ${problem}`);
        const files = binFolderFiles(bin);
        const root = dirname(bin);
        await uploadFiles(
          ctx.node,
          files.map((f) => ({ localPath: join(root, f.path), remotePath: posix.join(nodeBinRoot, f.path) })),
        );
        ctx.log(`copied ${files.length} files of ${root} to ${nodeBinRoot}`);
        return binOnNode(bin);
      })();
      this.installedBins.set(name, installed);
      // A failed copy is tried again by the next start.
      installed.catch(() => this.installedBins.delete(name));
    }
    return installed;
  }

  /** init, and for the broadcast protocol the topology (every other node a neighbour), before the node serves. */
  private async init(ctx: NodeContext, state: NodeState): Promise<void> {
    const name = ctx.node.name;
    const names = ctx.nodes.map((n) => n.name);
    await this.setupRequest(state, name, { type: 'init', node_id: name, node_ids: names });
    if (this.options.setProtocol === 'broadcast')
      await this.setupRequest(state, name, {
        type: 'topology',
        topology: Object.fromEntries(names.map((n) => [n, names.filter((m) => m !== n)])),
      });
    state.initialized = true;
  }

  /**
   * One request of the harness's own (from c0) that the node must answer with `<type>_ok` in time. It bypasses
   * the network's faults (as Maelstrom's setup runs before its nemesis), but is logged.
   */
  private async setupRequest(state: NodeState, name: string, body: MessageBody): Promise<void> {
    const msgId = this.nextInitId++;
    const request: MaelstromMessage = { src: initSender, dest: name, body: { ...body, msg_id: msgId } };
    let timer: NodeJS.Timeout | undefined;
    const reply = new Promise<MessageBody | 'timeout' | 'exited'>((resolve) => {
      this.pendingInits.set(name, { msgId, settle: resolve });
      timer = setTimeout(() => {
        resolve('timeout');
      }, this.options.initTimeoutMs);
      void state.process.whenExited().then(() => {
        resolve('exited');
      });
    });
    this.router.recordDirect(request);
    state.process.deliver(request);
    const answer = await reply;
    clearTimeout(timer);
    this.pendingInits.delete(name);
    if (answer !== 'timeout' && answer !== 'exited' && answer.type === `${body.type}_ok`) return;
    const why =
      answer === 'timeout'
        ? `did not answer ${body.type} within ${this.options.initTimeoutMs} ms`
        : answer === 'exited'
          ? `${state.process.exit ?? 'exited'} before answering ${body.type}`
          : `answered ${body.type} with ${JSON.stringify(answer)}`;
    if (answer !== 'exited') await state.process.kill();
    throw new Error(state.process.describe(why));
  }

  ready(node: string): boolean {
    const state = this.nodes.get(node);
    if (state?.crash !== undefined) throw new Error(state.crash);
    return state?.initialized === true;
  }

  async kill(node: string): Promise<void> {
    const state = this.nodes.get(node);
    if (state === undefined) return;
    this.router.detach(node);
    state.initialized = false;
    await state.process.kill();
  }

  async pause(node: string): Promise<void> {
    await this.nodes.get(node)?.process.signal('SIGSTOP');
  }

  async resume(node: string): Promise<void> {
    await this.nodes.get(node)?.process.signal('SIGCONT');
  }

  /** Graceful stop of one node; the last one stopped closes the router and the message logs. */
  async stop(node: string): Promise<void> {
    const state = this.nodes.get(node);
    if (state !== undefined) {
      this.router.detach(node);
      state.initialized = false;
      await state.process.stop();
      await state.process.closeLog();
      if (state.remote !== undefined) await state.remote.node.upload(state.process.spec.logFile, nodePaths.logFile);
    }
    if ([...this.nodes.values()].every((s) => !s.process.running)) {
      this.router.close();
      const logs = [...this.messageLogs.values()];
      this.messageLogs.clear();
      await Promise.all(logs.map((l) => new Promise<void>((resolve) => l.end(resolve))));
      // Every node's message log is complete only now: remote nodes get theirs for log collection.
      await Promise.all(
        [...this.nodes.values()].map(async (s) => {
          if (s.remote !== undefined)
            await s.remote.node.upload(join(s.remote.hostLogDir, 'maelstrom-messages.jsonl'), nodePaths.messageLog);
        }),
      );
    }
  }

  /** A partition on the router: `grudge` maps a node to the nodes whose messages it drops; {} heals. */
  partition(grudge: Readonly<Record<string, readonly string[]>>): void {
    this.router.model.setGrudge(grudgeFromRecord(grudge));
  }

  /** A packet fault on the links of `targets`; returns what of it the router cannot do. */
  shapeLinks(targets: readonly string[], behaviors: PacketFaultBehaviors): string[] {
    const { conditions, notApplied } = conditionsForPacketFault(behaviors);
    this.router.model.shapeLinks(targets, conditions);
    return notApplied;
  }

  /** Heals every network fault: no partition, no shaping (the campaign's base conditions stay). */
  healNetwork(): void {
    this.router.model.setGrudge(new Map());
    this.router.model.shapeLinks([], undefined);
  }

  /** A client endpoint bound to `node`, named c1, c2, ... in the order clients open. */
  openClient(node: string, workload: string): MaelstromClient {
    const protocol = protocolFor(workload, this.options.setProtocol);
    const client = new MaelstromClient(
      `c${this.nextClient++}`,
      node,
      { name: workload, protocol },
      this.router,
      this.options.rpcTimeoutMs,
    );
    return client;
  }

  private fromNode(m: MaelstromMessage): void {
    const init = this.pendingInits.get(m.src);
    if (m.dest === initSender && init !== undefined && m.body.in_reply_to === init.msgId) {
      this.router.recordDirect(m);
      init.settle(m.body);
      return;
    }
    this.router.send(m);
  }

  /** A message's events go to the log of the node that sent it, or, for a client's or a service's, of the node it is for. */
  private logEvent(e: MessageEvent): void {
    const owner = this.messageLogs.has(e.src) ? e.src : e.dest;
    this.messageLogs.get(owner)?.write(`${JSON.stringify(e)}\n`);
  }
}

/** A Maelstrom client (c1, c2, ...): one request at a time, as Maelstrom's clients are. */
export class MaelstromClient {
  readonly name: string;
  private readonly node: string;
  private readonly workload: string;
  /** The Maelstrom protocol it speaks for that workload (protocolFor). */
  private readonly protocol: string;
  private readonly router: MaelstromRouter;
  private readonly rpcTimeoutMs: number;
  private nextMsgId = 1;
  private readonly pending = new Map<number, PendingRequest>();

  constructor(
    name: string,
    node: string,
    workload: { name: string; protocol: string },
    router: MaelstromRouter,
    rpcTimeoutMs: number,
  ) {
    this.name = name;
    this.node = node;
    this.workload = workload.name;
    this.protocol = workload.protocol;
    this.router = router;
    this.rpcTimeoutMs = rpcTimeoutMs;
    router.attach(name, (m) => {
      const id = m.body.in_reply_to;
      // A reply to a request given up on (timed out) is dropped, as Maelstrom's client does.
      if (id === undefined) return;
      this.pending.get(id)?.resolve(m.body);
    });
  }

  async invoke(op: ClientOp, signal: AbortSignal): Promise<Completion> {
    const request = requestBody(this.workload, op, this.protocol);
    if ('refused' in request) return { type: 'fail', error: request.refused };
    const msgId = this.nextMsgId++;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const reply = new Promise<MessageBody | 'timeout'>((resolve) => {
      this.pending.set(msgId, { resolve });
      timer = setTimeout(() => {
        resolve('timeout');
      }, this.rpcTimeoutMs);
      onAbort = () => {
        resolve('timeout');
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    this.router.send({ src: this.name, dest: this.node, body: { ...request.body, msg_id: msgId } });
    const answer = await reply;
    clearTimeout(timer);
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    this.pending.delete(msgId);
    return answer === 'timeout'
      ? timeoutCompletion(op, this.rpcTimeoutMs)
      : completionOf(op, answer, request.body.type);
  }

  close(): Promise<void> {
    this.router.detach(this.name);
    return Promise.resolve();
  }
}
