// A system's node image on the real engine: built FROM the node image once, reused while its declaration is
// unchanged (the second call is a cache hit), its files and run lines present on a node, and a misspelt
// package named in the error. Each test's declaration carries a random nonce, so the first build is cold.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../../harness/errors.ts';
import { createDockerCluster } from '../../../harness/nodes/cluster.ts';
import { dockerClient, engineAnswers } from '../../../harness/nodes/dockerEngine.ts';
import { ensureNodeImage } from '../../../harness/nodes/nodeImage.ts';
import { execOrThrow } from '../../../harness/nodes/remote.ts';
import { ensureSystemImage, SYSTEM_IMAGE_LABEL } from '../../../harness/nodes/systemImage.ts';

const skip = (await engineAnswers()) ? false : 'no Docker engine answers (run: bash docker/ensure-engine.sh)';
if (skip) process.stdout.write(`# skipping system image tests: ${skip}\n`);

describe('system images', { skip, timeout: 600_000 }, () => {
  let dir: string | undefined;
  const built: string[] = [];
  const nonce = randomBytes(6).toString('hex');
  after(async () => {
    for (const tag of built)
      await dockerClient()
        .getImage(tag)
        .remove()
        .catch(() => undefined);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fl-system-image-'));
    await ensureNodeImage();
  });

  it('builds once, reuses it while the declaration holds, and its nodes have the files and run lines', async () => {
    const script = join(dir!, 'hello.sh');
    await writeFile(script, `#!/bin/sh\necho hello ${nonce}\n`);
    const image = {
      files: [{ from: script, to: '/opt/tiny/hello.sh', mode: 0o755 }],
      run: [`echo ${nonce} > /opt/tiny/made-by-run`],
    };
    const progress: string[] = [];
    let t = performance.now();
    const tag = await ensureSystemImage({ system: 'tiny', image, onProgress: (l) => progress.push(l) });
    const cold = performance.now() - t;
    built.push(tag);
    assert.match(tag, /^faultline-system:tiny-[0-9a-f]{16}$/);
    assert.ok(
      progress.some((l) => l.startsWith('building the node image')),
      progress.join('\n'),
    );
    assert.ok(
      progress.some((l) => /^Step \d+\/\d+/.test(l)),
      'build steps shown as progress',
    );
    const labels = (await dockerClient().getImage(tag).inspect()).Config.Labels ?? {};
    assert.equal(labels[SYSTEM_IMAGE_LABEL], 'system');
    assert.equal(labels['faultline.system'], 'tiny');

    progress.length = 0;
    t = performance.now();
    assert.equal(await ensureSystemImage({ system: 'tiny', image, onProgress: (l) => progress.push(l) }), tag);
    const cached = performance.now() - t;
    assert.deepEqual(progress, [], 'the second call is a cache hit: nothing built');
    process.stdout.write(`# tiny system image: cold ${cold.toFixed(0)} ms, cached ${cached.toFixed(0)} ms\n`);

    const cluster = await createDockerCluster({ runId: `images-${nonce}`, nodes: 1, namePrefix: 'images', image: tag });
    try {
      const node = cluster.nodes[0]!;
      assert.equal((await execOrThrow(node, ['/opt/tiny/hello.sh'])).trim(), `hello ${nonce}`);
      assert.equal((await execOrThrow(node, ['cat', '/opt/tiny/made-by-run'])).trim(), nonce);
      assert.equal((await execOrThrow(node, ['stat', '-c', '%a', '/opt/tiny/hello.sh'])).trim(), '755');
    } finally {
      await cluster.destroy();
    }

    // A changed file is another image.
    await writeFile(script, `#!/bin/sh\necho changed ${nonce}\n`);
    const changed = await ensureSystemImage({ system: 'tiny', image });
    built.push(changed);
    assert.notEqual(changed, tag);
  });

  it('a misspelt package is named in the error, with the log tail', async () => {
    const misspelt = `postgresql-15-no-such-package-${nonce}`;
    await assert.rejects(
      ensureSystemImage({ system: 'typo', image: { packages: ['curl', misspelt] } }),
      (e: unknown) => {
        assert.ok(e instanceof UserError, String(e));
        assert.match(e.message, /Building the node image for the system typo failed/);
        assert.ok(e.message.includes(`apt could not install '${misspelt}' (Unable to locate package)`), e.message);
        assert.match(e.message, /Step \d+\/\d+ : RUN apt-get update/);
        assert.match(e.hint ?? '', /apt-cache policy/);
        return true;
      },
    );
  });
});
