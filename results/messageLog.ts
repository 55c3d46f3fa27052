// A run's message logs: the JSON lines a system that is its own network (the maelstrom system's router) writes
// per node, logs/<node>/maelstrom-messages.jsonl (format in docs/maelstrom.md). Parsing is pure and tolerant:
// a torn or foreign line is counted and skipped, never a reason to drop the rest. Reading is the I/O edge.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryOp, Operation } from '../checkers/history.ts';
import type { NetworkFigures } from './networkFigures.ts';
import { networkFigures } from './networkFigures.ts';
import { runFiles } from './runDirectory.ts';
import type { MessageLogEvent } from '../checkers/messageEvents.ts';

export type { MessageLogEvent } from '../checkers/messageEvents.ts';

export interface MessageLog {
  /** Every node's events, merged in time order (a file's own order kept among equal times). */
  events: MessageLogEvent[];
  /** The files read, relative to the run directory. */
  files: string[];
  /** Lines that were not events (a torn last line after a crash, say), counted per file. */
  skippedLines: number;
}

/** The file name a node's message log has in its logs/<node>/ folder. */
export const messageLogFile = 'maelstrom-messages.jsonl';

const eventKinds = new Set(['send', 'deliver', 'drop']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One line as an event, or null when it is not one. */
export function parseMessageLogLine(line: string): MessageLogEvent | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isRecord(v)) return null;
  const { event, id, time, src, dest, type } = v;
  if (typeof event !== 'string' || !eventKinds.has(event)) return null;
  if (typeof id !== 'number' || typeof time !== 'number' || !Number.isFinite(time)) return null;
  if (typeof src !== 'string' || typeof dest !== 'string' || typeof type !== 'string') return null;
  const e: MessageLogEvent = { event: event as MessageLogEvent['event'], id, time, src, dest, type };
  if (typeof v['msg_id'] === 'number') e.msg_id = v['msg_id'];
  if (typeof v['in_reply_to'] === 'number') e.in_reply_to = v['in_reply_to'];
  if (typeof v['reason'] === 'string') e.reason = v['reason'];
  if (v['copy'] === 1) e.copy = 1;
  return e;
}

/** Parses and merges the text of several logs (one per node) into one time-ordered log. */
export function mergeMessageLogs(texts: readonly { file: string; text: string }[]): MessageLog {
  const events: MessageLogEvent[] = [];
  let skippedLines = 0;
  for (const { text } of texts)
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const e = parseMessageLogLine(line);
      if (e === null) skippedLines++;
      else events.push(e);
    }
  // Array.prototype.sort is stable: a file's own order stays among equal times.
  events.sort((a, b) => a.time - b.time);
  return { events, files: texts.map((t) => t.file), skippedLines };
}

/** The run's message logs (logs/<node>/maelstrom-messages.jsonl), or null when the run has none. */
export function readMessageLog(runDir: string): MessageLog | null {
  let nodes: string[];
  try {
    nodes = readdirSync(join(runDir, runFiles.logs)).sort();
  } catch {
    return null;
  }
  const texts: { file: string; text: string }[] = [];
  for (const node of nodes) {
    const file = `${runFiles.logs}/${node}/${messageLogFile}`;
    try {
      texts.push({ file, text: readFileSync(join(runDir, file), 'utf8') });
    } catch {
      // This node wrote none (another system, or it never started).
    }
  }
  return texts.length === 0 ? null : mergeMessageLogs(texts);
}

/**
 * `{network}` with the figures of the run's message log, or `{}` when it has none (a system that is not its
 * own network), to spread into results.json. `setOperations`: the paired history of a set workload, whose
 * elements' stable latency is then measured too.
 */
export function withNetworkFigures(
  runDir: string,
  nodes: readonly string[],
  history: readonly HistoryOp[],
  setOperations?: readonly Operation[],
): { network?: NetworkFigures } {
  const log = readMessageLog(runDir);
  if (log === null) return {};
  return {
    network: networkFigures({
      events: log.events,
      skippedLines: log.skippedLines,
      nodes,
      history,
      ...(setOperations !== undefined && { setOperations: setOperations }),
    }),
  };
}
