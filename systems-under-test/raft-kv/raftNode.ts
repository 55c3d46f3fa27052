// Raft (Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm", figure 2): leader election
// with randomised timeouts, log replication with the consistency check and conflict truncation, and commit by
// majority only for entries of the leader's own term (§5.4.2). Reads go through the log like writes, so a
// deposed leader cannot answer them. Two additions from the thesis keep a partitioned minority from stalling
// clients: a leader steps down when it has not heard from a majority for an election timeout (check-quorum),
// and a follower that heard from its leader recently ignores vote requests (leader stickiness, §4.2.3).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { KvOp, KvResult } from './kvStateMachine.ts';
import { KvStateMachine } from './kvStateMachine.ts';
import type { LogEntry } from './raftStorage.ts';
import { RaftStorage } from './raftStorage.ts';

export type Completion = KvResult | { type: 'info'; error: string };

export interface VoteRequest {
  term: number;
  candidateId: string;
  lastLogIndex: number;
  lastLogTerm: number;
}
export interface VoteReply {
  term: number;
  voteGranted: boolean;
}
export interface AppendRequest {
  term: number;
  leaderId: string;
  prevLogIndex: number;
  prevLogTerm: number;
  entries: LogEntry[];
  leaderCommit: number;
}
export interface AppendReply {
  term: number;
  success: boolean;
  /** On success, the last index known to match the leader's log; on failure, where the leader should retry. */
  matchIndex?: number;
  conflictIndex?: number;
}

/** How a node reaches its peers; the server implements it over HTTP. undefined = no reply (lost, timed out). */
export interface RaftTransport {
  requestVote(peer: string, request: VoteRequest): Promise<VoteReply | undefined>;
  appendEntries(peer: string, request: AppendRequest): Promise<AppendReply | undefined>;
}

export interface RaftTimings {
  electionMinMs: number;
  electionMaxMs: number;
  heartbeatMs: number;
  /** A proposal not applied by then is answered info. */
  proposalTimeoutMs: number;
}

export const defaultTimings: RaftTimings = {
  electionMinMs: 300,
  electionMaxMs: 600,
  heartbeatMs: 75,
  proposalTimeoutMs: 10_000,
};

const maxEntriesPerAppend = 200;

interface Waiter {
  resolve(completion: Completion): void;
  timer: NodeJS.Timeout;
}

export class RaftNode {
  readonly id: string;
  role: 'follower' | 'candidate' | 'leader' = 'follower';
  leaderId: string | null = null;
  commitIndex = 0;
  private readonly _peers: readonly string[];
  private readonly _storage: RaftStorage;
  private readonly _transport: RaftTransport;
  private readonly _timings: RaftTimings;
  private readonly _log: (message: string) => void;
  private readonly _machine = new KvStateMachine();
  private _lastApplied = 0;
  private _electionDeadline = 0;
  private _lastHeardFromLeader = -Infinity;
  private _lastHeartbeat = 0;
  private readonly _nextIndex = new Map<string, number>();
  private readonly _matchIndex = new Map<string, number>();
  private readonly _inFlight = new Set<string>();
  private readonly _lastAck = new Map<string, number>();
  private readonly _waiters = new Map<string, Waiter>();
  private _unflushed: { entry: LogEntry; waiter: Waiter }[] = [];
  private _ticker: NodeJS.Timeout | undefined;

  constructor(options: {
    id: string;
    peers: readonly string[];
    storage: RaftStorage;
    transport: RaftTransport;
    timings?: RaftTimings;
    log: (message: string) => void;
  }) {
    this.id = options.id;
    this._peers = options.peers.filter((peer) => peer !== options.id);
    this._storage = options.storage;
    this._transport = options.transport;
    this._timings = options.timings ?? defaultTimings;
    this._log = options.log;
  }

  get term(): number {
    return this._storage.currentTerm;
  }
  get lastIndex(): number {
    return this._storage.lastIndex;
  }

  start(): void {
    this._resetElectionTimer();
    this._ticker = setInterval(
      () => {
        this._tick();
      },
      Math.min(20, this._timings.heartbeatMs),
    );
  }

  stop(): void {
    clearInterval(this._ticker);
    this._failWaiters('shutting down');
  }

  /** Runs op through the log; only on the leader (the server forwards or rejects elsewhere). */
  propose(op: KvOp): Promise<Completion> {
    if (this.role !== 'leader') return Promise.resolve({ type: 'fail', error: 'not leader' });
    return new Promise((resolve) => {
      const entry: LogEntry = {
        term: this.term,
        op: { f: op.f, ...(op.key === undefined ? {} : { key: op.key }), value: op.value },
        id: randomUUID(),
      };
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          this._waiters.delete(entry.id);
          resolve({ type: 'info', error: `not applied within ${this._timings.proposalTimeoutMs} ms` });
        }, this._timings.proposalTimeoutMs),
      };
      // Group commit: proposals arriving in the same turn of the event loop share one fsync.
      if (this._unflushed.length === 0)
        setImmediate(() => {
          this._flush();
        });
      this._unflushed.push({ entry, waiter });
    });
  }

  handleRequestVote(request: VoteRequest): VoteReply {
    const now = performance.now();
    // Stickiness: a node that hears from a live leader does not let a disruptive candidate raise the term.
    if (
      request.term > this.term &&
      this.role !== 'candidate' &&
      now - this._lastHeardFromLeader < this._timings.electionMinMs
    ) {
      return { term: this.term, voteGranted: false };
    }
    if (request.term > this.term) this._becomeFollower(request.term, null);
    const upToDate =
      request.lastLogTerm > this._storage.termAt(this.lastIndex) ||
      (request.lastLogTerm === this._storage.termAt(this.lastIndex) && request.lastLogIndex >= this.lastIndex);
    const grant =
      request.term === this.term &&
      (this._storage.votedFor === null || this._storage.votedFor === request.candidateId) &&
      upToDate;
    if (grant) {
      this._storage.setTermAndVote(this.term, request.candidateId);
      this._resetElectionTimer();
    }
    return { term: this.term, voteGranted: grant };
  }

  handleAppendEntries(request: AppendRequest): AppendReply {
    if (request.term < this.term) return { term: this.term, success: false };
    if (request.term > this.term || this.role !== 'follower') this._becomeFollower(request.term, request.leaderId);
    this.leaderId = request.leaderId;
    this._lastHeardFromLeader = performance.now();
    this._resetElectionTimer();
    if (request.prevLogIndex > this.lastIndex) {
      return { term: this.term, success: false, conflictIndex: this.lastIndex + 1 };
    }
    const prevTerm = this._storage.termAt(request.prevLogIndex);
    if (prevTerm !== request.prevLogTerm) {
      // Skip back over the whole conflicting term at once.
      let first = request.prevLogIndex;
      while (first > 1 && this._storage.termAt(first - 1) === prevTerm) first--;
      return { term: this.term, success: false, conflictIndex: Math.max(1, first) };
    }
    let index = request.prevLogIndex;
    const fresh: LogEntry[] = [];
    for (const entry of request.entries) {
      index++;
      if (fresh.length === 0 && index <= this.lastIndex) {
        if (this._storage.termAt(index) === entry.term) continue;
        // Never truncate committed entries: the leader's log agrees on them (Log Matching), so this is a bug.
        if (index <= this.commitIndex) throw new Error(`refusing to truncate committed index ${index}`);
        this._storage.truncateFrom(index);
      }
      fresh.push(entry);
    }
    this._storage.append(fresh);
    const lastNew = request.prevLogIndex + request.entries.length;
    if (request.leaderCommit > this.commitIndex) {
      this.commitIndex = Math.max(this.commitIndex, Math.min(request.leaderCommit, lastNew));
      this._apply();
    }
    return { term: this.term, success: true, matchIndex: lastNew };
  }

  private _tick(): void {
    const now = performance.now();
    if (this.role === 'leader') {
      if (now - this._lastHeartbeat >= this._timings.heartbeatMs) {
        this._lastHeartbeat = now;
        this._checkQuorum(now);
        if (this.role === 'leader') this._replicateAll();
      }
    } else if (now >= this._electionDeadline) {
      void this._startElection();
    }
  }

  private _resetElectionTimer(): void {
    const { electionMinMs, electionMaxMs } = this._timings;
    this._electionDeadline = performance.now() + electionMinMs + Math.random() * (electionMaxMs - electionMinMs);
  }

  private _majority(): number {
    return Math.floor((this._peers.length + 1) / 2) + 1;
  }

  private _becomeFollower(term: number, leaderId: string | null): void {
    const wasLeader = this.role === 'leader';
    if (term > this.term) this._storage.setTermAndVote(term, null);
    if (this.role !== 'follower') this._log(`term ${term}: follower (was ${this.role})`);
    this.role = 'follower';
    this.leaderId = leaderId;
    if (wasLeader) this._failWaiters('leadership lost before the entry was known committed');
  }

  private async _startElection(): Promise<void> {
    this._resetElectionTimer();
    const term = this.term + 1;
    this._storage.setTermAndVote(term, this.id);
    this.role = 'candidate';
    this.leaderId = null;
    this._log(`term ${term}: candidate`);
    let votes = 1;
    if (votes >= this._majority()) {
      this._becomeLeader();
      return;
    }
    const request: VoteRequest = {
      term,
      candidateId: this.id,
      lastLogIndex: this.lastIndex,
      lastLogTerm: this._storage.termAt(this.lastIndex),
    };
    await Promise.all(
      this._peers.map(async (peer) => {
        const reply = await this._transport.requestVote(peer, request);
        if (reply === undefined) return;
        if (reply.term > this.term) {
          this._becomeFollower(reply.term, null);
          return;
        }
        if (this.role !== 'candidate' || this.term !== term || !reply.voteGranted) return;
        votes++;
        if (votes >= this._majority()) this._becomeLeader();
      }),
    );
  }

  private _becomeLeader(): void {
    this.role = 'leader';
    this.leaderId = this.id;
    this._log(`term ${this.term}: leader`);
    const now = performance.now();
    for (const peer of this._peers) {
      this._nextIndex.set(peer, this.lastIndex + 1);
      this._matchIndex.set(peer, 0);
      this._lastAck.set(peer, now);
    }
    this._inFlight.clear();
    // A no-op of this term lets entries of earlier terms commit (§5.4.2) and makes reads possible at once.
    this._storage.append([{ term: this.term, op: null, id: randomUUID() }]);
    this._lastHeartbeat = now;
    this._advanceCommit();
    this._replicateAll();
  }

  private _checkQuorum(now: number): void {
    const recent = this._peers.filter((peer) => now - (this._lastAck.get(peer) ?? 0) < this._timings.electionMaxMs);
    if (recent.length + 1 < this._majority()) {
      this._log(`term ${this.term}: lost contact with a majority, stepping down`);
      this._becomeFollower(this.term, null);
    }
  }

  private _flush(): void {
    const batch = this._unflushed;
    this._unflushed = [];
    const current = batch.filter(({ entry }) => this.role === 'leader' && entry.term === this.term);
    for (const { entry, waiter } of batch) {
      if (!current.some((c) => c.entry === entry)) {
        clearTimeout(waiter.timer);
        waiter.resolve({ type: 'fail', error: 'not leader' });
      }
    }
    if (current.length === 0) return;
    this._storage.append(current.map(({ entry }) => entry));
    for (const { entry, waiter } of current) this._waiters.set(entry.id, waiter);
    this._advanceCommit();
    this._replicateAll();
  }

  private _replicateAll(): void {
    for (const peer of this._peers) if (!this._inFlight.has(peer)) void this._replicate(peer);
  }

  private async _replicate(peer: string): Promise<void> {
    const term = this.term;
    const next = this._nextIndex.get(peer) ?? this.lastIndex + 1;
    const entries = this._storage.entries.slice(next - 1, next - 1 + maxEntriesPerAppend);
    this._inFlight.add(peer);
    const reply = await this._transport.appendEntries(peer, {
      term,
      leaderId: this.id,
      prevLogIndex: next - 1,
      prevLogTerm: this._storage.termAt(next - 1),
      entries,
      leaderCommit: this.commitIndex,
    });
    if (this.role !== 'leader' || this.term !== term) return;
    this._inFlight.delete(peer);
    if (reply === undefined) return;
    if (reply.term > this.term) {
      this._becomeFollower(reply.term, null);
      return;
    }
    this._lastAck.set(peer, performance.now());
    const match = this._matchIndex.get(peer) ?? 0;
    if (reply.success) {
      const newMatch = Math.max(match, reply.matchIndex ?? next - 1 + entries.length);
      this._matchIndex.set(peer, newMatch);
      this._nextIndex.set(peer, newMatch + 1);
      this._advanceCommit();
      if (newMatch < this.lastIndex) void this._replicate(peer);
    } else {
      this._nextIndex.set(peer, Math.max(match + 1, Math.min(reply.conflictIndex ?? next - 1, next - 1), 1));
      void this._replicate(peer);
    }
  }

  private _advanceCommit(): void {
    for (let n = this.lastIndex; n > this.commitIndex; n--) {
      if (this._storage.termAt(n) !== this.term) break;
      const replicas = 1 + this._peers.filter((peer) => (this._matchIndex.get(peer) ?? 0) >= n).length;
      if (replicas >= this._majority()) {
        this.commitIndex = n;
        this._apply();
        return;
      }
    }
  }

  private _apply(): void {
    while (this._lastApplied < this.commitIndex) {
      this._lastApplied++;
      const entry = this._storage.entries[this._lastApplied - 1];
      if (entry === undefined) throw new Error(`committed index ${this._lastApplied} missing from the log`);
      if (entry.op === null) continue;
      const result = this._machine.apply(entry.op);
      const waiter = this._waiters.get(entry.id);
      if (waiter !== undefined) {
        this._waiters.delete(entry.id);
        clearTimeout(waiter.timer);
        waiter.resolve(result);
      }
    }
  }

  /** Proposals whose fate this node can no longer learn: they may still commit under another leader. */
  private _failWaiters(reason: string): void {
    for (const waiter of this._waiters.values()) {
      clearTimeout(waiter.timer);
      waiter.resolve({ type: 'info', error: reason });
    }
    this._waiters.clear();
  }
}
