// The replicated state of primary-backup and the pure rules for changing it: which primary's claim wins,
// how a backup applies the primary's entries or a snapshot, and how the primary executes an op.
import type { Value } from '../../harness/plugin.ts';

/** Who is primary, and since when: a higher epoch wins; in one epoch the lower-named node wins. */
export interface PrimaryClaim {
  epoch: number;
  primary: string;
}

/** One write, numbered by the primary that ordered it. */
export interface LogEntry {
  seq: number;
  key: string;
  value: Value;
}

export interface ReplicaState {
  claim: PrimaryClaim;
  /** Whether `data` is a prefix of the claimed primary's sequence (false after adopting a new claim). */
  synced: boolean;
  /** Number of entries applied. */
  seq: number;
  data: Record<string, Value>;
}

/** Negative when a is the weaker claim, positive when a wins, 0 when equal. */
export function compareClaims(a: PrimaryClaim, b: PrimaryClaim): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  if (a.primary === b.primary) return 0;
  return a.primary < b.primary ? 1 : -1;
}

export function initialState(primary: string): ReplicaState {
  return { claim: { epoch: 1, primary }, synced: true, seq: 0, data: {} };
}

/** What a backup answers the primary: how far it is, or that it needs a snapshot, or that the sender is stale. */
export type ReplicateReply =
  { kind: 'applied'; seq: number } | { kind: 'need-snapshot'; seq: number } | { kind: 'stale'; claim: PrimaryClaim };

export type ReplicateMessage =
  | { claim: PrimaryClaim; kind: 'entries'; entries: LogEntry[] }
  | { claim: PrimaryClaim; kind: 'snapshot'; seq: number; data: Record<string, Value> };

/**
 * Applies a replication message to a backup's state (mutating it). Entries are only applied as a gap-free
 * continuation of what the backup has from the same primary; anything else asks for a snapshot.
 */
export function applyReplication(state: ReplicaState, message: ReplicateMessage): ReplicateReply {
  const order = compareClaims(message.claim, state.claim);
  if (order < 0) return { kind: 'stale', claim: state.claim };
  if (order > 0) {
    state.claim = { ...message.claim };
    state.synced = false;
  }
  if (message.kind === 'snapshot') {
    // A snapshot from the same primary never moves a synced replica backwards.
    if (!state.synced || message.seq >= state.seq) {
      state.seq = message.seq;
      state.data = { ...message.data };
      state.synced = true;
    }
    return { kind: 'applied', seq: state.seq };
  }
  if (!state.synced) return { kind: 'need-snapshot', seq: state.seq };
  for (const entry of message.entries) {
    if (entry.seq <= state.seq) continue;
    if (entry.seq !== state.seq + 1) return { kind: 'need-snapshot', seq: state.seq };
    state.data[entry.key] = entry.value;
    state.seq = entry.seq;
  }
  return { kind: 'applied', seq: state.seq };
}

/** The outcome of an op executed at the primary: a read's value, a write to replicate, or a refused cas. */
export type PrimaryOutcome =
  { kind: 'read'; value: Value } | { kind: 'written'; entry: LogEntry } | { kind: 'refused'; error: string };

/** Executes read, write or cas on the primary's state (mutating it for writes). */
export function executeAtPrimary(state: ReplicaState, f: string, key: string, value: Value): PrimaryOutcome {
  const current = state.data[key] ?? null;
  switch (f) {
    case 'read':
      return { kind: 'read', value: current };
    case 'write':
      break;
    case 'cas': {
      if (!Array.isArray(value) || value.length !== 2)
        return { kind: 'refused', error: 'cas value must be [from, to]' };
      const [from, to] = value as [Value, Value];
      if (!sameValue(current, from))
        return { kind: 'refused', error: `cas expected ${JSON.stringify(from)}, found ${JSON.stringify(current)}` };
      value = to;
      break;
    }
    default:
      return { kind: 'refused', error: `unsupported operation ${f}` };
  }
  const entry: LogEntry = { seq: state.seq + 1, key, value };
  state.data[key] = value;
  state.seq = entry.seq;
  return { kind: 'written', entry };
}

function sameValue(a: Value, b: Value): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The failover rule of asynchronous mode: when the claimed primary has been silent, the lowest-named node
 * among those this node still hears from (itself included) takes over.
 */
export function shouldTakeOver(self: string, claim: PrimaryClaim, live: readonly string[]): boolean {
  if (claim.primary === self) return false;
  if (live.includes(claim.primary)) return false;
  const candidates = [self, ...live].sort();
  return candidates[0] === self;
}
