/**
 * The files of a fetched repository at one commit, for the corpora's import scripts: from its
 * git dir (bare, or a checkout's .git) by `git show <commit>:<path>`, so the bytes are the
 * commit's whatever the work tree holds; else from a plain copy of the files (an unpacked
 * archive), whose commit cannot be checked: the import's own checks against our committed
 * labels or names then catch a wrong copy.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface FetchedRepo {
  /** Names in a folder of the repository. */
  list(folder: string): string[];
  read(path: string): Buffer;
}

const isGitDir = (dir: string) => {
  try {
    execFileSync('git', ['--git-dir', dir, 'rev-parse', '--git-dir'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

export function fetchedRepo(dir: string, commit: string): FetchedRepo {
  const gitDir = [dir, join(dir, '.git')].find(isGitDir);
  if (!gitDir) {
    console.warn(`${dir} is not a git dir: its files are read as they are, commit not checked`);
    return {
      list: (folder) => readdirSync(join(dir, folder)).sort(),
      read: (path) => readFileSync(join(dir, path)),
    };
  }
  const git = (...args: string[]) =>
    execFileSync('git', ['--git-dir', gitDir, ...args], { maxBuffer: 1 << 28 });
  try {
    git('cat-file', '-e', `${commit}^{commit}`);
  } catch {
    throw new Error(`${gitDir} does not hold commit ${commit}: fetch it first`);
  }
  return {
    list: (folder) =>
      git('ls-tree', '--name-only', `${commit}:${folder}`).toString().trim().split('\n'),
    read: (path) => git('show', `${commit}:${path}`),
  };
}
