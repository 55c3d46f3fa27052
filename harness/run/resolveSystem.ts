// Resolves a campaign's `system:` to a SystemDefinition: a built-in name, or a path (relative to the campaign
// file) to the user's .ts/.js module whose default export is a SystemDefinition. User modules load with a
// plain import(): tsx is registered, so TypeScript needs no build step, and the specifiers 'faultline' and
// 'faultline/plugin' resolve to this installation's plugin API even from a folder outside this repository.
import { register } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtInSystemNames, loadBuiltInSystem } from '../../systems-under-test/index.ts';
import { UserError } from '../errors.ts';
import type { SystemDefinition } from '../plugin.ts';
import { validateSystemImage, withFilesRelativeTo } from '../nodes/systemImage.ts';
import { ensureTypeScriptLoader } from './typescriptLoader.ts';

const pluginUrl = new URL('../plugin.ts', import.meta.url).href;

// A resolve hook (Node's module.register, run in the loader thread) mapping the package's own name to its
// plugin API, so a user's module needs no npm link or file: dependency.
const hookSource = `
let pluginUrl;
export function initialize(data) { pluginUrl = data.pluginUrl; }
export async function resolve(specifier, context, next) {
  // Delegate to the next resolver (tsx's) with the absolute URL, so it loads as the TypeScript it is.
  if (specifier === 'faultline' || specifier === 'faultline/plugin') return next(pluginUrl, context);
  return next(specifier, context);
}`;

let hookRegistered = false;

/** Makes 'faultline' and 'faultline/plugin' importable from any module this process loads. Idempotent. */
export function registerPluginResolution(): void {
  if (hookRegistered) return;
  hookRegistered = true;
  register(`data:text/javascript,${encodeURIComponent(hookSource)}`, {
    parentURL: import.meta.url,
    data: { pluginUrl },
  });
}

export function isModulePath(name: string): boolean {
  return /^(\.{1,2}[/\\]|\/)/.test(name) || /\.(m|c)?(t|j)s$/.test(name);
}

const requiredHooks = ['start', 'stop', 'kill', 'pause', 'resume', 'client'] as const;

/** The problems with a plugin module's default export, empty when it is a usable SystemDefinition. */
export function systemDefinitionProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null)
    return ['the default export is not an object (export default defineSystem({...}))'];
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof v.name !== 'string' || v.name === '') problems.push('"name" must be a non-empty string');
  for (const hook of requiredHooks) if (typeof v[hook] !== 'function') problems.push(`"${hook}" must be a function`);
  for (const hook of ['install', 'ready', 'logFiles', 'primary'] as const)
    if (v[hook] !== undefined && typeof v[hook] !== 'function')
      problems.push(`"${hook}" must be a function when given`);
  if (v.workloads !== undefined && !(Array.isArray(v.workloads) && v.workloads.every((w) => typeof w === 'string')))
    problems.push('"workloads" must be a list of workload names when given');
  if (v.network !== undefined) {
    const n = v.network as Record<string, unknown> | null;
    if (typeof n !== 'object' || n === null) problems.push('"network" must be an object when given');
    else {
      for (const call of ['partition', 'shape', 'heal'] as const)
        if (typeof n[call] !== 'function') problems.push(`"network.${call}" must be a function`);
      if (!Array.isArray(n.packetBehaviors))
        problems.push('"network.packetBehaviors" must be a list of behaviour names');
    }
  }
  return problems;
}

/**
 * The system a campaign names. Every problem is a usage error (exit 64) located at the campaign's `system`
 * field, so a run can resolve it before it creates a run folder or any node.
 */
export async function resolveSystem(
  name: string,
  campaignFile: string,
  at: { line: number; column: number } = { line: 1, column: 1 },
): Promise<SystemDefinition> {
  const where = `${campaignFile}:${at.line}:${at.column} system`;
  const usage = (message: string, hint?: string): UserError => new UserError(message, hint, 'usage');
  if (!isModulePath(name)) {
    const builtIn = await loadBuiltInSystem(name);
    if (builtIn !== undefined) return builtIn;
    throw usage(
      `${where}: "${name}" is not a built-in system`,
      `built-in systems: ${builtInSystemNames().join(', ')}; or give a path to your module, e.g. system: ./my-system.ts`,
    );
  }
  const file = resolve(dirname(campaignFile), name);
  if (!existsSync(file)) {
    throw usage(`${where}: the module ${file} does not exist`, 'paths are relative to the campaign file');
  }
  await ensureTypeScriptLoader();
  registerPluginResolution();
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (e) {
    // A syntax error, a missing import, or a throw at the module's top level: the module's own fault.
    const text = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
    const hint = /require\(\) ES Module|Cannot use import statement/.test(text)
      ? 'Node treats the file as CommonJS: put {"type": "module"} in a package.json beside it, or name it .mts'
      : undefined;
    throw usage(`${where}: the module ${file} failed to load: ${text}`, hint ?? 'fix the module, then run again');
  }
  const problems = systemDefinitionProblems(mod.default);
  if (problems.length > 0) {
    throw usage(
      `${where}: ${file} is not a system definition:\n  ${problems.join('\n  ')}`,
      "export default defineSystem({ name, start, stop, kill, pause, resume, client }) from 'faultline/plugin'; see docs/plugin-tutorial.md",
    );
  }
  const definition = mod.default as SystemDefinition;
  if (definition.image === undefined) return definition;
  // Checked here, so a bad declaration is the campaign's usage error before any node; its files are the module's.
  try {
    return {
      ...definition,
      image: validateSystemImage(definition.name, withFilesRelativeTo(definition.image, dirname(file))),
    };
  } catch (e) {
    throw usage(`${where}: ${e instanceof Error ? e.message : String(e)}`, e instanceof UserError ? e.hint : undefined);
  }
}

/**
 * A system that names the workloads its client serves cannot run another: rejected with the campaign's
 * workload field, before any node (a client that answers each op `fail` would check nothing).
 */
export function checkSystemServesWorkload(
  system: SystemDefinition,
  workload: string,
  campaignFile: string,
  at: { line: number; column: number } = { line: 1, column: 1 },
): void {
  if (system.workloads === undefined || system.workloads.includes(workload)) return;
  throw new UserError(
    `${campaignFile}:${at.line}:${at.column} workload.name: ${system.name} does not serve the ${workload} workload`,
    `${system.name} serves ${system.workloads.join(', ')} (see \`faultline list\`)`,
    'usage',
  );
}
