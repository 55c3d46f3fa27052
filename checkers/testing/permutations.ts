// Every order of 0..n-1, one at a time (Heap-style swaps in place, each yielded as a copy): the brute-force
// oracles of the differential tests enumerate serial orders, commit orders and write orders with it.
export function* permutations(n: number): Generator<number[]> {
  const a = Array.from({ length: n }, (_, i) => i);
  const rec = function* (k: number): Generator<number[]> {
    if (k === n) yield [...a];
    for (let i = k; i < n; i++) {
      [a[k], a[i]] = [a[i]!, a[k]!];
      yield* rec(k + 1);
      [a[k], a[i]] = [a[i]!, a[k]];
    }
  };
  yield* rec(0);
}
