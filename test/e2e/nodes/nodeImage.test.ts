// The node image's build on the real engine: the tag follows the inputs (rebuilt only when they change), and a
// failing step is reported with its own output. Uses tiny throwaway build contexts on the real base image.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../../harness/errors.ts';
import { dockerClient, engineAnswers } from '../../../harness/nodes/dockerEngine.ts';
import { DEFAULT_BASE_IMAGE, ensureNodeImage, nodeImageTag } from '../../../harness/nodes/nodeImage.ts';

const skip = (await engineAnswers()) ? false : 'no Docker engine answers (run: bash docker/ensure-engine.sh)';
if (skip) process.stdout.write(`# skipping node image tests: ${skip}\n`);

describe('node image builds', { skip, timeout: 600_000 }, () => {
  let dir: string | undefined;
  const built: string[] = [];
  after(async () => {
    for (const tag of built)
      await dockerClient()
        .getImage(tag)
        .remove()
        .catch(() => undefined);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fl-image-'));
    // Makes sure the base exists (and the real node image, which the other e2e tests need anyway).
    await ensureNodeImage();
  });

  it('tags by content: the same inputs give the same tag, a changed file another, and no rebuild when present', async () => {
    const context = join(dir!, 'ok');
    await rm(context, { recursive: true, force: true });
    await mkdir(context);
    await writeFile(join(context, 'Dockerfile'), 'ARG BASE\nFROM ${BASE}\nLABEL faultline.test=one\n');
    const docker = dockerClient();
    const first = await nodeImageTag(docker, DEFAULT_BASE_IMAGE, context);
    assert.equal(await nodeImageTag(docker, DEFAULT_BASE_IMAGE, context), first);
    assert.match(first ?? '', /^faultline-node:[0-9a-f]{16}$/);

    const progress: string[] = [];
    const tag = await ensureNodeImage({ contextDir: context, onProgress: (l) => progress.push(l) });
    built.push(tag);
    assert.equal(tag, first);
    assert.ok(
      progress.some((l) => l.startsWith('building')),
      'it was built the first time',
    );
    progress.length = 0;
    assert.equal(await ensureNodeImage({ contextDir: context, onProgress: (l) => progress.push(l) }), tag);
    assert.deepEqual(progress, [], 'not rebuilt when present');

    await writeFile(join(context, 'extra.txt'), 'a changed input\n');
    assert.notEqual(await nodeImageTag(docker, DEFAULT_BASE_IMAGE, context), first);
  });

  it("a failing step is reported with that step's output", async () => {
    const context = join(dir!, 'broken');
    await mkdir(context);
    await writeFile(
      join(context, 'Dockerfile'),
      'ARG BASE\nFROM ${BASE}\nRUN echo fine\nRUN echo the-failing-step-said-this && exit 7\n',
    );
    await assert.rejects(ensureNodeImage({ contextDir: context }), (e: unknown) => {
      assert.ok(e instanceof UserError, String(e));
      assert.match(e.message, /Building the node image faultline-node:[0-9a-f]+ failed/);
      assert.match(e.message, /Step 4\/\d+ : RUN echo the-failing-step-said-this/);
      assert.match(e.message, /the-failing-step-said-this/);
      assert.match(e.message, /non-zero code: 7/);
      assert.ok(!e.message.includes('Step 3/'), 'only the failing step is quoted');
      return true;
    });
  });
});
