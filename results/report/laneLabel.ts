// A timeline lane's name. A lane hosts one client worker's processes one after another (a process retired
// after an info op hands its lane to a fresh one), so the name says which process is in view and, when the
// lane hosted several, which of them it is: "p7", or "p12 (2/3)" for the second of three.
export function laneLabel(processes: readonly number[], inView: number | undefined): string {
  const p = inView ?? processes.at(-1);
  if (p === undefined) return '';
  const position = processes.indexOf(p);
  if (processes.length <= 1 || position < 0) return `p${p}`;
  return `p${p} (${position + 1}/${processes.length})`;
}
