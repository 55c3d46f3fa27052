// One colour per fault kind, shared by the timeline and the charts so a band reads the same in both.
const palette = ['#e0565b', '#7b61ff', '#1f9bd1', '#e08a1e', '#2aa876', '#c2459c', '#6b7a8f'];
const known: Record<string, string> = {
  partition: '#e0565b',
  kill: '#7b61ff',
  pause: '#1f9bd1',
  clock: '#e08a1e',
  loss: '#2aa876',
  delay: '#c2459c',
};

export function faultColor(fault: string, faults: readonly string[]): string {
  const fixed = known[fault];
  if (fixed !== undefined) return fixed;
  const i = faults.indexOf(fault);
  return palette[(i < 0 ? 0 : i) % palette.length] ?? '#6b7a8f';
}

export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}
