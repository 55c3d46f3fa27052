// A history recorded by hand in fast tests of the reference systems: each invoke and completion is stamped as
// it happens, so the checkers see the real-time order of what the test did. (The harness's own recorder
// writes history.jsonl; tests only need the operations in memory.)
import type { Client, ClientOp, Completion } from '../../harness/plugin.ts';
import type { HistoryOp, Operation } from '../../checkers/history.ts';
import { pairOperations } from '../../checkers/history.ts';
import { getChecker } from '../../checkers/registry.ts';
import type { CheckResult } from '../../checkers/result.ts';

export class RecordedHistory {
  readonly events: HistoryOp[] = [];
  /** The last value handed out by uniqueValue(). */
  private lastValue = 0;
  private readonly origin = process.hrtime.bigint();

  private push(event: Omit<HistoryOp, 'index' | 'time'>): void {
    this.events.push({ ...event, index: this.events.length, time: Number(process.hrtime.bigint() - this.origin) });
  }

  /** Invokes `op` through `client` as `process`, recording both ends; returns the completion. */
  async run(client: Client, process: number, op: ClientOp, node?: string): Promise<Completion> {
    const where = node === undefined ? {} : { node };
    const keyed = op.key === undefined ? {} : { key: op.key };
    this.push({ type: 'invoke', process, f: op.f, value: op.value, ...keyed, ...where });
    const completion = await client.invoke(op, AbortSignal.timeout(5000));
    const value = completion.type === 'ok' ? completion.value : op.value;
    const error = completion.type === 'ok' ? {} : { error: completion.error };
    this.push({ type: completion.type, process, f: op.f, value, ...keyed, ...where, ...error });
    return completion;
  }

  /** A value no other write in this history uses. */
  uniqueValue(): number {
    return ++this.lastValue;
  }

  operations(): Operation[] {
    return pairOperations(this.events);
  }
}

/** Runs a registered checker (linearizable, sequential, causal-cc, causal-ccv, session, ...) by name. */
export async function verdictOf(checker: string, operations: readonly Operation[]): Promise<CheckResult> {
  const found = getChecker(checker);
  if (found === undefined) throw new Error(`no checker named ${checker}`);
  return found.check(operations, { timeBudgetMs: 20_000 });
}

/**
 * Runs one session per client at once, each `count` ops alternating write and read over `keys`, with unique
 * written values. A session stops after an indeterminate op (its process may not invoke again).
 */
export async function concurrentSessions(
  h: RecordedHistory,
  sessions: readonly { client: Client; node: string; process: number }[],
  count: number,
  keys: readonly string[] = ['x', 'y'],
): Promise<void> {
  await Promise.all(
    sessions.map(async ({ client, node, process }) => {
      for (let i = 0; i < count; i++) {
        const key = keys[(i + process) % keys.length]!;
        const op: ClientOp =
          i % 2 === 0 ? { f: 'write', key, value: h.uniqueValue() } : { f: 'read', key, value: null };
        if ((await h.run(client, process, op, node)).type === 'info') return;
      }
    }),
  );
}
