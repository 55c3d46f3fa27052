import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { knownKeysFor } from './knownHosts.ts';

function hashed(name: string, salt: Buffer): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('knownKeysFor', () => {
  const file = [
    '# a comment',
    'n1,10.0.0.1 ssh-ed25519 AAAAkey1',
    '[10.0.0.1]:2222 ssh-ed25519 AAAAkey2',
    `${hashed('10.0.0.3', Buffer.from('salt-salt-salt-salt!'))} ssh-rsa AAAAkey3`,
    '@revoked 10.0.0.1 ssh-ed25519 AAAAbad',
    '',
  ].join('\n');

  it('matches plain names in a comma list, on port 22', () => {
    assert.deepEqual(knownKeysFor(file, '10.0.0.1', 22), [['ssh-ed25519', 'AAAAkey1']]);
    assert.deepEqual(knownKeysFor(file, 'n1', 22), [['ssh-ed25519', 'AAAAkey1']]);
  });

  it('uses [host]:port for other ports', () => {
    assert.deepEqual(knownKeysFor(file, '10.0.0.1', 2222), [['ssh-ed25519', 'AAAAkey2']]);
  });

  it('matches hashed entries (HashKnownHosts)', () => {
    assert.deepEqual(knownKeysFor(file, '10.0.0.3', 22), [['ssh-rsa', 'AAAAkey3']]);
    assert.deepEqual(knownKeysFor(file, '10.0.0.4', 22), []);
  });

  it('skips marker lines rather than trusting them', () => {
    assert.ok(!knownKeysFor(file, '10.0.0.1', 22).some(([, k]) => k === 'AAAAbad'));
  });
});
