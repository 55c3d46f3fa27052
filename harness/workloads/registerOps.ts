// The read/write/cas core shared by the register and key-value workloads: unique written values, and cas
// whose expected value is one recently written to that key (so some cas ops can succeed).
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import type { ClientOp } from '../plugin.ts';
import type { GeneratorCore, WorkloadParams } from './workload.ts';
import { keyName, pickF, uniformIndex } from './workload.ts';

export interface RegisterState {
  nextValue: number;
  /** Per key, the last few values written, newest last. */
  recent: Readonly<Record<string, readonly number[]>>;
}

const recentLimit = 4;

export function registerCore(params: WorkloadParams, withKeys: boolean): GeneratorCore<RegisterState> {
  const keyCount = withKeys ? Math.max(1, params.keys) : 1;
  const drawValue = (state: RegisterState, rng: RandomGenerator): [number, number] =>
    params.uniqueValues
      ? [state.nextValue, state.nextValue + 1]
      : [uniformIndex(rng, params.valueRange), state.nextValue];
  return {
    initial: { nextValue: 1, recent: {} },
    next(state, rng) {
      const f = pickF(params.mix, rng);
      const k = keyName(uniformIndex(rng, keyCount));
      const keyed = (op: Omit<ClientOp, 'key'>): ClientOp => (withKeys ? { ...op, key: k } : op);
      const remember = (v: number, nextValue: number): RegisterState => ({
        nextValue,
        recent: { ...state.recent, [k]: [...(state.recent[k] ?? []), v].slice(-recentLimit) },
      });
      if (f === 'write') {
        const [v, nextValue] = drawValue(state, rng);
        return { op: keyed({ f, value: v }), state: remember(v, nextValue) };
      }
      if (f === 'cas') {
        const seen = state.recent[k] ?? [];
        const from =
          seen.length > 0
            ? seen[uniformIndex(rng, seen.length)]!
            : params.uniqueValues
              ? 0
              : uniformIndex(rng, params.valueRange);
        const [to, nextValue] = drawValue(state, rng);
        return { op: keyed({ f, value: [from, to] }), state: remember(to, nextValue) };
      }
      return { op: keyed({ f: 'read', value: null }), state };
    },
    finalReads() {
      if (!withKeys) return [{ f: 'read', value: null }];
      return Array.from({ length: keyCount }, (_, i) => ({ f: 'read', key: keyName(i), value: null }));
    },
  };
}
