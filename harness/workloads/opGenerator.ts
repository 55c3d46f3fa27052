// The stateful shell around a workload's pure core: one per run, shared by every client worker, drawing ops
// in the order workers ask. Its random stream derives from the run's seed.
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import type { ClientOp } from '../plugin.ts';
import type { GeneratorCore } from './workload.ts';

export class OpGenerator {
  private _state: unknown;
  private readonly _core: GeneratorCore<unknown>;
  private readonly _rng: RandomGenerator;

  constructor(core: GeneratorCore<unknown>, seed: number) {
    this._core = core;
    this._state = core.initial;
    this._rng = xoroshiro128plus(seed);
  }

  next(process: number): ClientOp {
    const { op, state } = this._core.next(this._state, this._rng, process);
    this._state = state;
    return op;
  }

  finalReads(): ClientOp[] {
    return this._core.finalReads(this._state);
  }
}

/**
 * Independent random streams from one seed: index 0 for the workload, 1 for the nemesis schedule, 2.. for
 * client workers' pacing. Jumping keeps them non-overlapping (pure-rand's jump()).
 */
export function seedStreams(seed: number, count: number): RandomGenerator[] {
  const root = xoroshiro128plus(seed);
  const out: RandomGenerator[] = [];
  for (let i = 0; i < count; i++) {
    out.push(root.clone());
    root.jump();
  }
  return out;
}
