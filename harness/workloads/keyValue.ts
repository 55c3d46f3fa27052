// key-value: read, write and cas over many keys. Each key is an independent register, so checkers split the
// history by key (Jepsen's `independent`) and each sub-history stays small.
import { defineWorkload } from './workload.ts';
import { registerCore } from './registerOps.ts';
import { integerOrNull, readReturns } from './completionShape.ts';

export const keyValue = defineWorkload({
  name: 'key-value',
  description: 'read / write / cas over many keys, each an independent register (checked per key)',
  model: 'register',
  fs: ['read', 'write', 'cas'],
  defaultMix: { read: 2, write: 1, cas: 1 },
  multiKey: true,
  checkCompletion: readReturns(integerOrNull),
  create: (params) => registerCore(params, true),
});
