// One colour per op kind, the same in every report and on every chart: the common register, set, counter and
// transaction ops have their own, and any other name always hashes to the same one of the rest. A colour by
// first-seen order swapped read and write between runs whose first op differed.
// A Map, not an object: an op named "toString" must not find Object.prototype's.
const knownKinds = new Map<string, string>([
  ['read', '#3457d5'],
  ['write', '#9b51e0'],
  ['cas', '#0f9d9a'],
  ['add', '#b5651d'],
  ['append', '#b5651d'],
  ['txn', '#e0569b'],
]);

/** For op names outside knownKinds; none of them is a known kind's colour. */
const otherColors = ['#5f6b7a', '#2b8a3e', '#c2255c', '#1c7ed6', '#e67700', '#6741d9', '#0b7285'];

export function opKindColor(f: string): string {
  const known = knownKinds.get(f);
  if (known !== undefined) return known;
  // FNV-1a: a stable hash, so a plugin's op kind keeps its colour across runs.
  let h = 0x811c9dc5;
  for (let i = 0; i < f.length; i++) h = Math.imul(h ^ f.charCodeAt(i), 0x01000193);
  return otherColors[(h >>> 0) % otherColors.length]!;
}
