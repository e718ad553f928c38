/**
 * Temporary files in the origin-private file system (OPFS), where an export is written in
 * parts and then downloaded from disk, so that no process holds the whole file in memory.
 * While a page may still need its file, it holds a Web Lock named after it; a file whose lock
 * is free (its page was closed) is a leftover, removed at the next start.
 */
const DIR = 'export-scratch';

/**
 * Chromium writes through a hidden "<name>.crswap" copy until the writer closes; it is the
 * same file's, so it goes by the same lock.
 * https://source.chromium.org/chromium/chromium/src/+/main:content/browser/file_system_access/file_system_access_manager_impl.cc
 */
const lockOf = (name: string) => `backlink-lens/scratch/${name.replace(/\.crswap$/, '')}`;

/** A file being written, then downloaded. */
export interface ScratchFile {
  write(text: string): Promise<void>;
  /** Finish writing: the file on disk, read lazily by whoever takes it. */
  close(): Promise<File>;
  /** Drop the file (and a write under way) and let go of it. Never rejects. */
  remove(): Promise<void>;
}

async function scratchDir(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(DIR, { create: true });
}

/** Hold the lock `name` until the returned function is called. */
function holdLock(name: string): Promise<() => void> {
  return new Promise((granted, failed) => {
    navigator.locks
      .request(name, () => new Promise<void>((release) => granted(release)))
      .catch(failed);
  });
}

/**
 * A new scratch file, or null where the origin-private file system cannot be used (a
 * browser without it, a private window): the caller then keeps the export in memory.
 */
export async function createScratchFile(): Promise<ScratchFile | null> {
  const name = crypto.randomUUID();
  let dir: FileSystemDirectoryHandle | undefined;
  let release: (() => void) | undefined;
  let writable: FileSystemWritableFileStream | undefined;
  try {
    dir = await scratchDir();
    release = await holdLock(lockOf(name));
    const handle = await dir.getFileHandle(name, { create: true });
    writable = await handle.createWritable();
    const open = writable;
    let closed = false;
    return {
      write: (text) => open.write(text),
      close: async () => {
        await open.close();
        closed = true;
        return handle.getFile();
      },
      remove: async () => {
        // An aborted writer throws its partial copy away; the file itself stays until removed.
        if (!closed) await open.abort().catch(() => undefined);
        await dir!.removeEntry(name).catch(() => undefined);
        release!();
      },
    };
  } catch {
    await dir?.removeEntry(name).catch(() => undefined);
    release?.();
    return null;
  }
}

async function namesIn(dir: FileSystemDirectoryHandle): Promise<string[]> {
  const names: string[] = [];
  for await (const name of dir.keys()) names.push(name);
  return names;
}

/**
 * Remove the scratch files no open page holds: what a page closed mid-export, or before its
 * download's grace time was up, left behind. Returns how many were removed.
 */
export async function removeLeftoverScratchFiles(): Promise<number> {
  const dir = await scratchDir();
  let removed = 0;
  for (const name of await namesIn(dir)) {
    await navigator.locks.request(lockOf(name), { ifAvailable: true }, async (lock) => {
      // A file still being read by a download elsewhere may refuse; the next start retries.
      if (
        lock &&
        (await dir.removeEntry(name).then(
          () => true,
          () => false,
        ))
      )
        removed++;
    });
  }
  return removed;
}
