// A system's own node image: the Debian packages, files and setup lines a system declares (SystemDefinition
// `image`), built as an image FROM the faultline node image and tagged by a content hash of the declaration,
// the files' bytes and the node image's id, so it is built once and reused until one of them changes. Over ssh
// the same declaration is installed on each host with apt-get (installSystemImageOnHost).
// Pure parts (validation, Dockerfile text, hash, apt error parsing) are exported for the unit tests.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.ts';
import { connectEngine } from './dockerEngine.ts';
import { type BuildContextEntry, ensureNodeImage, imageExists, runImageBuild, withLock } from './nodeImage.ts';
import { RemoteCommandError, shellQuote, type Remote } from './remote.ts';
import type { SystemImage, SystemImageFile } from './systemImageDeclaration.ts';

export type { SystemImage, SystemImageFile } from './systemImageDeclaration.ts';

export const SYSTEM_IMAGE_REPOSITORY = 'faultline-system';
/** Labels on every system image: `faultline clean --images` finds them by the first. */
export const SYSTEM_IMAGE_LABEL = 'faultline.image';
export const SYSTEM_IMAGE_SYSTEM_LABEL = 'faultline.system';
export const SYSTEM_IMAGE_BASE_LABEL = 'faultline.base';

// Debian policy: lower case, digits, + - . ; at least two characters. A version or architecture may follow.
const packageName = /^[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?(=[A-Za-z0-9.+~:-]+)?$/;

const systemImageSchema = z.strictObject({
  packages: z
    .array(
      z.string().regex(packageName, 'a Debian package name (lower case letters, digits, + - .), e.g. postgresql-15'),
    )
    .optional(),
  files: z
    .array(
      z.strictObject({
        from: z.union([z.string().min(1), z.instanceof(URL)]),
        to: z.string().refine((p) => p.startsWith('/') && !p.includes('\n'), 'an absolute path on the node'),
        mode: z.number().int().min(0).max(0o7777).optional(),
      }),
    )
    .optional(),
  run: z.array(z.string().refine((l) => l.trim() !== '' && !l.includes('\n'), 'one non-empty shell line')).optional(),
});

/** Checks a declaration; the error names the system and the field. */
export function validateSystemImage(system: string, image: unknown): SystemImage {
  const parsed = systemImageSchema.safeParse(image);
  if (parsed.success) {
    const { packages, files, run } = parsed.data;
    const checked: SystemImage = {};
    if (packages !== undefined) checked.packages = packages;
    if (files !== undefined)
      checked.files = files.map((f) => ({ from: f.from, to: f.to, ...(f.mode !== undefined && { mode: f.mode }) }));
    if (run !== undefined) checked.run = run;
    return checked;
  }
  const problems = parsed.error.issues.map((i) => `image.${i.path.join('.')}: ${i.message}`);
  throw new UserError(
    `The system ${system} declares an image faultline cannot use:\n  ${problems.join('\n  ')}`,
    "image: { packages: ['postgresql-15'], files: [{ from: './pg.conf', to: '/etc/x/pg.conf', mode: 0o644 }], run: ['shell line'] }",
  );
}

/** True when the declaration asks for nothing, so the node image serves as it is. */
export function isEmptySystemImage(image: SystemImage | undefined): boolean {
  return (
    image === undefined ||
    ((image.packages ?? []).length === 0 && (image.files ?? []).length === 0 && (image.run ?? []).length === 0)
  );
}

/** The local path of a declared file (relative paths need the folder of the module that declared it). */
export function systemFilePath(from: string | URL, moduleDir: string | undefined, system: string): string {
  if (from instanceof URL || from.startsWith('file:')) return fileURLToPath(from);
  if (isAbsolute(from)) return from;
  if (moduleDir === undefined) {
    throw new UserError(
      `The system ${system} declares the image file '${from}' by a relative path, but its module's folder is not known.`,
      "Give it as new URL('./file', import.meta.url) or an absolute path.",
    );
  }
  return resolve(moduleDir, from);
}

/**
 * The declaration with relative `files[].from` made absolute against the declaring module's folder (what
 * resolveSystem does for a user's module). Anything that is not a declaration is returned as it is, for
 * validateSystemImage to report.
 */
export function withFilesRelativeTo(image: unknown, moduleDir: string): unknown {
  if (typeof image !== 'object' || image === null || !Array.isArray((image as SystemImage).files)) return image;
  const files = (image as SystemImage).files!.map((f: unknown) => {
    if (typeof f !== 'object' || f === null) return f;
    const from = (f as SystemImageFile).from;
    return typeof from === 'string' && !from.startsWith('file:') && !isAbsolute(from)
      ? { ...f, from: resolve(moduleDir, from) }
      : f;
  });
  return { ...image, files };
}

/** The context file that carries the i-th declared file. */
function contextName(i: number): string {
  return `files/${i}`;
}

/** The Dockerfile of a system image: FROM the node image, apt-get install, COPY, chmod, RUN lines. */
export function systemImageDockerfile(image: SystemImage, nodeImage: string): string {
  const lines = [`FROM ${nodeImage}`];
  const packages = image.packages ?? [];
  if (packages.length > 0) {
    // The node image's policy-rc.d keeps package scripts from starting services; the system's hooks start them.
    lines.push(
      'RUN apt-get update \\',
      ` && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(' ')} \\`,
      ' && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb',
    );
  }
  const files = image.files ?? [];
  files.forEach((file, i) => {
    // The JSON form, so a path with spaces stays one argument.
    lines.push(`COPY ${JSON.stringify([contextName(i), file.to])}`);
  });
  // The classic builder's COPY has no --chmod: one RUN sets every declared mode.
  if (files.length > 0) {
    lines.push(`RUN ${files.map((f) => `chmod ${(f.mode ?? 0o644).toString(8)} ${shellQuote(f.to)}`).join(' && ')}`);
  }
  for (const line of image.run ?? []) lines.push(`RUN ${line}`);
  return `${lines.join('\n')}\n`;
}

/** The content hash a system image is tagged by: the Dockerfile (the whole declaration), the files' bytes, the node image's id. */
export function systemImageHash(dockerfile: string, files: readonly Uint8Array[], nodeImageId: string): string {
  const hash = createHash('sha256').update(`faultline system image 1\nbase ${nodeImageId}\n`);
  hash.update(`Dockerfile ${Buffer.byteLength(dockerfile)}\n`).update(dockerfile);
  files.forEach((content, i) => hash.update(`\n${contextName(i)} ${content.length}\n`).update(content));
  return hash.digest('hex').slice(0, 16);
}

/** The image tag for a system and hash: faultline-system:<name>-<hash16> (the name made tag-safe). */
export function systemImageTag(system: string, hash: string): string {
  const safe =
    system
      .replace(/[^A-Za-z0-9_.-]/g, '_')
      .replace(/^[.-]+/, '')
      .slice(0, 100) || 'system';
  return `${SYSTEM_IMAGE_REPOSITORY}:${safe}-${hash}`;
}

/** What apt said it could not install, from its output (build log or an ssh host's apt-get). */
export function aptFailures(output: string): { package: string; reason: string }[] {
  const found: { package: string; reason: string }[] = [];
  const patterns: [RegExp, string][] = [
    [/^E: Unable to locate package (\S+)/gm, 'Unable to locate package'],
    [/^E: Package '([^']+)' has no installation candidate/gm, 'has no installation candidate'],
    [/^E: Version '[^']+' for '([^']+)' was not found/gm, 'version not found'],
    [/^E: Couldn't find any package by (?:glob|regex) '([^']+)'/gm, "Couldn't find any package"],
  ];
  for (const [pattern, reason] of patterns) {
    for (const m of output.matchAll(pattern)) {
      if (!found.some((f) => f.package === m[1])) found.push({ package: m[1]!, reason });
    }
  }
  return found;
}

function aptFailureSentence(output: string): string | undefined {
  const failures = aptFailures(output);
  if (failures.length === 0) return undefined;
  return failures.map((f) => `apt could not install '${f.package}' (${f.reason})`).join('; ');
}

const aptHint = (packages: readonly string[]): string =>
  `Check the names against Debian bookworm's archive (\`apt-cache policy ${packages.join(' ')}\` on a bookworm machine). ` +
  'Other failures: the archive must be reachable from the build (apt-get update).';

export interface SystemImageOptions {
  /** The system's name (the tag and labels carry it). */
  system: string;
  image: SystemImage;
  /** The folder of the module that declared the system, for relative file paths. */
  moduleDir?: string;
  /** The image to build FROM. Default: ensureNodeImage(). */
  nodeImage?: string;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

interface PreparedSystemImage {
  dockerfile: string;
  entries: BuildContextEntry[];
  tag: string;
  nodeImage: string;
}

async function readDeclaredFiles(options: SystemImageOptions, image: SystemImage): Promise<Buffer[]> {
  return Promise.all(
    (image.files ?? []).map(async (file, i) => {
      const path = systemFilePath(file.from, options.moduleDir, options.system);
      try {
        return await readFile(path);
      } catch (e) {
        throw new UserError(
          `The system ${options.system} declares image.files.${i} from ${path}, which cannot be read: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }),
  );
}

async function prepare(options: SystemImageOptions, nodeImage: string): Promise<PreparedSystemImage> {
  const image = validateSystemImage(options.system, options.image);
  const docker = await connectEngine();
  const nodeImageId = (await docker.getImage(nodeImage).inspect()).Id;
  const contents = await readDeclaredFiles(options, image);
  const dockerfile = systemImageDockerfile(image, nodeImage);
  const tag = systemImageTag(options.system, systemImageHash(dockerfile, contents, nodeImageId));
  const entries: BuildContextEntry[] = [
    { name: 'Dockerfile', content: Buffer.from(dockerfile), mode: 0o644 },
    ...contents.map((content, i) => ({ name: contextName(i), content, mode: image.files![i]!.mode ?? 0o644 })),
  ];
  return { dockerfile, entries, tag, nodeImage };
}

/** The tag the system's image has now (built or not), for `faultline clean` and tests. Never builds. */
export async function systemImageTagFor(options: SystemImageOptions): Promise<string> {
  if (isEmptySystemImage(options.image)) return options.nodeImage ?? (await ensureNodeImage());
  const nodeImage = options.nodeImage ?? (await ensureNodeImage());
  return (await prepare(options, nodeImage)).tag;
}

/**
 * Makes sure the system's image exists, building it FROM the node image if needed, and returns its tag; an
 * empty declaration returns the node image's tag. A build failure names the packages apt could not install.
 */
export async function ensureSystemImage(options: SystemImageOptions): Promise<string> {
  const nodeImage =
    options.nodeImage ??
    (await ensureNodeImage({
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    }));
  if (isEmptySystemImage(options.image)) return nodeImage;
  const prepared = await prepare(options, nodeImage);
  const docker = await connectEngine();
  if (await imageExists(docker, prepared.tag)) return prepared.tag;
  await withLock(
    prepared.tag,
    async () => {
      if (await imageExists(docker, prepared.tag)) return;
      const started = Date.now();
      options.onProgress?.(`building the node image ${prepared.tag} for ${options.system} on ${nodeImage}`);
      const failure = await runImageBuild(docker, {
        tag: prepared.tag,
        entries: prepared.entries,
        labels: {
          [SYSTEM_IMAGE_LABEL]: 'system',
          [SYSTEM_IMAGE_SYSTEM_LABEL]: options.system,
          [SYSTEM_IMAGE_BASE_LABEL]: nodeImage,
        },
        progressLine: /^(Setting up \S+|E: )/,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (failure !== undefined) {
        const log = failure.stepOutput.join('\n');
        const apt = aptFailureSentence(log);
        throw new UserError(
          `Building the node image for the system ${options.system} failed: ${apt ?? failure.error}\n` +
            `${failure.stepOutput.slice(-25).join('\n')}${apt !== undefined ? `\n${failure.error}` : ''}`,
          apt !== undefined
            ? aptHint(options.image.packages ?? [])
            : `Fix the system's image declaration (packages, files, run lines) and retry. Dockerfile:\n${prepared.dockerfile}`,
        );
      }
      options.onProgress?.(`built ${prepared.tag} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
    options.signal,
  );
  return prepared.tag;
}

/** The declared packages not installed on a host (dpkg's view). */
export async function missingPackages(remote: Remote, packages: readonly string[]): Promise<string[]> {
  if (packages.length === 0) return [];
  const names = packages.map((p) => p.split('=')[0]!);
  const result = await remote.exec(['dpkg-query', '-W', '-f=${Package} ${db:Status-Status}\\n', ...names]);
  const installed = new Set(
    result.stdout
      .split('\n')
      .map((l) => l.trim().split(' '))
      .filter(([, status]) => status === 'installed')
      .map(([name]) => name!.split(':')[0]!),
  );
  return packages.filter((p) => !installed.has(p.split('=')[0]!.split(':')[0]!));
}

export interface HostInstallOptions {
  system: string;
  image: SystemImage;
  moduleDir?: string;
  log(message: string): void;
  signal?: AbortSignal;
}

/**
 * Installs a system's declaration on a real host (the ssh backend): the missing packages with apt-get, the
 * files, then the run lines. A host without apt-get is refused with what to install by hand.
 */
export async function installSystemImageOnHost(remote: Remote, options: HostInstallOptions): Promise<void> {
  const image = validateSystemImage(options.system, options.image);
  if (isEmptySystemImage(image)) return;
  const packages = image.packages ?? [];
  const missing = await missingPackages(remote, packages);
  if (missing.length > 0) {
    const hasApt = await remote.exec(['sh', '-c', 'command -v apt-get']);
    if (hasApt.exitCode !== 0) {
      throw new UserError(
        `On ${remote.name}: the system ${options.system} needs the packages ${missing.join(', ')}, and this host has no apt-get to install them.`,
        `Install them (or their equivalents) by hand on ${remote.name}, then run again; faultline installs only through apt-get.`,
      );
    }
    options.log(`[${remote.name}] apt-get install ${missing.join(' ')}`);
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    const opts = { timeoutMs: 15 * 60_000, env, ...(options.signal ? { signal: options.signal } : {}) };
    const update = await remote.exec(['apt-get', 'update'], opts);
    if (update.exitCode !== 0) throw new RemoteCommandError(remote.name, ['apt-get', 'update'], update);
    const argv = ['apt-get', 'install', '-y', '--no-install-recommends', ...missing];
    const install = await remote.exec(argv, opts);
    if (install.exitCode !== 0) {
      const apt = aptFailureSentence(`${install.stdout}\n${install.stderr}`);
      if (apt === undefined) throw new RemoteCommandError(remote.name, argv, install);
      throw new UserError(`On ${remote.name}: ${apt}.`, aptHint(missing));
    }
  }
  const contents = await readDeclaredFiles(options, image);
  for (const [i, file] of (image.files ?? []).entries()) {
    await remote.writeFile(file.to, contents[i]!, { mode: file.mode ?? 0o644 });
  }
  for (const line of image.run ?? []) {
    const argv = ['sh', '-c', line];
    const result = await remote.exec(argv, {
      timeoutMs: 15 * 60_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (result.exitCode !== 0) throw new RemoteCommandError(remote.name, argv, result);
  }
}
