// Models by name, for `faultline check --model NAME`, campaign files, and rebuilding a model in a worker.
import type { Value } from '../history.ts';
import { queueModel, setModel } from './collections.ts';
import { kvModel } from './kv.ts';
import type { Model, ModelSpec } from './model.ts';
import { multiRegisterModel } from './multiRegister.ts';
import { mutexModel } from './mutex.ts';
import { casRegisterModel, registerModel } from './register.ts';

type ModelOptions = { [option: string]: Value };

export interface ModelFactory {
  name: string;
  /** One line for `faultline list` and --help. */
  description: string;
  create(options: ModelOptions): Model<never>;
}

const factories = new Map<string, ModelFactory>();

export function registerModelFactory(factory: ModelFactory): void {
  if (factories.has(factory.name)) throw new Error(`model ${factory.name} is registered twice`);
  factories.set(factory.name, factory);
}

export function listModels(): ModelFactory[] {
  return [...factories.values()];
}

/** Builds a registered model; throws with the known names when there is no such model. */
export function createModel(spec: ModelSpec): Model {
  const factory = factories.get(spec.name);
  if (factory === undefined) {
    throw new Error(`no model named '${spec.name}'; known models: ${[...factories.keys()].join(', ')}`);
  }
  const model = factory.create(spec.options ?? {}) as Model;
  model.spec = spec;
  return model;
}

function flag(options: ModelOptions, name: string): boolean | undefined {
  const v = options[name];
  return typeof v === 'boolean' ? v : undefined;
}

function registerOptions(o: ModelOptions) {
  const out: { initial?: Value; nilReadIsWildcard?: boolean; failedCasReturnsFalse?: boolean } = {};
  if ('initial' in o) out.initial = o.initial ?? null;
  const w = flag(o, 'nilReadIsWildcard');
  if (w !== undefined) out.nilReadIsWildcard = w;
  const c = flag(o, 'failedCasReturnsFalse');
  if (c !== undefined) out.failedCasReturnsFalse = c;
  return out;
}

registerModelFactory({
  name: 'register',
  description: 'read/write register (options: initial, nilReadIsWildcard)',
  create: (o) => registerModel(registerOptions(o)) as Model<never>,
});
registerModelFactory({
  name: 'cas-register',
  description: 'register with compare-and-set [from, to] (options: initial, nilReadIsWildcard, failedCasReturnsFalse)',
  create: (o) => casRegisterModel(registerOptions(o)) as Model<never>,
});
registerModelFactory({
  name: 'kv',
  description:
    'key-value store, one register per key: get/read, put/write, append, cas (options: initial, partitioned)',
  create: (o) => {
    const opts: { initial?: Value; partitioned?: boolean; nilReadIsWildcard?: boolean } = {};
    if ('initial' in o) opts.initial = o.initial ?? null;
    const p = flag(o, 'partitioned');
    if (p !== undefined) opts.partitioned = p;
    const w = flag(o, 'nilReadIsWildcard');
    if (w !== undefined) opts.nilReadIsWildcard = w;
    return kvModel(opts) as Model<never>;
  },
});
registerModelFactory({
  name: 'multi-register',
  description: 'Knossos multi-register: txn of [read k v] / [write k v] (options: initial map)',
  create: (o) => {
    const initial = o.initial;
    const opts: { initial?: { [k: string]: Value } } = {};
    if (initial !== null && typeof initial === 'object' && !Array.isArray(initial)) opts.initial = initial;
    return multiRegisterModel(opts) as Model<never>;
  },
});
registerModelFactory({
  name: 'mutex',
  description: 'lock: acquire / release',
  create: () => mutexModel() as Model<never>,
});
registerModelFactory({
  name: 'set',
  description: 'set: add v / read of all members, one set per key (options: partitioned)',
  create: (o) => {
    const p = flag(o, 'partitioned');
    return setModel(p === undefined ? {} : { partitioned: p }) as Model<never>;
  },
});
registerModelFactory({
  name: 'queue',
  description: 'FIFO queue: enqueue v / dequeue',
  create: () => queueModel() as Model<never>,
});
