// Randomness reaches nemesis/ as a parameter, never as an import, so one campaign seed drives every choice.
// The shape is pure-rand's mutable RandomGenerator (`next()` gives a 32-bit signed integer), so the harness
// passes `xoroshiro128plus(seed)` straight in.

/** A seeded source of 32-bit integers; pure-rand's generators satisfy it. */
export interface Rng {
  next(): number;
}

/** A uniform integer in [min, max] (both included). */
export function randomInt(rng: Rng, min: number, max: number): number {
  if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
    throw new RangeError(`randomInt needs integers min <= max, got ${min}..${max}`);
  }
  // Scale the 32 bits to the range; the bias is below 2^-32 per value for the small ranges used here.
  const unit = (rng.next() >>> 0) / 0x1_0000_0000;
  return min + Math.floor(unit * (max - min + 1));
}

/** One element, uniformly. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick needs at least one item');
  return items[randomInt(rng, 0, items.length - 1)]!;
}

/** A shuffled copy (Fisher-Yates); the input is left alone. */
export function shuffle<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(rng, 0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
