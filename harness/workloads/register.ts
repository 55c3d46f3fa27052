// register: read, write and compare-and-set on a single register. The classic linearizability workload.
import { defineWorkload } from './workload.ts';
import { registerCore } from './registerOps.ts';
import { integerOrNull, readReturns } from './completionShape.ts';

export const register = defineWorkload({
  name: 'register',
  description: 'read / write / cas on one register; values unique by default (linearizable, sequential checks)',
  model: 'register',
  fs: ['read', 'write', 'cas'],
  defaultMix: { read: 2, write: 1, cas: 1 },
  multiKey: false,
  checkCompletion: readReturns(integerOrNull),
  create: (params) => registerCore(params, false),
});
