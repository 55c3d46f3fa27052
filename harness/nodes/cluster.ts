// One file, over 400 lines: bring-up, attach and removal of crashed runs must agree exactly on the docker names,
// labels and subnets, so the scheme that creates a cluster and the one that finds it again stay side by side.
// A run's nodes as a whole: bring up a docker cluster (a network with a fixed subnet, one container per node
// with a fixed address), find it again later by its run id, tear it down, and remove what crashed runs left.
import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { UserError } from '../errors.ts';
import { hostname } from 'node:os';
import { NODE_LABEL, OWNER_LABEL, RUN_LABEL, connectEngine } from './dockerEngine.ts';
import { DockerRemote } from './docker.ts';
import { ensureNodeImage } from './nodeImage.ts';
import { runLockHeld } from './runLock.ts';

export interface DockerClusterOptions {
  /** Names the run: labels, container and network names carry it. Letters, digits, '_', '.', '-'. */
  runId: string;
  /** How many nodes: n1..nN. */
  nodes: number;
  /** Container and network names start with it. Default 'faultline'. */
  namePrefix?: string;
  /** A /24 (or larger) IPv4 subnet. Default: a free /24 from 10.213.0.0/16. */
  subnet?: string;
  /** Default: ensureNodeImage(). */
  image?: string;
  /** The containers' main process instead of the image's (it must keep running). */
  command?: string[];
  /** Progress lines (image build, steps). */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

export interface ClusterNetwork {
  id: string;
  name: string;
  subnet: string;
  gateway: string;
}

export interface DockerCluster {
  runId: string;
  image: string;
  network: ClusterNetwork;
  /** n1..nN, in order. */
  nodes: DockerRemote[];
  /** Removes the containers (in parallel) and the network. Safe to call more than once. */
  destroy(): Promise<void>;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** [first, last] addresses of an IPv4 CIDR. */
export function cidrRange(cidr: string): [number, number] {
  const [ip, bitsText] = cidr.split('/');
  const bits = Number(bitsText ?? '32');
  if (ip === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32)
    throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const size = 2 ** (32 - bits);
  const first = Math.floor(ipToInt(ip) / size) * size;
  return [first, first + size - 1];
}

function overlaps(a: string, b: string): boolean {
  const [a0, a1] = cidrRange(a);
  const [b0, b1] = cidrRange(b);
  return a0 <= b1 && b0 <= a1;
}

/** Node i's (1-based) address in a subnet: .11, .12, ... (the gateway is .1). */
export function nodeAddress(subnet: string, index: number): string {
  return intToIp(cidrRange(subnet)[0] + 10 + index);
}

function gatewayAddress(subnet: string): string {
  return intToIp(cidrRange(subnet)[0] + 1);
}

/** Subnets in use: docker networks' and this host's routes (so a run never shadows a real network). */
async function usedSubnets(docker: Docker): Promise<string[]> {
  const used: string[] = [];
  for (const net of await docker.listNetworks()) {
    for (const config of net.IPAM?.Config ?? []) {
      const subnet = (config as { Subnet?: string }).Subnet;
      if (subnet !== undefined && !subnet.includes(':')) used.push(subnet);
    }
  }
  const routes = await readFile('/proc/net/route', 'utf8').catch(() => '');
  for (const line of routes.split('\n').slice(1)) {
    const [, dest, , , , , , mask] = line.trim().split(/\s+/);
    if (dest === undefined || mask === undefined || dest === '00000000') continue;
    // /proc/net/route prints addresses as little-endian hex.
    const le = (hex: string): number => Buffer.from(hex, 'hex').readUInt32LE(0);
    const bits = le(mask).toString(2).replace(/0/g, '').length;
    used.push(`${intToIp(le(dest))}/${bits}`);
  }
  return used;
}

function* candidateSubnets(): Generator<string> {
  // Start at a random /24 so parallel runs rarely race for the same one; the engine rejects the loser.
  const start = Math.floor(Math.random() * 254);
  for (let i = 0; i < 254; i++) yield `10.213.${((start + i) % 254) + 1}.0/24`;
}

function containerName(prefix: string, runId: string, node: string): string {
  return `${prefix}-${runId}-${node}`;
}

async function createNetwork(
  docker: Docker,
  name: string,
  runId: string,
  requested: string | undefined,
): Promise<ClusterNetwork> {
  const used = requested === undefined ? await usedSubnets(docker) : [];
  const candidates =
    requested !== undefined ? [requested] : [...candidateSubnets()].filter((c) => !used.some((u) => overlaps(c, u)));
  let lastError: unknown;
  for (const subnet of candidates.slice(0, 30)) {
    const gateway = gatewayAddress(subnet);
    try {
      const network = await docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gateway }] },
        Labels: { [RUN_LABEL]: runId, [OWNER_LABEL]: owner() },
      });
      return { id: network.id, name, subnet, gateway };
    } catch (e) {
      lastError = e;
      const message = e instanceof Error ? e.message : String(e);
      // Another run took this subnet between our look and our create: try the next one.
      if (requested === undefined && /overlap/i.test(message)) continue;
      if (/already exists/i.test(message)) {
        throw new UserError(
          `A docker network named ${name} already exists: run '${runId}' is still up or was left behind.`,
          `Use another run id, or remove it: faultline clean --run ${runId}`,
        );
      }
      throw e;
    }
  }
  throw new Error(
    `no free subnet for run ${runId}: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
  );
}

async function logTail(docker: Docker, container: string): Promise<string> {
  try {
    const buf = await docker.getContainer(container).logs({ stdout: true, stderr: true, tail: 20 });
    // Non-tty logs are multiplexed with 8-byte frame headers; strip them for reading.
    const lines: string[] = [];
    let offset = 0;
    while (offset + 8 <= buf.length) {
      const size = buf.readUInt32BE(offset + 4);
      lines.push(buf.subarray(offset + 8, offset + 8 + size).toString('utf8'));
      offset += 8 + size;
    }
    return lines.join('').trim();
  } catch {
    return '';
  }
}

/**
 * Brings up `nodes` containers n1..nN from the node image on a new network with a fixed subnet, in parallel,
 * and returns once every node answers an exec. On any failure, what was created is removed before throwing.
 */
export async function createDockerCluster(options: DockerClusterOptions): Promise<DockerCluster> {
  if (!RUN_ID.test(options.runId)) {
    throw new UserError(`Run id '${options.runId}' cannot name containers.`, 'Use letters, digits, _, . and - only.');
  }
  if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > 200) {
    throw new UserError(`A cluster needs 1 to 200 nodes, not ${options.nodes}.`);
  }
  const docker = await connectEngine();
  const image =
    options.image ??
    (await ensureNodeImage({
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    }));
  const prefix = options.namePrefix ?? 'faultline';
  const runId = options.runId;
  const names = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`);
  const containers: string[] = [];
  let network: ClusterNetwork | undefined;
  let destroyed = false;

  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    await Promise.all(
      containers.map((c) =>
        docker
          .getContainer(c)
          .remove({ force: true, v: true })
          .catch((e: unknown) => {
            if (!(typeof e === 'object' && e !== null && (e as { statusCode?: number }).statusCode === 404)) throw e;
          }),
      ),
    );
    if (network !== undefined)
      await docker
        .getNetwork(network.id)
        .remove()
        .catch(() => undefined);
  };

  try {
    options.signal?.throwIfAborted();
    network = await createNetwork(docker, `${prefix}-${runId}`, runId, options.subnet);
    const net = network;
    const addresses = names.map((_, i) => nodeAddress(net.subnet, i + 1));
    const extraHosts = names.map((n, i) => `${n}:${addresses[i]!}`);
    await Promise.all(
      names.map(async (node, i) => {
        options.signal?.throwIfAborted();
        const name = containerName(prefix, runId, node);
        await docker.createContainer({
          name,
          Image: image,
          ...(options.command ? { Cmd: options.command } : {}),
          Hostname: node,
          Labels: { [RUN_LABEL]: runId, [NODE_LABEL]: node, [OWNER_LABEL]: owner() },
          HostConfig: {
            NetworkMode: net.name,
            CapAdd: ['NET_ADMIN'],
            ExtraHosts: extraHosts,
            // Node logs and pidfiles live in the container; nothing is mounted from the host.
            Init: false,
          },
          NetworkingConfig: {
            EndpointsConfig: { [net.name]: { IPAMConfig: { IPv4Address: addresses[i]! }, Aliases: [node] } },
          },
        });
        containers.push(name);
        try {
          await docker.getContainer(name).start();
        } catch (e) {
          const tail = await logTail(docker, name);
          throw new UserError(
            `Node ${node} (container ${name}) did not start: ${e instanceof Error ? e.message : String(e)}` +
              (tail ? `\nIts log ends:\n${tail}` : ''),
            `Check the engine's log and the image ${image}; leftovers are removed by: faultline clean --run ${runId}`,
          );
        }
      }),
    );
    const nodes = names.map(
      (node, i) =>
        new DockerRemote({ docker, container: containerName(prefix, runId, node), name: node, address: addresses[i]! }),
    );
    await Promise.all(
      nodes.map(async (remote) => {
        let problem: string | undefined;
        try {
          const result = await remote.exec(['true'], { timeoutMs: 15_000 });
          if (result.exitCode !== 0)
            problem = `it does not run commands (${result.stderr.trim() || `exit ${result.exitCode}`})`;
        } catch (e) {
          // Typically 409: the container's main process already exited.
          problem = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
        }
        if (problem !== undefined) {
          const tail = await logTail(docker, remote.containerName);
          throw new UserError(
            `Node ${remote.name} (container ${remote.containerName}) did not start: ${problem}` +
              (tail ? `\nIts log ends:\n${tail}` : '\nIts log is empty.'),
            `Check the image ${image}${options.command ? ` and the command ${JSON.stringify(options.command)}` : ''}.`,
          );
        }
      }),
    );
    return { runId, image, network: net, nodes, destroy };
  } catch (e) {
    await destroy().catch(() => undefined);
    throw e;
  }
}

/** The cluster of a run brought up earlier (e.g. by `faultline cluster up`), or undefined. */
export async function attachDockerCluster(runId: string): Promise<DockerCluster | undefined> {
  const docker = await connectEngine();
  const listed = await docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });
  const networks = await docker.listNetworks({ filters: { label: [`${RUN_LABEL}=${runId}`] } });
  const info = networks[0];
  if (listed.length === 0 && info === undefined) return undefined;
  const subnet = (info?.IPAM?.Config?.[0] as { Subnet?: string } | undefined)?.Subnet ?? '';
  const netName = info?.Name ?? '';
  const nodes = listed
    .map((c) => {
      const node = c.Labels[NODE_LABEL] ?? c.Names[0]?.replace(/^\//, '') ?? c.Id;
      const address = c.NetworkSettings?.Networks?.[netName]?.IPAddress ?? '';
      return new DockerRemote({ docker, container: c.Names[0]?.replace(/^\//, '') ?? c.Id, name: node, address });
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  let destroyed = false;
  return {
    runId,
    image: listed[0]?.Image ?? '',
    network: { id: info?.Id ?? '', name: netName, subnet, gateway: subnet ? gatewayAddress(subnet) : '' },
    nodes,
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      await removeRunResources({ runId });
    },
  };
}

/** host:pid of the process that made a resource, so `clean` can tell a live run from a crashed one. */
export function owner(): string {
  return `${hostname()}:${process.pid}`;
}

/** True when the label names a process on this machine that still runs (so its run is live, not left over). */
export function ownerAlive(label: string | undefined): boolean {
  if (label === undefined) return false;
  const at = label.lastIndexOf(':');
  const pid = Number(label.slice(at + 1));
  if (label.slice(0, at) !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but is someone else's.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface RemovedResources {
  containers: string[];
  networks: string[];
  /** Runs left alone because the process that made them still runs (only when no run id was given). */
  liveRuns: string[];
}

/**
 * Removes the containers and networks of a run (by its label). Without a run id: those of every run whose
 * controller is gone (crashed, or a `cluster up` that has returned), and with includeLive also live ones.
 */
export async function removeRunResources(
  options: { runId?: string; includeLive?: boolean } = {},
): Promise<RemovedResources> {
  const docker = await connectEngine();
  const label = options.runId === undefined ? RUN_LABEL : `${RUN_LABEL}=${options.runId}`;
  const keepLive = options.runId === undefined && options.includeLive !== true;
  const liveRuns = new Set<string>();
  const containerList = await docker.listContainers({ all: true, filters: { label: [label] } });
  const networkList = await docker.listNetworks({ filters: { label: [label] } });
  // Liveness by the run's lock (harness/nodes/runLock.ts), which holds across PID namespaces, where the host:pid
  // owner label does not (under `unshare` every pid looks alive).
  const ids = new Set([...containerList, ...networkList].map((i) => i.Labels?.[RUN_LABEL] ?? ''));
  const lockHeld = new Set<string>();
  if (keepLive)
    await Promise.all(
      [...ids].map(async (id) => (id !== '' && (await runLockHeld(id)) ? lockHeld.add(id) : undefined)),
    );
  const pick = <T extends { Labels?: { [label: string]: string } | null | undefined }>(items: T[]): T[] =>
    items.filter((item) => {
      const labels = item.Labels ?? {};
      if (keepLive && lockHeld.has(labels[RUN_LABEL] ?? '')) {
        liveRuns.add(labels[RUN_LABEL] ?? '?');
        return false;
      }
      return true;
    });
  const containers = pick(containerList);
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
  const networks = pick(networkList);
  await Promise.all(
    networks.map((n) =>
      docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => undefined),
    ),
  );
  return {
    containers: containers.map((c) => c.Names[0]?.replace(/^\//, '') ?? c.Id),
    networks: networks.map((n) => n.Name),
    liveRuns: [...liveRuns].sort(),
  };
}

/** Run ids that have containers or networks on the engine. */
export async function listRuns(): Promise<string[]> {
  const docker = await connectEngine();
  const ids = new Set<string>();
  for (const c of await docker.listContainers({ all: true, filters: { label: [RUN_LABEL] } })) {
    const id = c.Labels[RUN_LABEL];
    if (id !== undefined) ids.add(id);
  }
  for (const n of await docker.listNetworks({ filters: { label: [RUN_LABEL] } })) {
    const id = n.Labels?.[RUN_LABEL];
    if (id !== undefined) ids.add(id);
  }
  return [...ids].sort();
}
