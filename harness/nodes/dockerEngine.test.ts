// Runs in its own process (node:test gives each file one), so pointing DOCKER_HOST nowhere affects only it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../errors.ts';

process.env.DOCKER_HOST = 'unix:///tmp/faultline-no-engine-here.sock';
const { connectEngine, engineAnswers } = await import('./dockerEngine.ts');

describe('an engine that does not answer', () => {
  it('engineAnswers says false', async () => {
    assert.equal(await engineAnswers(1000), false);
  });

  it('connectEngine throws a UserError naming the address and how to start an engine', async () => {
    await assert.rejects(connectEngine({ timeoutMs: 1000 }), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /No Docker engine answers at unix:\/\/\/tmp\/faultline-no-engine-here\.sock/);
      assert.match(e.hint ?? '', /docker\/ensure-engine\.sh/);
      return true;
    });
  });
});
