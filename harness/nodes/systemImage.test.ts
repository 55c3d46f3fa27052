// The pure parts of a system's node image: the declaration's checks, the Dockerfile it becomes, the content
// hash its tag carries, and the reading of apt's errors. The build itself is tested on the engine
// (test/e2e/nodes/systemImage.test.ts); the ssh host install runs against a scripted Remote.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { ScriptedRemote } from '../../nemesis/testing/scriptedRemote.ts';
import { UserError } from '../errors.ts';
import {
  aptFailures,
  installSystemImageOnHost,
  isEmptySystemImage,
  systemFilePath,
  systemImageDockerfile,
  systemImageHash,
  systemImageTag,
  validateSystemImage,
  withFilesRelativeTo,
} from './systemImage.ts';

describe('system image declaration', () => {
  it('accepts packages, files and run lines, and keeps them as given', () => {
    const image = {
      packages: ['postgresql-15', 'libc6:amd64', 'etcd-server=3.4.23-4+b7'],
      files: [{ from: '/x/pg.conf', to: '/etc/pg.conf', mode: 0o600 }],
      run: ['echo hi'],
    };
    assert.deepEqual(validateSystemImage('pg', image), image);
  });

  it('names the field and the system when a declaration is wrong', () => {
    for (const [bad, field] of [
      [{ packages: ['Postgres 15'] }, 'image.packages.0'],
      [{ files: [{ from: 'a', to: 'relative/path' }] }, 'image.files.0.to'],
      [{ run: ['two\nlines'] }, 'image.run.0'],
      [{ packges: ['x'] }, 'image.'],
    ] as const) {
      assert.throws(
        () => validateSystemImage('my-system', bad),
        (e: unknown) => e instanceof UserError && e.message.includes('my-system') && e.message.includes(field),
        JSON.stringify(bad),
      );
    }
  });

  it('an empty declaration asks for nothing', () => {
    assert.equal(isEmptySystemImage(undefined), true);
    assert.equal(isEmptySystemImage({ packages: [], files: [], run: [] }), true);
    assert.equal(isEmptySystemImage({ run: ['true'] }), false);
  });

  it('relative file paths are the module folder; URLs and absolute paths stay', () => {
    const image = withFilesRelativeTo(
      {
        files: [
          { from: 'conf/a.conf', to: '/a' },
          { from: '/abs/b', to: '/b' },
          { from: new URL('file:///u/c'), to: '/c' },
        ],
      },
      '/plugins/mine',
    ) as { files: { from: string | URL }[] };
    assert.deepEqual(
      image.files.map((f) => systemFilePath(f.from, undefined, 's')),
      ['/plugins/mine/conf/a.conf', '/abs/b', '/u/c'],
    );
    assert.throws(() => systemFilePath('rel', undefined, 's'), /relative path/);
  });
});

describe('system image Dockerfile', () => {
  it('installs the packages without recommends, copies files with their modes, then runs the lines in order', () => {
    const text = systemImageDockerfile(
      {
        packages: ['postgresql-15', 'curl'],
        files: [
          { from: '/x', to: '/opt/my app/run.sh', mode: 0o755 },
          { from: '/y', to: '/etc/y.conf' },
        ],
        run: ['useradd -r pgx', 'mkdir -p /data'],
      },
      'faultline-node:abc',
    );
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], 'FROM faultline-node:abc');
    assert.match(text, /apt-get install -y --no-install-recommends postgresql-15 curl/);
    assert.ok(lines.includes('COPY ["files/0","/opt/my app/run.sh"]'));
    assert.ok(lines.includes('COPY ["files/1","/etc/y.conf"]'));
    assert.ok(lines.includes("RUN chmod 755 '/opt/my app/run.sh' && chmod 644 /etc/y.conf"));
    assert.deepEqual(lines.slice(-2), ['RUN useradd -r pgx', 'RUN mkdir -p /data']);
  });

  it('has no apt step without packages', () => {
    assert.doesNotMatch(systemImageDockerfile({ run: ['true'] }, 'b'), /apt-get/);
  });
});

describe('system image hash and tag', () => {
  it('the same inputs give the same hash; any change of Dockerfile, file bytes or base gives another', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 3 }),
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1, maxLength: 1 }),
        (dockerfile, files, base, extra) => {
          const h = systemImageHash(dockerfile, files, base);
          assert.match(h, /^[0-9a-f]{16}$/);
          assert.equal(
            systemImageHash(
              dockerfile,
              files.map((f) => Uint8Array.from(f)),
              base,
            ),
            h,
          );
          assert.notEqual(systemImageHash(dockerfile + extra, files, base), h);
          assert.notEqual(systemImageHash(dockerfile, files, base + extra), h);
          assert.notEqual(systemImageHash(dockerfile, [...files, new Uint8Array()], base), h);
          if (files.length > 0) {
            const changed = files.map((f, i) => (i === 0 ? Uint8Array.from([...f, 1]) : f));
            assert.notEqual(systemImageHash(dockerfile, changed, base), h);
          }
        },
      ),
    );
  });

  it('file boundaries count: moving a byte from one file to the next changes the hash', () => {
    const a = systemImageHash('D', [Uint8Array.from([1, 2]), Uint8Array.from([3])], 'b');
    const b = systemImageHash('D', [Uint8Array.from([1]), Uint8Array.from([2, 3])], 'b');
    assert.notEqual(a, b);
  });

  it('tags are valid docker tags whatever the system name', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        const tag = systemImageTag(name, '0123456789abcdef');
        assert.match(tag, /^faultline-system:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
        assert.ok(tag.endsWith('-0123456789abcdef'));
      }),
    );
    assert.equal(systemImageTag('postgres', '0123456789abcdef'), 'faultline-system:postgres-0123456789abcdef');
  });
});

describe("apt's errors", () => {
  it('names each package apt could not install, with why', () => {
    const log = [
      'Reading package lists...',
      'E: Unable to locate package postgresq-15',
      "E: Package 'etcd' has no installation candidate",
      "E: Version '9.9' for 'curl' was not found",
      "E: Couldn't find any package by glob 'pg*x'",
      'E: Unable to locate package postgresq-15',
    ].join('\n');
    assert.deepEqual(aptFailures(log), [
      { package: 'postgresq-15', reason: 'Unable to locate package' },
      { package: 'etcd', reason: 'has no installation candidate' },
      { package: 'curl', reason: 'version not found' },
      { package: 'pg*x', reason: "Couldn't find any package" },
    ]);
  });

  it('finds nothing in a log without those errors', () => {
    assert.deepEqual(aptFailures('E: Failed to fetch http://x/y 404 Not Found\nSetting up curl'), []);
  });
});

describe('installing a declaration on an ssh host', () => {
  const installed = (names: string[]) => (argv: readonly string[]) =>
    argv[0] === 'dpkg-query'
      ? {
          stdout: argv
            .slice(3)
            .map((n) => `${n} ${names.includes(n) ? 'installed' : 'not-installed'}\n`)
            .join(''),
        }
      : {};
  const log = (): undefined => undefined;

  it('installs only the missing packages with apt-get, then writes the files and runs the lines', async () => {
    const host = new ScriptedRemote('h1', '192.0.2.1', installed(['curl']));
    await installSystemImageOnHost(host, {
      system: 'pg',
      image: {
        packages: ['curl', 'postgresql-15'],
        files: [{ from: fileURLToPath(import.meta.url), to: '/opt/x.ts' }],
        run: ['echo hi'],
      },
      log,
    });
    assert.deepEqual(host.callsOf('apt-get', 'install'), [
      ['apt-get', 'install', '-y', '--no-install-recommends', 'postgresql-15'],
    ]);
    assert.equal(host.callsOf('apt-get', 'update').length, 1);
    assert.ok(host.files.has('/opt/x.ts'));
    assert.deepEqual(host.callsOf('sh', '-c', 'echo hi').length, 1);
  });

  it('runs no apt-get when everything is installed', async () => {
    const host = new ScriptedRemote('h1', '192.0.2.1', installed(['curl']));
    await installSystemImageOnHost(host, { system: 'pg', image: { packages: ['curl'] }, log });
    assert.deepEqual(host.callsOf('apt-get'), []);
  });

  it('refuses a host without apt-get, naming the packages to install by hand', async () => {
    const host = new ScriptedRemote('h1', '192.0.2.1', (argv) =>
      argv[0] === 'sh' && argv[2] === 'command -v apt-get' ? { exitCode: 1 } : installed([])(argv),
    );
    await assert.rejects(
      installSystemImageOnHost(host, { system: 'pg', image: { packages: ['postgresql-15'] }, log }),
      (e: unknown) =>
        e instanceof UserError &&
        /On h1: .*pg needs the packages postgresql-15.*no apt-get/.test(e.message) &&
        /by hand/.test(e.hint ?? ''),
    );
    assert.deepEqual(host.callsOf('apt-get'), []);
  });

  it('names the package apt could not install', async () => {
    const host = new ScriptedRemote('h1', '192.0.2.1', (argv) =>
      argv[0] === 'apt-get' && argv[1] === 'install'
        ? { exitCode: 100, stderr: 'E: Unable to locate package postgresq-15\n' }
        : installed([])(argv),
    );
    await assert.rejects(
      installSystemImageOnHost(host, { system: 'pg', image: { packages: ['postgresq-15'] }, log }),
      /On h1: apt could not install 'postgresq-15' \(Unable to locate package\)/,
    );
  });
});
