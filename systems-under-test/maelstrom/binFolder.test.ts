// What of a node binary's folder is copied to docker and ssh nodes, and where the binary lands; how a node's
// end is described.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { binFolderFiles, binOnNode, folderTooBig, nodeBinRoot } from './binFolder.ts';
import { exitDescription } from './nodeProcess.ts';

test('a folder is too big exactly when it passes a limit, and the problem names which', () => {
  fc.assert(
    fc.property(
      fc.array(fc.nat({ max: 1000 }), { maxLength: 30 }),
      fc.nat({ max: 30 }),
      fc.nat({ max: 20_000 }),
      (sizes, maxFiles, maxBytes) => {
        const files = sizes.map((bytes, i) => ({ path: `f${i}`, bytes }));
        const total = sizes.reduce((a, b) => a + b, 0);
        const problem = folderTooBig(files, { files: maxFiles, bytes: maxBytes });
        assert.equal(problem !== undefined, sizes.length > maxFiles || total > maxBytes);
        if (sizes.length > maxFiles) assert.match(problem ?? '', new RegExp(`holds ${sizes.length} files`));
      },
    ),
  );
});

test("the binary's folder is listed with its subfolders, without caches and .git, file symlinks followed", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bin-folder-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(join(dir, 'node.py'), '#!/usr/bin/env python3\n');
  writeFileSync(join(dir, 'helper.py'), 'x = 1\n');
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib', 'more.py'), 'y = 2\n');
  for (const skipped of ['__pycache__', '.git']) {
    mkdirSync(join(dir, skipped));
    writeFileSync(join(dir, skipped, 'junk'), 'z');
  }
  symlinkSync(join(dir, 'helper.py'), join(dir, 'alias.py'));
  symlinkSync(join(dir, 'missing'), join(dir, 'dangling'));
  const files = binFolderFiles(join(dir, 'node.py'));
  assert.deepEqual(files.map((f) => f.path).sort(), ['alias.py', 'helper.py', 'lib/more.py', 'node.py']);
  assert.equal(files.find((f) => f.path === 'lib/more.py')?.bytes, 6);
  assert.throws(
    () => binFolderFiles(join(dir, 'node.py'), { files: 2, bytes: 1_000_000 }),
    new RegExp(`folder ${dir} holds \\d+ files .*a folder of its own`),
  );
  assert.equal(binOnNode(join(dir, 'node.py')), `${nodeBinRoot}/node.py`);
});

test("a process's end is described, and a 128+N code from docker or ssh names the signal it likely was", () => {
  assert.equal(exitDescription({ exitCode: 3, signal: null }), 'exited with code 3');
  assert.equal(exitDescription({ exitCode: null, signal: 'SIGKILL' }), 'was killed by SIGKILL');
  assert.equal(exitDescription({ exitCode: 137, signal: null }), 'exited with code 137 (as after SIGKILL)');
  assert.equal(exitDescription({ exitCode: 143, signal: null }), 'exited with code 143 (as after SIGTERM)');
  assert.match(exitDescription({ exitCode: null, signal: null }), /did not report/);
});
