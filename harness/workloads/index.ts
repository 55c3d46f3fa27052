// Workloads: what the clients do. Each one is a pure, seeded op generator plus the data model its history
// is checked against. `getWorkload` resolves a campaign's `workload.name`; `faultline list` shows them all.
import type { Workload } from './workload.ts';
import { counter } from './counter.ts';
import { keyValue } from './keyValue.ts';
import { listAppend } from './listAppend.ts';
import { register } from './register.ts';
import { rwRegister } from './rwRegister.ts';
import { set } from './set.ts';
import { uniqueIds } from './uniqueIds.ts';
import { echo } from './echo.ts';

export type { Workload, WorkloadParams, GeneratorCore } from './workload.ts';
export { OpGenerator } from './opGenerator.ts';

const workloads: readonly Workload[] = [register, keyValue, set, counter, listAppend, rwRegister, uniqueIds, echo];

export const workloadNames = [
  'register',
  'key-value',
  'set',
  'counter',
  'list-append',
  'rw-register',
  'unique-ids',
  'echo',
] as const;
export type WorkloadName = (typeof workloadNames)[number];

export function getWorkload(name: string): Workload | undefined {
  return workloads.find((w) => w.name === name);
}

export function listWorkloads(): readonly Workload[] {
  return workloads;
}
