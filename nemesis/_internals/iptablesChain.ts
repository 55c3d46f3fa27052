// faultline's iptables rules live in chains of their own, jumped to from the top of a built-in chain. Healing
// is then "remove the jump, flush and delete our chain": other rules on the node (Docker's, the user's) are
// left alone, and an ACCEPT ESTABLISHED rule further down cannot let traffic past a partition (jepsen#102).
import type { Remote } from '../../harness/nodes/remote.ts';
import { mustExec as must, tryExec } from './exec.ts';

/** Our chains and the built-in chain each is jumped from. */
export const faultlineChains = [
  { chain: 'FAULTLINE', parent: 'INPUT' },
  { chain: 'FAULTLINE-CLIENTS', parent: 'INPUT' },
  { chain: 'FAULTLINE-LOSS', parent: 'OUTPUT' },
] as const;

export type FaultlineChain = (typeof faultlineChains)[number]['chain'];

async function run(remote: Remote, argv: string[]): Promise<{ ok: boolean; stderr: string }> {
  const result = await tryExec(remote, argv);
  return { ok: result.exitCode === 0, stderr: result.stderr };
}

/** Creates (or empties) the chain, fills it with `rules` (argv tails after `-A CHAIN`), and jumps to it first. */
export async function replaceChainRules(
  remote: Remote,
  chain: FaultlineChain,
  rules: readonly (readonly string[])[],
): Promise<void> {
  const parent = faultlineChains.find((c) => c.chain === chain)!.parent;
  const created = await run(remote, ['iptables', '-w', '-N', chain]);
  if (!created.ok && !/exists/i.test(created.stderr)) {
    await must(remote, ['iptables', '-w', '-N', chain]);
  }
  await must(remote, ['iptables', '-w', '-F', chain]);
  for (const rule of rules) await must(remote, ['iptables', '-w', '-A', chain, ...rule]);
  const jumps = await run(remote, ['iptables', '-w', '-C', parent, '-j', chain]);
  if (!jumps.ok) await must(remote, ['iptables', '-w', '-I', parent, '1', '-j', chain]);
}

/**
 * Removes every jump to the chain, then the chain. Idempotent: a node without the chain (or without
 * iptables at all) is already healed. Returns whether anything was there.
 */
export async function removeChain(remote: Remote, chain: FaultlineChain): Promise<boolean> {
  const parent = faultlineChains.find((c) => c.chain === chain)!.parent;
  let found = false;
  // A crashed run may have inserted the jump more than once; the bound guards against a -D that "succeeds" forever.
  for (let i = 0; i < 50; i++) {
    const removed = await run(remote, ['iptables', '-w', '-D', parent, '-j', chain]);
    if (!removed.ok) break;
    found = true;
  }
  const flushed = await run(remote, ['iptables', '-w', '-F', chain]);
  if (flushed.ok) {
    found = true;
    await must(remote, ['iptables', '-w', '-X', chain]);
  }
  return found;
}
