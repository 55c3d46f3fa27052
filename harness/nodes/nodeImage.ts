// The node image: built from docker/node/ on a base that is made locally (debootstrap + import) when absent,
// tagged with a hash of its inputs so it is rebuilt only when they change.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { pack } from 'tar-stream';
import { UserError } from '../errors.ts';
import { connectEngine } from './dockerEngine.ts';

export const NODE_IMAGE_REPOSITORY = 'faultline-node';
/** The base made by docker/make-base-image.sh when no other base is configured. */
export const DEFAULT_BASE_IMAGE = 'faultline-base:bookworm';

const dockerDir = fileURLToPath(new URL('../../docker/', import.meta.url));
/** docker/node/: the default build context. */
export const NODE_IMAGE_CONTEXT = join(dockerDir, 'node');

export interface NodeImageOptions {
  /** The image to build on. Default: FAULTLINE_BASE_IMAGE, else a local debootstrap'd Debian bookworm. */
  baseImage?: string;
  /** One line per build step or progress message. */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
  /** A folder with a Dockerfile (ARG BASE, FROM ${BASE}) to build instead of docker/node/: your own node image. */
  contextDir?: string;
}

async function contextFiles(contextDir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) out.push(path);
    }
  }
  await walk(contextDir);
  return out;
}

/** The tag the node image has for the context folder's files and the base image's id. */
export async function nodeImageTag(
  docker: Docker,
  baseImage: string,
  contextDir: string = NODE_IMAGE_CONTEXT,
): Promise<string | undefined> {
  let baseId: string;
  try {
    baseId = (await docker.getImage(baseImage).inspect()).Id;
  } catch {
    return undefined;
  }
  const hash = createHash('sha256').update(`base ${baseImage} ${baseId}\n`);
  for (const file of await contextFiles(contextDir)) {
    const content = await readFile(file);
    hash.update(`${relative(contextDir, file)} ${content.length}\n`).update(content);
  }
  return `${NODE_IMAGE_REPOSITORY}:${hash.digest('hex').slice(0, 16)}`;
}

export async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

/** A cross-process lock (a directory), so parallel test files build an image once rather than each. */
export async function withLock<T>(name: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const dir = join(tmpdir(), `faultline-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.lock`);
  for (;;) {
    signal?.throwIfAborted();
    try {
      await mkdir(dir);
      break;
    } catch {
      // A holder that died leaves the directory behind; a build never takes 15 minutes.
      const age = await stat(dir).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 15 * 60_000) await rmdir(dir).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    await rmdir(dir).catch(() => undefined);
  }
}

async function ensureBaseImage(docker: Docker, base: string, options: NodeImageOptions): Promise<void> {
  if (await imageExists(docker, base)) return;
  // faultline-base:* tags are ours to make (debootstrap); any other base must come from the engine or a registry.
  if (!base.startsWith('faultline-base:')) {
    options.onProgress?.(`base image ${base} is not present; the build will try to pull it`);
    return;
  }
  await withLock(
    'base-image',
    async () => {
      if (await imageExists(docker, base)) return;
      options.onProgress?.(`making the base image ${base} with debootstrap (about a minute, once)`);
      const script = join(dockerDir, 'make-base-image.sh');
      const child = execa('bash', [script, base], {
        all: true,
        reject: false,
        ...(options.signal ? { cancelSignal: options.signal } : {}),
      });
      child.all?.on('data', (d: Buffer) => {
        for (const line of d.toString().split('\n')) if (line.trim()) options.onProgress?.(line);
      });
      const result = await child;
      if (result.exitCode !== 0) {
        throw new UserError(
          `Could not make the base image ${base} (docker/make-base-image.sh exited ${result.exitCode ?? result.signal}).\n${(
            result.all ?? ''
          )
            .trim()
            .split('\n')
            .slice(-15)
            .join('\n')}`,
          'It needs root and debootstrap (bash docker/ensure-engine.sh installs it). Or build on another base: ' +
            'set FAULTLINE_BASE_IMAGE to a Debian bookworm image your engine has.',
        );
      }
    },
    options.signal,
  );
}

export interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** One file of a build context. */
export interface BuildContextEntry {
  name: string;
  content: Buffer;
  mode: number;
}

export interface ImageBuild {
  tag: string;
  entries: readonly BuildContextEntry[];
  buildargs?: Record<string, string>;
  labels: Record<string, string>;
  /** Called with the builder's "Step N/M" lines, and with other output lines that `progressLine` matches. */
  onProgress?: (line: string) => void;
  progressLine?: RegExp;
  signal?: AbortSignal;
}

/** What a failed build said: the engine's error and the failing step's own output (from its "Step N/M" line). */
export interface ImageBuildFailure {
  error: string;
  stepOutput: string[];
}

/** Builds an image from in-memory context files with the classic builder; resolves the failure, if any. */
export async function runImageBuild(docker: Docker, build: ImageBuild): Promise<ImageBuildFailure | undefined> {
  const tar = pack();
  for (const entry of build.entries) tar.entry({ name: entry.name, mode: entry.mode }, entry.content);
  tar.finalize();
  const stream = await docker.buildImage(
    tar as unknown as NodeJS.ReadableStream,
    {
      t: build.tag,
      ...(build.buildargs ? { buildargs: build.buildargs } : {}),
      labels: build.labels,
      rm: true,
      forcerm: true,
      ...(build.signal ? { abortSignal: build.signal } : {}),
    } as Docker.ImageBuildOptions,
  );
  const output: string[] = [];
  // The engine's stream events cut lines anywhere (an apt "E: ..." came as "E" and ": Unable ..."), so a line
  // is taken only once its newline arrives.
  let partial = '';
  const takeLine = (raw: string): void => {
    // The builder colours a step's stderr; the colour codes would hide its text from matching.
    // eslint-disable-next-line no-control-regex
    const line = raw.replace(/\u001b\[[0-9;]*m/g, '');
    // The builder's own bookkeeping says nothing about why a step failed.
    if (!line.trim() || /^(Removing intermediate container| ---> )/.test(line)) return;
    output.push(line);
    if (/^Step \d+\/\d+/.test(line) || build.progressLine?.test(line) === true) build.onProgress?.(line);
  };
  const failure = await new Promise<string | undefined>((resolve, reject) => {
    let error: string | undefined;
    docker.modem.followProgress(
      stream,
      (err) => {
        takeLine(partial);
        partial = '';
        if (err) reject(err);
        else resolve(error);
      },
      (event: BuildEvent) => {
        if (event.error !== undefined) error = event.errorDetail?.message ?? event.error;
        if (event.status !== undefined) takeLine(event.status);
        if (event.stream === undefined) return;
        const lines = (partial + event.stream).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) takeLine(line);
      },
    );
  });
  if (failure === undefined) return undefined;
  // The failing step's own output is what follows its last "Step N/M" line.
  const lastStep = output.findLastIndex((l) => /^Step \d+\/\d+/.test(l));
  return { error: failure, stepOutput: output.slice(lastStep >= 0 ? lastStep : Math.max(0, output.length - 30)) };
}

async function buildNodeImage(docker: Docker, tag: string, base: string, options: NodeImageOptions): Promise<void> {
  const contextDir = options.contextDir ?? NODE_IMAGE_CONTEXT;
  const entries: BuildContextEntry[] = [];
  for (const file of await contextFiles(contextDir)) {
    entries.push({
      name: relative(contextDir, file),
      content: await readFile(file),
      mode: (await stat(file)).mode & 0o777,
    });
  }
  const failure = await runImageBuild(docker, {
    tag,
    entries,
    buildargs: { BASE: base },
    labels: { 'faultline.image': 'node' },
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (failure !== undefined) {
    throw new UserError(
      `Building the node image ${tag} failed: ${failure.error}\n${failure.stepOutput.slice(-40).join('\n')}`,
      `Fix ${relative(process.cwd(), join(contextDir, 'Dockerfile'))} or what the step needs (network to the Debian archive for apt-get), then retry. ` +
        `Base image: ${base}.`,
    );
  }
}

/**
 * Makes sure the node image exists (building the base and the image if needed) and returns its tag.
 * Cheap when it exists: a few image inspections and a hash of docker/node/.
 */
export async function ensureNodeImage(options: NodeImageOptions = {}): Promise<string> {
  const docker = await connectEngine();
  const base = options.baseImage ?? process.env.FAULTLINE_BASE_IMAGE ?? DEFAULT_BASE_IMAGE;
  await ensureBaseImage(docker, base, options);
  const tag = (await nodeImageTag(docker, base, options.contextDir)) ?? `${NODE_IMAGE_REPOSITORY}:base-unknown`;
  if (await imageExists(docker, tag)) return tag;
  await withLock(
    tag,
    async () => {
      if (await imageExists(docker, tag)) return;
      options.onProgress?.(`building the node image ${tag} on ${base}`);
      await buildNodeImage(docker, tag, base, options);
    },
    options.signal,
  );
  return tag;
}

/** The current node image's tag if it is built, else undefined (for `doctor`). Never builds. */
export async function currentNodeImage(
  baseImage?: string,
): Promise<{ tag: string | undefined; base: string; basePresent: boolean }> {
  const docker = await connectEngine();
  const base = baseImage ?? process.env.FAULTLINE_BASE_IMAGE ?? DEFAULT_BASE_IMAGE;
  const tag = await nodeImageTag(docker, base);
  if (tag === undefined) return { tag: undefined, base, basePresent: false };
  return { tag: (await imageExists(docker, tag)) ? tag : undefined, base, basePresent: true };
}
