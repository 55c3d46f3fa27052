// The primary's commit records, one JSON line each, appended and fsynced before a commit is installed or
// answered: kill -9 loses nothing acknowledged. A torn last line (killed mid-append, never acknowledged) is
// dropped on load and cut off, so the next append starts on a fresh line.
import fs from 'node:fs';
import type { CommitRecord } from './mvccStore.ts';

export class CommitLog {
  /** What the log held when opened, in order. */
  readonly records: CommitRecord[] = [];
  private readonly _fd: number;

  /** Opens the log at `file`, creating it. */
  constructor(file: string) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    let valid = 0;
    for (const line of text.split('\n')) {
      if (valid + line.length >= text.length) break; // the last line has no newline: torn, or empty
      this.records.push(JSON.parse(line) as CommitRecord);
      valid += line.length + 1;
    }
    this._fd = fs.openSync(file, 'a');
    if (valid < text.length) {
      fs.ftruncateSync(this._fd, valid);
      fs.fsyncSync(this._fd);
    }
  }

  append(record: CommitRecord): void {
    fs.writeSync(this._fd, JSON.stringify(record) + '\n');
    fs.fsyncSync(this._fd);
  }
}
