// Ops of one kind one after another (no two overlap), for checkers that judge each op on its own (unique-ids,
// echo): op i is called at i ms on process i % 3 and returns half a millisecond later; an indeterminate op
// never returns, and a failed or indeterminate one returned nothing but its input.
import type { Operation, Value } from '../history.ts';

/** Stand-ins for an op's output when it did not complete ok. */
export const info = Symbol('info');
export const fail = Symbol('fail');

export function oneAfterAnother(
  f: string,
  ops: readonly { input: Value; output: Value | typeof info | typeof fail }[],
): Operation[] {
  return ops.map(({ input, output }, id) => {
    const status = output === info ? 'info' : output === fail ? 'fail' : 'ok';
    return {
      id,
      process: id % 3,
      f,
      input,
      output: typeof output === 'symbol' ? input : output,
      status,
      call: id * 1e6,
      ret: status === 'info' ? Infinity : id * 1e6 + 5e5,
      invokeIndex: 2 * id,
      completeIndex: status === 'info' ? null : 2 * id + 1,
    };
  });
}
