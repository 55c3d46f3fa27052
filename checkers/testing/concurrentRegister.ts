// A history only the general search decides, for tests of budgets and progress: no stub, a real linearizable run.
import type { HistoryOp } from '../history.ts';

/**
 * A linearizable register history with two values and long, overlapping ops: nothing prunes it, so only the
 * general search decides it (some thousands of configurations). Deterministic from the seed.
 */
export function concurrentRegisterHistory(processes: number, opsPerProcess: number, seed: number): HistoryOp[] {
  let s = seed;
  const rand = (n: number): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % n;
  };
  const ops: { at: number; process: number; f: 'read' | 'write'; value: number | null; invoke: number; end: number }[] =
    [];
  for (let process = 0; process < processes; process++) {
    let t = rand(10);
    for (let i = 0; i < opsPerProcess; i++) {
      const end = t + 20 + rand(2000);
      ops.push({
        at: t + 1 + rand(end - t - 1),
        process,
        f: rand(2) === 0 ? 'read' : 'write',
        value: rand(2),
        invoke: t,
        end,
      });
      t = end + 1 + rand(5);
    }
  }
  // Each op takes effect at its `at`, inside its interval: reads return what the last write before it wrote.
  let state: number | null = null;
  for (const op of [...ops].sort((a, b) => a.at - b.at)) {
    if (op.f === 'write') state = op.value;
    else op.value = state;
  }
  const events = ops.flatMap((op) => [
    {
      time: op.invoke,
      type: 'invoke' as const,
      process: op.process,
      f: op.f,
      value: op.f === 'write' ? op.value : null,
    },
    { time: op.end, type: 'ok' as const, process: op.process, f: op.f, value: op.value },
  ]);
  events.sort((a, b) => a.time - b.time);
  return events.map((e, index) => ({ index, ...e }));
}
