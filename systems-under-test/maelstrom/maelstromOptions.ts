// The maelstrom system's options (`system: {name: maelstrom, options: {...}}`), checked once, each problem
// naming the option, because campaign options reach a system untyped.
import { isAbsolute, resolve } from 'node:path';
import { checkConditions, perfectConditions } from './maelstromNetwork.ts';
import type { LatencyDistribution, NetworkConditions } from './maelstromNetwork.ts';

export interface MaelstromOptions {
  /**
   * The node binary, absolute: a relative `bin` is resolved against the campaign file's folder (or, for a hook
   * called without one, the directory faultline runs in).
   */
  bin: string;
  /** Passed verbatim; the node runs in its data folder, so paths in args should be absolute. */
  args: string[];
  network: NetworkConditions;
  /** Seeds the network's draws (loss, latency, duplication, reordering). */
  seed: number;
  /** How long a node has to answer init with init_ok. */
  initTimeoutMs: number;
  /** How long a client waits for a reply; keep it under the campaign's clients.timeout. */
  rpcTimeoutMs: number;
  /**
   * The Maelstrom protocol the set workload speaks: g-set (add/read), or broadcast (broadcast/read, each node
   * told its neighbours by a topology message after init).
   */
  setProtocol: 'g-set' | 'broadcast';
}

function fail(option: string, problem: string): never {
  throw new Error(`maelstrom option ${option}: ${problem}`);
}

function record(value: unknown, option: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(option, 'must be a map');
  return value as Record<string, unknown>;
}

function number(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value))
    fail(option, `must be a number, got ${JSON.stringify(value)}`);
  return value;
}

function latencyOf(value: unknown): LatencyDistribution {
  if (value === undefined) return perfectConditions.latency;
  if (typeof value === 'number') return { distribution: 'constant', ms: number(value, 'network.latency', 0) };
  const l = record(value, 'network.latency');
  switch (l['distribution']) {
    case 'constant':
      return { distribution: 'constant', ms: number(l['ms'], 'network.latency.ms', 0) };
    case 'uniform':
      return {
        distribution: 'uniform',
        minMs: number(l['minMs'], 'network.latency.minMs', 0),
        maxMs: number(l['maxMs'], 'network.latency.maxMs', 0),
      };
    case 'exponential':
      return {
        distribution: 'exponential',
        meanMs: number(l['meanMs'], 'network.latency.meanMs', 0),
        ...(l['maxMs'] !== undefined && { maxMs: number(l['maxMs'], 'network.latency.maxMs', 0) }),
      };
    default:
      return fail('network.latency.distribution', 'one of constant, uniform, exponential');
  }
}

function setProtocolOf(value: unknown): 'g-set' | 'broadcast' {
  if (value === undefined || value === 'g-set' || value === 'broadcast') return value ?? 'g-set';
  return fail('setProtocol', `g-set or broadcast, got ${JSON.stringify(value)}`);
}

function clientLinksOf(value: unknown): 'reliable' | 'faulty' {
  if (value === undefined || value === 'reliable' || value === 'faulty') return value ?? 'reliable';
  return fail('network.clientLinks', `reliable or faulty, got ${JSON.stringify(value)}`);
}

export function parseMaelstromOptions(options: Record<string, unknown>, campaignDir?: string): MaelstromOptions {
  const bin = options['bin'];
  if (typeof bin !== 'string' || bin === '')
    fail('bin', 'the node executable is required, e.g. options: {bin: ./my-node, args: []}');
  const args = options['args'] ?? [];
  if (!Array.isArray(args) || !args.every((a): a is string => typeof a === 'string'))
    fail('args', 'must be a list of strings');
  const net = options['network'] === undefined ? {} : record(options['network'], 'network');
  let network: NetworkConditions;
  try {
    network = checkConditions({
      latency: latencyOf(net['latency']),
      loss: number(net['loss'], 'network.loss', 0),
      duplicate: number(net['duplicate'], 'network.duplicate', 0),
      reorder: number(net['reorder'], 'network.reorder', 0),
      reorderDelayMs: number(net['reorderDelayMs'], 'network.reorderDelayMs', 10),
      clientLinks: clientLinksOf(net['clientLinks']),
    });
  } catch (e) {
    return fail('network', e instanceof Error ? e.message : String(e));
  }
  const seed = number(options['seed'], 'seed', 0);
  if (!Number.isInteger(seed)) fail('seed', 'must be an integer');
  return {
    bin: isAbsolute(bin) ? bin : resolve(campaignDir ?? process.cwd(), bin),
    args,
    network,
    seed,
    initTimeoutMs: number(options['initTimeoutMs'], 'initTimeoutMs', 10_000),
    rpcTimeoutMs: number(options['rpcTimeoutMs'], 'rpcTimeoutMs', 1000),
    setProtocol: setProtocolOf(options['setProtocol']),
  };
}
