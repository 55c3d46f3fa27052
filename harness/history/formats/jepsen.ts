// Jepsen / Knossos / Elle EDN histories -> faultline history ops. Knossos semantics are kept: the file's
// order is the real-time order; `:time` is used only where every op has one and they never go backwards.
import { opTypes } from '../../../checkers/historyJsonl.ts';
import type { HistoryOp, OpType, ProcessId, Value } from '../../../checkers/history.ts';
import { parseEdn } from './edn.ts';

function isMap(v: Value): v is { [key: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class JepsenHistoryError extends Error {
  constructor(source: string, position: number, reason: string) {
    super(`${source}: op ${position}: ${reason}`);
    this.name = 'JepsenHistoryError';
  }
}

/** Builds ops from a Jepsen history's op maps, fed one at a time (so a history streams). */
export class JepsenOps {
  private readonly ops: HistoryOp[] = [];
  private monotonicTimes = true;
  private lastTime = -Infinity;
  private readonly source: string;
  constructor(source: string) {
    this.source = source;
  }

  add(form: Value): void {
    const ops = this.ops;
    const source = this.source;
    if (!isMap(form))
      throw new JepsenHistoryError(source, ops.length, `expected an op map, got ${JSON.stringify(form)}`);
    const type = form.type;
    if (typeof type !== 'string' || !opTypes.has(type))
      throw new JepsenHistoryError(
        source,
        ops.length,
        `:type must be :invoke, :ok, :fail or :info, not ${JSON.stringify(type)}`,
      );
    const rawProcess = form.process;
    // Elle's paper examples omit :process: a single sequential client.
    const process: ProcessId = typeof rawProcess === 'number' ? rawProcess : rawProcess === undefined ? 0 : 'nemesis';
    const time = form.time;
    if (typeof time === 'number' && time >= this.lastTime) this.lastTime = time;
    else this.monotonicTimes = false;
    const op: HistoryOp = {
      index: ops.length,
      time: typeof time === 'number' ? time : ops.length,
      type: type as OpType,
      process,
      f: typeof form.f === 'string' ? form.f : 'txn',
      value: form.value ?? null,
    };
    if (typeof form.node === 'string') op.node = form.node;
    if (form.error !== undefined && form.error !== null)
      op.error = typeof form.error === 'string' ? form.error : JSON.stringify(form.error);
    ops.push(op);
  }

  finish(): HistoryOp[] {
    const ops = this.ops;
    if (!this.monotonicTimes) for (const op of ops) op.time = op.index;
    return ops.some((op) => op.type === 'invoke') ? ops : withSynthesizedInvokes(ops);
  }
}

/** Parses a Jepsen EDN history: one vector/list of op maps, or a sequence of op maps (Elle). */
export function parseJepsenEdn(text: string, source = 'history.edn'): HistoryOp[] {
  const forms = parseEdn(text, source);
  const maps = forms.length === 1 && Array.isArray(forms[0]) ? forms[0] : forms;
  const builder = new JepsenOps(source);
  for (const form of maps) builder.add(form);
  return builder.finish();
}

/**
 * Some exports (Plume's Elle-format cases) hold completions only. Each completion then gets an invoke just
 * before it, so every op is as short as the file allows and keeps its place in the order.
 */
function withSynthesizedInvokes(completions: HistoryOp[]): HistoryOp[] {
  const ops: HistoryOp[] = [];
  for (const c of completions) {
    if (c.process !== 'nemesis') ops.push({ ...c, index: ops.length, type: 'invoke' });
    ops.push({ ...c, index: ops.length });
  }
  return ops;
}
