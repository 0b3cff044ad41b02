/**
 * File handling of checkpoints: an atomic write that never goes through a symlink (a
 * temporary created exclusively next to the target, flushed, renamed, the directory
 * flushed), and a bounded read of the first bytes (the header) of a file.
 *
 * @module
 */

/** The temporary files of `path`: `<path>.<pid>.<hex>.tmp` (and the older `<path>.tmp`). */
export function isTemporaryOf(path: string, name: string): boolean {
  const base = baseName(path);
  if (name === `${base}.tmp`) return true;
  if (!name.startsWith(`${base}.`) || !name.endsWith(".tmp")) return false;
  return /^\d+\.[0-9a-f]+$/.test(name.slice(base.length + 1, -4));
}

/** The directory of `path` ("." when it has none). */
export function dirName(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Throws when `path` is a symbolic link (a missing path is fine). */
export async function refuseSymlink(path: string): Promise<void> {
  try {
    if ((await Deno.lstat(path)).isSymlink) {
      throw new Error("it is a symbolic link (refusing to write through it)");
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/**
 * Writes `chunks` to `path` atomically: a new temporary file with a unique name in the same
 * directory (`createNew`, so never through an existing file or link), flushed, renamed
 * over `path`, then the directory flushed so the rename itself survives a power loss.
 */
export async function writeAtomic(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  await refuseSymlink(path);
  const random = crypto.getRandomValues(new Uint8Array(6));
  const tmp = `${path}.${Deno.pid}.${
    Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("")
  }.tmp`;
  const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o644 });
  try {
    try {
      for (const chunk of chunks) {
        let offset = 0;
        while (offset < chunk.length) offset += await file.write(chunk.subarray(offset));
      }
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
  await syncDirectory(dirName(path));
}

/** Flushes a directory's entries (best effort: a platform or permission that refuses it is not an error). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Deno.FsFile | null = null;
  try {
    handle = await Deno.open(dir, { read: true });
    await handle.sync();
  } catch {
    // Windows cannot open a directory; without read permission on it the rename still stands
  } finally {
    handle?.close();
  }
}

/** The file's size and up to `limit` of its first bytes, read without reading the rest. */
export async function readHead(path: string, limit: number): Promise<{ size: number; head: Uint8Array }> {
  const file = await Deno.open(path, { read: true });
  try {
    const info = await file.stat();
    if (info.isDirectory) throw new Deno.errors.IsADirectory("it is a directory");
    const head = new Uint8Array(Math.min(limit, info.size));
    let filled = 0;
    while (filled < head.length) {
      const n = await file.read(head.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    return { size: info.size, head: head.subarray(0, filled) };
  } finally {
    file.close();
  }
}
