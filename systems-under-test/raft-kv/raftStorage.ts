// Raft's persistent state: currentTerm and votedFor in state.json, the log in log.jsonl (one entry per line).
// Every change is fsynced before the caller answers an RPC or a client, so kill -9 loses nothing promised.
// A torn last line (killed mid-append, so never acknowledged) is dropped on load.
import fs from 'node:fs';
import path from 'node:path';
import type { KvOp } from './kvStateMachine.ts';

export interface LogEntry {
  term: number;
  /** null for the no-op a new leader appends to commit entries of earlier terms. */
  op: KvOp | null;
  /** Unique per proposal, so the leader finds the request waiting for it. */
  id: string;
}

export class RaftStorage {
  currentTerm = 0;
  votedFor: string | null = null;
  /** entries[i] is log index i + 1. */
  readonly entries: LogEntry[] = [];
  private readonly _dir: string;
  private readonly _logPath: string;
  private _logFd: number;

  constructor(dir: string) {
    this._dir = dir;
    this._logPath = path.join(dir, 'log.jsonl');
    fs.mkdirSync(dir, { recursive: true });
    try {
      const state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as {
        currentTerm: number;
        votedFor: string | null;
      };
      this.currentTerm = state.currentTerm;
      this.votedFor = state.votedFor;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    let text = '';
    try {
      text = fs.readFileSync(this._logPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const lines = text.split('\n');
    for (const [i, line] of lines.entries()) {
      if (line === '') continue;
      try {
        this.entries.push(JSON.parse(line) as LogEntry);
      } catch (error) {
        if (i < lines.length - 1 && lines.slice(i + 1).some((rest) => rest !== '')) throw error;
      }
    }
    // Rewrite so a torn tail never sits before the next append.
    if (text !== '' && !text.endsWith('\n')) this._rewriteLog();
    this._logFd = fs.openSync(this._logPath, 'a');
  }

  get lastIndex(): number {
    return this.entries.length;
  }

  /** Term of the entry at `index`; 0 for index 0 (before the log). */
  termAt(index: number): number {
    return index === 0 ? 0 : (this.entries[index - 1]?.term ?? 0);
  }

  setTermAndVote(term: number, votedFor: string | null): void {
    if (term === this.currentTerm && votedFor === this.votedFor) return;
    const file = path.join(this._dir, 'state.json');
    this._writeDurably(file, JSON.stringify({ currentTerm: term, votedFor }));
    this.currentTerm = term;
    this.votedFor = votedFor;
  }

  append(entries: readonly LogEntry[]): void {
    if (entries.length === 0) return;
    fs.writeSync(this._logFd, entries.map((entry) => JSON.stringify(entry) + '\n').join(''));
    fs.fsyncSync(this._logFd);
    this.entries.push(...entries);
  }

  /** Removes the entries from `index` on (Raft's conflict truncation). */
  truncateFrom(index: number): void {
    if (index > this.entries.length) return;
    this.entries.length = index - 1;
    fs.closeSync(this._logFd);
    this._rewriteLog();
    this._logFd = fs.openSync(this._logPath, 'a');
  }

  close(): void {
    fs.closeSync(this._logFd);
  }

  private _rewriteLog(): void {
    this._writeDurably(this._logPath, this.entries.map((entry) => JSON.stringify(entry) + '\n').join(''));
  }

  /** Write to a temporary file, fsync it, rename over the target, fsync the folder. */
  private _writeDurably(file: string, content: string): void {
    const partial = `${file}.partial`;
    const fd = fs.openSync(partial, 'w');
    try {
      fs.writeSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(partial, file);
    const dirFd = fs.openSync(this._dir, 'r');
    try {
      fs.fsyncSync(dirFd);
    } finally {
      fs.closeSync(dirFd);
    }
  }
}
