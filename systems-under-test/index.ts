// The built-in systems under test, by the name a campaign uses. Each loads lazily, so naming one system never
// bundles or imports the others. A campaign may instead give a path to a module whose default export is a
// SystemDefinition; that is how a user's own system plugs in, through the same API these use.
import type { SystemDefinition } from '../harness/plugin.ts';

type SystemLoader = () => Promise<SystemDefinition>;

const builtInSystems: Record<string, SystemLoader> = {
  'raft-kv': async () => (await import('./raft-kv/index.ts')).default,
  etcd: async () => (await import('./etcd/index.ts')).default,
  mariadb: async () => (await import('./mariadb/index.ts')).mariadb,
  'mariadb-galera': async () => (await import('./mariadb/galera.ts')).mariadbGalera,
  zookeeper: async () => (await import('./zookeeper/index.ts')).default,
  postgres: async () => (await import('./postgres/index.ts')).default,
  'postgres-replicated': async () => (await import('./postgres/replicated.ts')).default,
  'primary-backup': async () => (await import('./primary-backup/index.ts')).primaryBackupLocalReads,
  'primary-backup-primary-reads': async () => (await import('./primary-backup/index.ts')).primaryBackupPrimaryReads,
  'primary-backup-async': async () => (await import('./primary-backup/index.ts')).primaryBackupAsync,
  'quorum-kv': async () => (await import('./quorum-kv/index.ts')).quorumKvAbd,
  'quorum-kv-no-write-back': async () => (await import('./quorum-kv/index.ts')).quorumKvNoWriteBack,
  'quorum-kv-partial': async () => (await import('./quorum-kv/index.ts')).quorumKvPartial,
  'quorum-kv-lww': async () => (await import('./quorum-kv/index.ts')).quorumKvLww,
  'causal-kv': async () => (await import('./causal-kv/index.ts')).default,
  'eventual-kv': async () => (await import('./eventual-kv/index.ts')).default,
  'mvcc-kv-si': async () => (await import('./mvcc-kv/index.ts')).mvccKvSi,
  'mvcc-kv-rc': async () => (await import('./mvcc-kv/index.ts')).mvccKvRc,
  'mvcc-kv-serializable': async () => (await import('./mvcc-kv/index.ts')).mvccKvSerializable,
  'commit-kv-2pc': async () => (await import('./commit-kv/index.ts')).commitKv2pc,
  'commit-kv-3pc': async () => (await import('./commit-kv/index.ts')).commitKv3pc,
  maelstrom: async () => (await import('./maelstrom/index.ts')).default,
};

/** Names of the built-in systems, sorted. */
export function builtInSystemNames(): string[] {
  return Object.keys(builtInSystems).sort();
}

/** Loads a built-in system by name; undefined when there is none by that name. */
export async function loadBuiltInSystem(name: string): Promise<SystemDefinition | undefined> {
  const load = Object.hasOwn(builtInSystems, name) ? builtInSystems[name] : undefined;
  return load === undefined ? undefined : load();
}
