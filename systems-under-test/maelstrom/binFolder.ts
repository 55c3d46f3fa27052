// A Maelstrom node on a docker or ssh node runs from a copy of its binary's whole folder (a Python node imports
// its sibling maelstrom_node.py, a script may read files next to it), so the folder is listed, bounded, and
// copied into one place on the node.
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';

/** Where the binary's folder is copied to on a node. */
export const nodeBinRoot = '/opt/faultline/maelstrom-node';

/** Folders never copied: version control and interpreters' caches, which the node does not need. */
const skippedFolders = new Set(['.git', '__pycache__']);

export interface FolderLimits {
  files: number;
  bytes: number;
}

/** Bounds on what is copied: enough for a node and its modules, not for a binary that sits in /usr/bin. */
export const binFolderLimits: FolderLimits = { files: 2000, bytes: 200 * 1024 * 1024 };

export interface FolderFile {
  /** Relative to the folder, with / separators. */
  path: string;
  bytes: number;
}

/** The path of `bin` on a node, once its folder is at nodeBinRoot. */
export function binOnNode(bin: string): string {
  return posix.join(nodeBinRoot, basename(bin));
}

/** Why a folder of these files is too big to copy to every node, or undefined when it is not. */
export function folderTooBig(files: readonly FolderFile[], limits: FolderLimits): string | undefined {
  const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
  if (files.length > limits.files) return `holds ${files.length} files (at most ${limits.files} are copied)`;
  if (bytes > limits.bytes)
    return `holds ${(bytes / 1024 / 1024).toFixed(0)} MB (at most ${(limits.bytes / 1024 / 1024).toFixed(0)} MB are copied)`;
  return undefined;
}

/**
 * The files of `bin`'s folder and its subfolders (file symlinks followed, folder symlinks not), or throws when
 * the folder is too big, saying so: a node binary should sit in a folder of its own.
 */
export function binFolderFiles(bin: string, limits: FolderLimits = binFolderLimits): FolderFile[] {
  const root = dirname(bin);
  const files: FolderFile[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!skippedFolders.has(entry.name)) walk(path);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        const stats = statSync(join(root, path), { throwIfNoEntry: false });
        if (stats?.isFile() === true) files.push({ path, bytes: stats.size });
      }
      // Stop early rather than list all of a huge folder.
      if (files.length > limits.files) break;
    }
  };
  walk('');
  const problem = folderTooBig(files, limits);
  if (problem !== undefined)
    throw new Error(
      `maelstrom option bin: ${bin}'s folder ${root} ${problem}; every file next to the binary is copied to each node, so put the node in a folder of its own`,
    );
  return files;
}
